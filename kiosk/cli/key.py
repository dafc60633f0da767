"""``ward-kiosk key``: the ward key pair, for IT (init, export-public, fingerprint, rotate).

The private key stays on counter PCs; kiosks get only the public key. Nothing
else ever creates a key: a PC without one refuses to start and says so.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from kiosk.cli.common import config_option, settings_from


@click.group("key")
def key() -> None:
    """The ward key pair: init, export-public, fingerprint, rotate (JSON out)."""


@key.command("init")
@config_option
def key_init(config_file: Path | None) -> None:
    """Create the ward key pair on this (counter) PC and register it in the database."""
    from kiosk.ward_keys import create_key_pair, open_store

    settings = settings_from(config_file)
    private = settings.private_key_file()
    with _storage_errors():
        created = not private.exists()
        if created:
            create_key_pair(settings)
        store = open_store(settings, "counter", register_key=True)
        fingerprint = store.keyring.fingerprint
        store.close()
    _echo(
        fingerprint=fingerprint,
        created=created,
        private_key_file=str(private),
        public_key_file=str(settings.public_key_file()),
        next="copy the public key file to every kiosk (database.public_key_file) and the "
        "private key file, owner-only, to every counter PC; keep an offline backup of it",
    )


@key.command("export-public")
@config_option
@click.option("--out", "out", type=click.Path(path_type=Path), required=True)
def key_export_public(config_file: Path | None, out: Path) -> None:
    """Write the ward public key (from this PC's private key) to OUT, for a kiosk."""
    from kiosk.storage.key_files import read_private_key, write_public_key
    from kiosk.storage.sealing import fingerprint

    settings = settings_from(config_file)
    with _storage_errors():
        public = read_private_key(settings.private_key_file()).public_key()
        write_public_key(out, public)
    _echo(fingerprint=fingerprint(public), public_key_file=str(out))


@key.command("fingerprint")
@config_option
def key_fingerprint(config_file: Path | None) -> None:
    """This PC's ward key and the database's current one; exit 1 when they differ."""
    from kiosk.db_settings import database_target
    from kiosk.storage import Store, ward_keys
    from kiosk.storage.data_keys import Keyring
    from kiosk.ward_keys import keyring_for, role_of_this_pc

    settings = settings_from(config_file)
    with _storage_errors():
        role = role_of_this_pc(settings)
        mine = keyring_for(settings, role).fingerprint
        store = Store.open(database_target(settings, None), Keyring())  # we compare here
        with store.transaction() as session:
            row = ward_keys.current(session)
            current = row.fingerprint if row is not None else None
        store.close()
    _echo(this_pc=mine, holds="private" if role == "counter" else "public", database=current)
    if mine != current:
        raise SystemExit(1)


@key.command("rotate")
@config_option
@click.confirmation_option(
    prompt="Rotate the ward key? Every other PC refuses to start until it gets the new key."
)
def key_rotate(config_file: Path | None) -> None:
    """A new ward key pair: day keys re-sealed to it, the old private key destroyed here."""
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    from kiosk.storage import ward_keys
    from kiosk.storage.key_files import read_private_key, write_private_key, write_public_key
    from kiosk.ward_keys import open_store

    settings = settings_from(config_file)
    private_path = settings.private_key_file()
    new = X25519PrivateKey.generate()
    staged = private_path.with_name(private_path.name + ".new")
    with _storage_errors():
        old = read_private_key(private_path)
        write_private_key(staged, new)
        store = open_store(settings, "counter")
        try:
            with store.transaction(write=True) as session:
                count = ward_keys.rotate(session, old, new, store.now())
        except BaseException:
            staged.unlink(missing_ok=True)
            raise
        finally:
            store.close()
        os.replace(staged, private_path)  # the old private key is gone from this PC
        write_public_key(settings.public_key_file(), new.public_key(), replace=True)
    from kiosk.storage.sealing import fingerprint

    _echo(
        fingerprint=fingerprint(new.public_key()),
        resealed=count,
        next="copy the new public key to every kiosk and the new private key to every "
        "counter PC; destroy the old private key's copies and backups",
    )


def _echo(**fields: object) -> None:
    click.echo(json.dumps(fields, ensure_ascii=False))


@contextmanager
def _storage_errors() -> Iterator[None]:
    """Storage and key-file errors become a one-line message and exit code 1."""
    from kiosk.storage import StorageError

    try:
        yield
    except StorageError as err:
        raise click.ClickException(str(err)) from None
