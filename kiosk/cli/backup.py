"""``ward-kiosk backup`` and ``restore``: the SQLite database, copied while kiosks run.

PostgreSQL is backed up with ``pg_dump`` instead (docs/operations.md). The logic lives
in ``kiosk.storage.backup``; these commands only find the file and print the result.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click

from kiosk.cli.common import config_option, settings_from

if TYPE_CHECKING:
    from kiosk.storage.backup import BackupReport

T = TypeVar("T")


@click.command("backup")
@config_option
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The new backup file (never overwritten).",
)
def backup(config_file: Path | None, out: Path) -> None:
    """Copy this PC's SQLite database to a new file, consistently, while kiosks run.

    The copy holds personal data only sealed; back up the ward keys separately.
    """
    from kiosk.storage import backup as backups

    database = _database(config_file)
    _echo(_run(lambda: backups.backup(database, out)), "backup")


@click.command("restore")
@config_option
@click.argument("backup_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace the data even while the database is in use.")
def restore(config_file: Path | None, backup_file: Path, force: bool) -> None:
    """Put BACKUP_FILE back as this PC's SQLite database (stop the kiosk first)."""
    from kiosk.storage import backup as backups

    database = _database(config_file)
    report = _run(lambda: backups.restore(backup_file, database, force=force))
    _echo(report, "restored_from")
    if report.status.state in ("behind", "empty"):
        click.echo(
            f"The restored schema is behind this software's ({', '.join(report.status.head)}): "
            "run `ward-kiosk db upgrade` (or let the kiosk migrate it at start).",
            err=True,
        )


def _database(config_file: Path | None) -> Path:
    from kiosk.storage.backup import sqlite_path
    from kiosk.storage.database import parse_url

    settings = settings_from(config_file)
    return _run(lambda: sqlite_path(parse_url(settings.database_url())))


def _run(action: Callable[[], T]) -> T:
    from kiosk.storage import StorageError

    try:
        return action()
    except StorageError as e:
        raise click.ClickException(str(e)) from None


def _echo(report: BackupReport, file_key: str) -> None:
    fields = {
        "database": str(report.database),
        file_key: str(report.file),
        "revision": list(report.status.current),
        "head": list(report.status.head),
        "bytes": report.size,
    }
    click.echo(json.dumps(fields, ensure_ascii=False))
