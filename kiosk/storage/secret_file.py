"""The database password kept in a file, checked like the key file: owner-only, no symlink."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from kiosk.storage.crypto import DatabaseUnavailable

MAX_PASSWORD_BYTES = 1024


class PasswordFileInvalid(DatabaseUnavailable):
    """The password file cannot be used: missing, a symlink, readable by others, or empty."""


def read_password_file(path: Path) -> str:
    """The password on the file's first line (trailing newline dropped).

    The file must be a regular file (not a symlink) that only its owner can read,
    like the key file; the password itself never appears in a message.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as err:
        raise PasswordFileInvalid(
            f"Password file {path} cannot be opened ({err.strerror}). It must be a regular "
            "file, not a symlink, readable by the user this program runs as."
        ) from None
    with os.fdopen(fd, "rb") as fh:
        _check_mode(path, os.fstat(fh.fileno()))
        data = fh.read(MAX_PASSWORD_BYTES + 1)
    return _password_in(path, data)


def _check_mode(path: Path, info: os.stat_result) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise PasswordFileInvalid(f"Password file {path} is not a regular file.")
    if os.name == "posix" and info.st_mode & 0o077:
        mode = stat.S_IMODE(info.st_mode)
        raise PasswordFileInvalid(
            f"Password file {path} has mode {mode:04o} and can be read by other users; "
            f"refusing to use it. Run: chmod 600 '{path}'"
        )


def _password_in(path: Path, data: bytes) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise PasswordFileInvalid(f"Password file {path} is not UTF-8 text.") from None
    lines = text.splitlines()
    password = lines[0] if lines else ""
    if len(data) > MAX_PASSWORD_BYTES or len(lines) > 1 or not password:
        raise PasswordFileInvalid(
            f"Password file {path} must hold the password alone on one line "
            f"(at most {MAX_PASSWORD_BYTES} bytes)."
        )
    return password
