"""Backup and restore of an SQLite database with SQLite's online backup API.

A backup is a consistent copy taken in one read transaction, so kiosks may keep
running; it is one self-contained file (no WAL), mode 0600, written under a temporary
name and renamed only when complete. Restoring copies the pages back through the same
API (never by replacing the file, which would leave running processes on the old one
with a mismatched WAL), after checking that the file is an intact ward-kiosk database
whose revision this software knows. It refuses a database in use unless forced.

PostgreSQL is backed up with ``pg_dump`` (docs/operations.md). Either way the backup
holds personal data only sealed: the ward keys are backed up separately.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import URL, create_engine

from kiosk.storage.crypto import StorageError
from kiosk.storage.database import SQLITE_BUSY_TIMEOUT_S, safe_url
from kiosk.storage.schema import RevisionStatus, revision_status


class BackupFailed(StorageError):
    """A backup or restore could not be made; the message says what to do."""

    code = "backup_failed"


@dataclass(frozen=True)
class BackupReport:
    """What ``backup`` wrote or ``restore`` put back."""

    database: Path
    file: Path
    status: RevisionStatus
    """The copy's revision compared with this software's."""
    size: int


def sqlite_path(url: URL) -> Path:
    """The file of an SQLite URL; BackupFailed for PostgreSQL or an in-memory database."""
    if url.get_backend_name() != "sqlite":
        raise BackupFailed(
            f"Database {safe_url(url)} is not SQLite: back up PostgreSQL with pg_dump and "
            "restore it with pg_restore (docs/operations.md, Backup and restore)."
        )
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupFailed(f"Database {safe_url(url)} is not a file: there is nothing to copy.")
    return Path(database)


def backup(database: Path, out: Path) -> BackupReport:
    """Copy ``database`` to the new file ``out`` while other processes may use it."""
    if not database.is_file():
        raise BackupFailed(f"No database at {database}: nothing to back up. Check [database] url.")
    if out.exists():
        raise BackupFailed(f"{out} exists: a backup never overwrites a file. Choose a new name.")
    partial = out.with_name(f".{out.name}.partial")
    try:
        _create_private(partial)
        with _connect(database) as source, _connect(partial) as target:
            source.backup(target)  # all pages in one step: one consistent snapshot
            target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            _require_intact(target, partial)
        status = _status(partial)
        partial.replace(out)
    except (OSError, sqlite3.Error) as err:
        raise BackupFailed(
            f"Backup of {database} to {out} failed ({err}). Check that the folder is writable "
            "and has room for a copy of the database."
        ) from err
    finally:
        partial.unlink(missing_ok=True)
    return BackupReport(database, out, status, out.stat().st_size)


def restore(backup_file: Path, database: Path, *, force: bool = False) -> BackupReport:
    """Replace the contents of ``database`` with ``backup_file``.

    Refuses a file that is no intact ward-kiosk database, one written by a newer
    version this software cannot use, and (unless ``force``) a database in use.
    """
    if not backup_file.is_file():
        raise BackupFailed(f"No backup file at {backup_file}.")
    status = _check_backup(backup_file)
    if database.exists() and not force and in_use(database):
        raise BackupFailed(
            f"Database {database} is in use (a kiosk, counter, board or command has it "
            "open). Stop them first (systemctl stop the ward-kiosk units), or pass --force "
            "to replace the data under them."
        )
    try:
        database.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        _create_private(database, exclusive=False)
        with _connect(backup_file) as source, _connect(database) as target:
            source.backup(target)
            target.execute("PRAGMA journal_mode=WAL")  # what the kiosk runs with
            _require_intact(target, database)
    except (OSError, sqlite3.Error) as err:
        raise BackupFailed(
            f"Restoring {backup_file} into {database} failed ({err}). Check that the folder "
            "is writable; the database may be incomplete: restore again before starting."
        ) from err
    return BackupReport(database, backup_file, status, database.stat().st_size)


def in_use(database: Path) -> bool:
    """Whether another connection has ``database`` open (in WAL mode every open
    connection holds a shared lock, so an exclusive lock is refused at once)."""
    try:
        with _connect(database, timeout=0) as conn:
            conn.execute("PRAGMA locking_mode=EXCLUSIVE")
            conn.execute("BEGIN EXCLUSIVE")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchall()
            conn.execute("ROLLBACK")
    except sqlite3.OperationalError:
        return True
    return False


def _check_backup(path: Path) -> RevisionStatus:
    try:
        with _connect(path, read_only=True) as conn:
            _require_intact(conn, path)
        status = _status(path)
    except sqlite3.Error as err:
        raise BackupFailed(f"{path} is not an SQLite database backup ({err}).") from err
    if status.state == "empty":
        raise BackupFailed(
            f"{path} holds no ward-kiosk schema: it is not a backup of this database."
        )
    if status.state == "ahead":
        raise BackupFailed(
            f"Backup {path} is at {status.describe()}: a newer ward-kiosk version wrote it. "
            "Restore it with that version (install it on this PC first)."
        )
    return status


def _status(path: Path) -> RevisionStatus:
    uri = _uri(path, read_only=True)
    engine = create_engine("sqlite://", creator=lambda: sqlite3.connect(uri, uri=True))
    try:
        with engine.connect() as conn:
            return revision_status(conn)
    finally:
        engine.dispose()


def _require_intact(conn: sqlite3.Connection, path: Path) -> None:
    result = conn.execute("PRAGMA quick_check").fetchone()
    if result is None or result[0] != "ok":
        raise BackupFailed(f"{path} is damaged (SQLite quick_check: {result}).")


def _create_private(path: Path, *, exclusive: bool = True) -> None:
    """Create ``path`` owner-only (it holds sealed personal data); SQLite gives its -wal
    and -shm files the same mode."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else 0)
    os.close(os.open(path, flags, 0o600))


@contextlib.contextmanager
def _connect(
    path: Path, *, timeout: float = SQLITE_BUSY_TIMEOUT_S, read_only: bool = False
) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(
        _uri(path, read_only=read_only), timeout=timeout, uri=True, isolation_level=None
    )
    try:
        yield conn
    finally:
        conn.close()


def _uri(path: Path, *, read_only: bool) -> str:
    """An SQLite URI for ``path`` (percent-encoded, so any file name works)."""
    return path.resolve().as_uri() + ("?mode=ro" if read_only else "")
