"""Which ward keys each kind of machine loads, and opening the store with them.

A kiosk loads the public key only, so a stolen kiosk cannot read back what it
stored; a counter PC (and IT's maintenance commands that show personal data)
loads the private key; the board and the queue commands load none.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from kiosk.config import Settings
from kiosk.storage.crypto import load_legacy_key
from kiosk.storage.data_keys import Keyring
from kiosk.storage.key_files import (
    read_private_key,
    read_public_key,
    write_private_key,
    write_public_key,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from kiosk.storage import Store

log = logging.getLogger(__name__)

Role = Literal["kiosk", "counter", "board", "web"]
ROLES: tuple[Role, ...] = ("kiosk", "counter", "board", "web")


def keyring_for(settings: Settings, role: Role) -> Keyring:
    """The keys a machine in ``role`` holds, read from their files."""
    if role in ("board", "web"):  # they read nothing sealed (the web seals with the code)
        return Keyring()
    if role == "kiosk":
        return Keyring.sealing_only(read_public_key(settings.public_key_file()))
    legacy_path = settings.key_file()
    legacy = load_legacy_key(legacy_path) if legacy_path.exists() else None
    return Keyring.opening(read_private_key(settings.private_key_file()), legacy)


def role_of_this_pc(settings: Settings) -> Role:
    """``[database] role`` when set; else ``counter`` where the ward private key is
    installed, else ``kiosk`` (for ``doctor``)."""
    if settings.database.role:
        return settings.database.role
    return "counter" if settings.private_key_file().exists() else "kiosk"


def open_store(
    settings: Settings,
    role: Role,
    *,
    clock: Callable[[], datetime] | None = None,
    register_key: bool = False,
) -> Store:
    """The store as ``role`` may use it; refuses a key that is not the ward's."""
    from kiosk.db_settings import database_target
    from kiosk.storage import Store

    creator = settings.kiosk.id if role == "kiosk" else role
    return Store.open(
        database_target(settings, role),
        keyring_for(settings, role),
        clock=clock,
        creator=creator,
        register_key=register_key,
    )


def check_keys(settings: Settings, role: Role) -> None:
    """Refuse to start with a missing or wrong ward key (a database that cannot be
    reached now is not refused: the kiosk reports that itself, and retries)."""
    from kiosk.storage import DatabaseUnavailable

    try:
        open_store(settings, role).close()
    except DatabaseUnavailable as e:
        log.warning("the ward key could not be checked at start: %s", e)


def create_key_pair(settings: Settings) -> X25519PrivateKey:
    """A new ward key pair written to the configured files (refuses to overwrite)."""
    key = X25519PrivateKey.generate()
    write_private_key(settings.private_key_file(), key)
    write_public_key(settings.public_key_file(), key.public_key(), replace=True)
    return key


def ensure_demo_keys(settings: Settings) -> None:
    """Demo mode only: a key pair on this PC, registered in the demo database."""
    if not settings.private_key_file().exists():
        create_key_pair(settings)
        log.warning("demo mode: created a ward key pair at %s", settings.private_key_file())
    open_store(settings, "counter", register_key=True).close()
