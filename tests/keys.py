"""Ward keys for tests: a key pair made once per path, and a Store opened with it."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from kiosk.storage import KeyFileInvalid, Store
from kiosk.storage.data_keys import Keyring
from kiosk.storage.key_files import (
    read_private_key,
    read_public_key,
    write_private_key,
    write_public_key,
)


def key_pair(private_path: Path) -> tuple[Path, Path]:
    """The private and public key files at ``private_path`` (+ ``.pub``), made if missing."""
    private_path = Path(private_path)
    public_path = private_path.with_name(private_path.name + ".pub")
    if not private_path.exists():
        with contextlib.suppress(KeyFileInvalid):  # another test process was first
            write_private_key(private_path, X25519PrivateKey.generate())
    if not public_path.exists():
        with contextlib.suppress(KeyFileInvalid):
            write_public_key(public_path, read_private_key(private_path).public_key())
    return private_path, public_path


def counter_keys(private_path: Path) -> Keyring:
    """The keys of a counter PC (private key), made at ``private_path`` if missing."""
    private, _ = key_pair(private_path)
    return Keyring.opening(read_private_key(private))


def kiosk_keys(private_path: Path) -> Keyring:
    """The keys of a kiosk (public key only) of the pair at ``private_path``."""
    _, public = key_pair(private_path)
    return Keyring.sealing_only(read_public_key(public))


def open_store(url: str, key_file: Path, **kwargs: Any) -> Store:
    """A Store with a counter's keys, the ward key registered on first use (tests only)."""
    kwargs.setdefault("register_key", True)
    return Store.open(url, counter_keys(Path(key_file)), **kwargs)
