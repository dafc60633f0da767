"""Encryption of personal data at rest, the key file, and the storage errors.

Blob format: ``key_id (1 byte) || nonce (12 bytes) || AES-256-GCM ciphertext+tag``.
The associated data binds each blob to its purpose (the Person, or the individual
number), its visit reference and key id, so a blob copied into another row or column,
or altered in any way, fails to decrypt.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path
from typing import ClassVar, Literal

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32
NONCE_BYTES = 12
CURRENT_KEY_ID = 1
Purpose = Literal["person", "individual_number"]
_PURPOSE_LABELS: dict[Purpose, str] = {
    "person": "Personal data",
    "individual_number": "Individual number",
}
_HEADER_BYTES = 1 + NONCE_BYTES


class StorageError(Exception):
    """Base of every error raised by ``kiosk.storage``; ``code`` is stable for the UI."""

    code: ClassVar[str] = "storage_error"


class DatabaseUnavailable(StorageError):
    """The database cannot be opened, reached, or written."""

    code = "database_unavailable"


class VisitNotFound(StorageError):
    """No visit has the given reference."""

    code = "visit_not_found"


class KeyFileInsecure(StorageError):
    """The key file can be read by other users."""

    code = "key_file_insecure"


class KeyFileInvalid(StorageError):
    """The key file is missing its key, is not a regular file, or has the wrong size."""

    code = "key_file_invalid"


class DecryptionFailed(StorageError):
    """Stored personal data does not decrypt with this key for this visit."""

    code = "decryption_failed"


class PersonCipher:
    """Encrypts and decrypts personal data bound to a purpose and a visit reference."""

    def __init__(self, key: bytes, *, key_id: int = CURRENT_KEY_ID) -> None:
        if len(key) != KEY_BYTES:
            raise ValueError(f"AES-256 needs a {KEY_BYTES}-byte key")
        self._aead = AESGCM(key)
        self._key_id = key_id

    def __repr__(self) -> str:
        return f"PersonCipher(key_id={self._key_id})"

    @property
    def key_id(self) -> int:
        return self._key_id

    def encrypt(self, plaintext: bytes, *, reference: str, purpose: Purpose = "person") -> bytes:
        """Return ``key_id || nonce || ciphertext`` for ``plaintext``."""
        nonce = secrets.token_bytes(NONCE_BYTES)
        ad = _associated_data(purpose, self._key_id, reference)
        return bytes([self._key_id]) + nonce + self._aead.encrypt(nonce, plaintext, ad)

    def decrypt(self, blob: bytes, *, reference: str, purpose: Purpose = "person") -> bytes:
        """Return the plaintext of ``blob``; raise DecryptionFailed if it does not verify."""
        if len(blob) < _HEADER_BYTES + 16:
            raise _decryption_failed(purpose, reference, "it is too short to be a valid ciphertext")
        key_id = blob[0]
        if key_id != self._key_id:
            raise _decryption_failed(
                purpose,
                reference,
                f"it was encrypted with key id {key_id}, this kiosk has {self._key_id}",
            )
        nonce, sealed = blob[1:_HEADER_BYTES], blob[_HEADER_BYTES:]
        try:
            return self._aead.decrypt(nonce, sealed, _associated_data(purpose, key_id, reference))
        except InvalidTag:
            raise _decryption_failed(
                purpose,
                reference,
                "it was modified, copied from another visit or column, "
                "or encrypted with a different key",
            ) from None


def _associated_data(purpose: Purpose, key_id: int, reference: str) -> bytes:
    # "person" gives b"ward-kiosk/person/v1\x00", the prefix used since the first
    # release, so stored Person blobs stay readable. The prefixes differ before the
    # NUL, so no reference can make one purpose's data equal another's.
    prefix = b"ward-kiosk/" + purpose.encode("ascii") + b"/v1\x00"
    return prefix + bytes([key_id]) + reference.encode("utf-8")


def _decryption_failed(purpose: Purpose, reference: str, why: str) -> DecryptionFailed:
    return DecryptionFailed(
        f"{_PURPOSE_LABELS[purpose]} of visit {reference} cannot be decrypted: {why}. "
        "Check that the kiosk uses its original key file; otherwise treat the row as lost."
    )


def load_legacy_key(path: Path) -> PersonCipher:
    """The symmetric key of releases before the ward key pair (read-only; never created)."""
    return PersonCipher(_read_key_file(Path(path)))


def _read_key_file(path: Path) -> bytes:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as err:
        raise KeyFileInvalid(
            f"Key file {path} cannot be opened ({err.strerror}). It must be a regular file, "
            "not a symlink, readable by the kiosk user."
        ) from None
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fh.fileno())
        _check_key_file_mode(path, info)
        key = fh.read(KEY_BYTES + 1)
    if len(key) != KEY_BYTES:
        raise KeyFileInvalid(
            f"Key file {path} holds {len(key)} bytes, expected {KEY_BYTES}. Restore it from "
            "backup; without the original key, stored personal data cannot be read."
        )
    return key


def _check_key_file_mode(path: Path, info: os.stat_result) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise KeyFileInvalid(f"Key file {path} is not a regular file.")
    if os.name == "posix" and info.st_mode & 0o077:
        mode = stat.S_IMODE(info.st_mode)
        raise KeyFileInsecure(
            f"Key file {path} has mode {mode:04o} and can be accessed by other users; "
            f"refusing to use it. Run: chmod 600 '{path}'"
        )
