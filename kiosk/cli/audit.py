"""``ward-kiosk audit``: verify the access log's hash chain and export it for review.

Both commands only read (PostgreSQL: a read-only REPEATABLE READ transaction, so the
log and its chain head are seen at one instant while kiosks go on writing). Also
``log_cli_access``, which other commands use to log what they read.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import click

from kiosk.cli.common import (
    cli_actor,
    config_option,
    export_period_options,
    settings_from,
)
from kiosk.config import Settings

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from kiosk.storage.audit import LogEntry
    from kiosk.storage.audit_check import Head, Problem
    from kiosk.storage.database import DatabaseTarget

EXPORT_COLUMNS = (
    "id",
    "at",
    "actor",
    "action",
    "visit_reference",
    "detail",
    "prev_hash",
    "entry_hash",
)


@click.group("audit")
def audit() -> None:
    """The access log: verify its hash chain, export it for the ward's periodic review."""


@audit.command("verify")
@config_option
@click.option(
    "--against",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The last export (CSV): each of its entries must still be in the log, unchanged.",
)
def verify(config_file: Path | None, against: Path | None) -> None:
    """Check every entry's hash and link, and the chain head. Prints JSON: entries,
    last_id, last_hash (compare them with the last review's), problem.

    Exit 1 names the first entry that was changed, removed or reordered.
    """
    from kiosk.storage import audit_check

    settings = settings_from(config_file)
    exported = _read_export(against) if against is not None else None
    with _reading(settings) as conn:
        verdict = audit_check.verify(conn)
        problem = verdict.problem
        if problem is None and exported is not None:
            problem = audit_check.compare_export(conn, exported)
    click.echo(json.dumps(_report(verdict.head, problem), ensure_ascii=False))
    if problem is not None:
        click.echo(f"access log NOT intact: {problem.message}", err=True)
        sys.exit(1)


@audit.command("export")
@config_option
@export_period_options
def export(config_file: Path | None, first: date, last: date, out: Path) -> None:
    """Write the entries of the days (this machine's local time) with their hashes.

    Prints JSON: the file, the entry count and id range, and the log's head now.
    """
    from kiosk.stats import local_range
    from kiosk.storage import audit
    from kiosk.storage.audit_check import current_head

    if last < first:
        raise click.BadParameter(f"--to {last} is before --from {first}", param_hint="--to")
    start, end = local_range(first, last, None)
    settings = settings_from(config_file)
    tmp = out.with_name(out.name + ".tmp")
    with _reading(settings) as conn:
        try:
            with tmp.open("w", encoding="utf-8-sig", newline="") as f:
                ids = _write_export(f, audit.entries(conn, start=start, end=end))
            os.replace(tmp, out)
        except OSError as e:
            tmp.unlink(missing_ok=True)
            raise click.ClickException(f"cannot write {out}: {e.strerror or e}") from None
        head = current_head(conn)
    summary = {
        "out": str(out),
        "from": first.isoformat(),
        "to": last.isoformat(),
        "entries": len(ids),
        "first_id": min(ids, default=None),
        "last_id": max(ids, default=None),
        "head": _head_json(head),
    }
    click.echo(json.dumps(summary, ensure_ascii=False))


def log_cli_access(settings: Settings, *, action: str, detail: str = "") -> bool:
    """Log a command-line action as ``cli:<OS account>``; False when there is no database
    to log to (no ``database.url``, and no kiosk database in the default place).

    Raises StorageError when the database is there but cannot be written.
    """
    from sqlalchemy.orm import Session

    from kiosk.storage import audit, create_kiosk_engine
    from kiosk.storage.database import IMMEDIATE, database_errors

    if not settings.database.url and _missing_sqlite_file(settings) is not None:
        return False
    engine = create_kiosk_engine(_target(settings))
    try:
        with database_errors(engine.url), Session(engine) as session, session.begin():
            session.connection(execution_options={IMMEDIATE: True})  # SQLite: BEGIN IMMEDIATE
            audit.append(
                session, actor=cli_actor(), action=action, visit_reference=None, detail=detail
            )
    finally:
        engine.dispose()
    return True


def _missing_sqlite_file(settings: Settings) -> Path | None:
    """The SQLite file the settings name, if it does not exist (never create it here)."""
    from sqlalchemy import exc, make_url

    try:
        url = make_url(settings.database_url())
    except (exc.ArgumentError, ValueError):
        return None  # create_kiosk_engine reports it, without echoing the URL
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    path = Path(url.database)
    return None if path.is_file() else path


@contextmanager
def _reading(settings: Settings) -> Iterator[Connection]:
    """A read-only snapshot of the database; errors become one message and exit 1."""
    from sqlalchemy import inspect

    from kiosk.storage import StorageError, create_kiosk_engine
    from kiosk.storage.database import database_errors

    missing = _missing_sqlite_file(settings)
    if missing is not None:
        raise click.ClickException(
            f"there is no kiosk database at {missing}: set database.url in the settings"
        )
    try:
        engine = create_kiosk_engine(_target(settings))
    except StorageError as e:
        raise click.ClickException(str(e)) from None
    try:
        options = {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
        with database_errors(engine.url), engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn = conn.execution_options(**options)
            with conn.begin():
                if not inspect(conn).has_table("access_log_head"):
                    raise click.ClickException(
                        "this database has no access log chain yet (revision 0009): "
                        "run 'ward-kiosk db upgrade' first"
                    )
                yield conn
    except StorageError as e:
        raise click.ClickException(str(e)) from None
    finally:
        engine.dispose()


def _target(settings: Settings) -> DatabaseTarget:
    from kiosk.db_settings import database_target

    return database_target(settings, None)


def _write_export(f: TextIO, entries: Iterator[LogEntry]) -> list[int]:
    from kiosk.csv_cells import formula_safe

    writer = csv.writer(f)
    writer.writerow(EXPORT_COLUMNS)
    ids = []
    for entry in entries:
        at = entry.at.astimezone().isoformat(timespec="microseconds") if entry.at else ""
        cells = (at, entry.actor, entry.action, entry.visit_reference or "", entry.detail)
        writer.writerow(
            [entry.id, *(formula_safe(str(c)) for c in cells), entry.prev_hash, entry.entry_hash]
        )
        ids.append(entry.id)
    return ids


def _read_export(path: Path) -> list[tuple[int, str, str]]:
    """(id, at, entry_hash) of each row of an earlier export; a malformed file is an error."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.DictReader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise click.ClickException(f"cannot read the export {path}: {e}") from None
    exported = []
    for line, row in enumerate(rows, start=2):
        try:
            exported.append((int(row["id"]), row["at"], row["entry_hash"]))
        except (KeyError, TypeError, ValueError):
            raise click.ClickException(
                f"{path} line {line} is not an access log export row (id, at, entry_hash); "
                "pass a file written by 'ward-kiosk audit export'"
            ) from None
    return exported


def _head_json(head: Head) -> dict[str, object]:
    return {"entries": head.entries, "last_id": head.last_id, "last_hash": head.last_hash}


def _report(head: Head, problem: Problem | None) -> dict[str, object]:
    report: dict[str, object] = {"intact": problem is None, **_head_json(head), "problem": None}
    if problem is not None:
        at = problem.at.astimezone().isoformat(timespec="seconds") if problem.at else None
        report["problem"] = {
            "kind": problem.kind,
            "id": problem.entry_id,
            "at": at,
            "message": problem.message,
        }
    return report
