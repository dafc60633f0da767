"""The ward key pair's files: the private key (PEM, owner-only) and the public key (PEM).

Counter PCs hold the private key; kiosks hold only the public key. Nothing here
creates a key implicitly: ``ward-kiosk key init`` does, on purpose.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from kiosk.storage.crypto import KeyFileInsecure, KeyFileInvalid

MAX_KEY_FILE_BYTES = 4096


def read_private_key(path: Path) -> X25519PrivateKey:
    """The ward private key in ``path``; refused if other users could read it."""
    data = read_secret_file(path, what="Private key file")
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as err:
        raise KeyFileInvalid(
            f"Private key file {path} is not a PEM private key ({err}). Restore it from "
            "backup, or create the ward key with: ward-kiosk key init"
        ) from None
    if not isinstance(key, X25519PrivateKey):
        raise KeyFileInvalid(f"Private key file {path} holds a {type(key).__name__}, not X25519.")
    return key


def read_public_key(path: Path) -> X25519PublicKey:
    """The ward public key in ``path`` (it may be readable by anyone)."""
    try:
        data = _read_regular(path, what="Public key file")
        key = serialization.load_pem_public_key(data)
    except ValueError as err:
        raise KeyFileInvalid(
            f"Public key file {path} is not a PEM public key ({err}). Copy it again from a "
            "counter PC: ward-kiosk key export-public --out FILE"
        ) from None
    if not isinstance(key, X25519PublicKey):
        raise KeyFileInvalid(f"Public key file {path} holds a {type(key).__name__}, not X25519.")
    return key


def write_private_key(path: Path, key: X25519PrivateKey) -> None:
    """Write ``key`` to a new owner-only file; never overwrites an existing one."""
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    _write_new(path, pem, mode=0o600)


def write_public_key(path: Path, key: X25519PublicKey, *, replace: bool = False) -> None:
    """Write ``key`` as PEM (mode 0644)."""
    pem = key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    if replace:
        path.unlink(missing_ok=True)
    _write_new(path, pem, mode=0o644)


def read_secret_file(path: Path, *, what: str) -> bytes:
    """Bytes of an owner-only regular file (not a symlink); KeyFileInsecure otherwise."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as err:
        raise KeyFileInvalid(
            f"{what} {path} cannot be opened ({err.strerror}). It must be a regular file, "
            "not a symlink, readable by the service's user."
        ) from None
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fh.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise KeyFileInvalid(f"{what} {path} is not a regular file.")
        if os.name == "posix" and info.st_mode & 0o077:
            mode = stat.S_IMODE(info.st_mode)
            raise KeyFileInsecure(
                f"{what} {path} has mode {mode:04o} and can be read by other users; "
                f"refusing to use it. Run: chmod 600 '{path}'"
            )
        return fh.read(MAX_KEY_FILE_BYTES)


def _read_regular(path: Path, *, what: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                raise KeyFileInvalid(f"{what} {path} is not a regular file.")
            return fh.read(MAX_KEY_FILE_BYTES)
    except OSError as err:
        raise KeyFileInvalid(
            f"{what} {path} cannot be read ({err.strerror}). Copy the ward's public key "
            "there: ward-kiosk key export-public --out FILE on a counter PC."
        ) from None


def _write_new(path: Path, data: bytes, *, mode: int) -> None:
    try:
        if not path.parent.exists():
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, mode)  # the umask may have narrowed it
            os.link(tmp, path)  # refuses to overwrite: an existing key is never replaced
        finally:
            tmp.unlink(missing_ok=True)
    except FileExistsError:
        raise KeyFileInvalid(
            f"{path} already exists; it was left as it is. Move it away first if you "
            "really mean to replace it."
        ) from None
    except OSError as err:
        raise KeyFileInvalid(f"{path} cannot be written ({err.strerror}).") from None
