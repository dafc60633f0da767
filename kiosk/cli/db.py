"""``ward-kiosk db``: the schema and the database roles, for IT.

On PostgreSQL ``db upgrade`` is the only thing that changes the schema: it connects
as the migration role, migrates, then applies the grants of ``kiosk.storage.roles``.
``db roles`` prints (or, with ``--create``, runs) the SQL that creates the roles.
``db current`` and ``db check`` only read the revision, with this PC's own settings.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar, cast, get_args

import click

from kiosk.cli.common import config_option, settings_from

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from kiosk.storage.roles import AppRole
    from kiosk.storage.schema import RevisionStatus, UpgradeReport

T = TypeVar("T")

_URL_HELP = "Database URL (default: [database] migration_url, else url)."
_NOT_THE_OWNER = (
    " `db upgrade` connects as the migration role, which owns the schema: set [database] "
    "migration_url (and migration_password_file) or pass --url."
)
_KEYFILE_HELP = "File holding the password for the URL (owner-only, like the key file)."


@click.group("db")
def db() -> None:
    """The database's schema and roles (IT)."""


@db.command("upgrade")
@config_option
@click.option("--url", default=None, help=_URL_HELP)
@click.option(
    "--password-file", type=click.Path(dir_okay=False, path_type=Path), help=_KEYFILE_HELP
)
def db_upgrade(config_file: Path | None, url: str | None, password_file: Path | None) -> None:
    """Migrate the schema to this version's, then (PostgreSQL) apply the roles' grants."""
    from kiosk.storage.database import safe_url

    with _engine(config_file, url, password_file) as engine:
        report = _run(lambda: _upgrade(engine))
        postgresql = engine.dialect.name == "postgresql"
        where = safe_url(engine.url)
    if report.ungranted:
        click.echo(
            f"warning: no grant line for {', '.join(report.ungranted)}: no kiosk, counter or "
            "board can use them (kiosk/storage/roles.py GRANTS)",
            err=True,
        )
    _echo(
        database=where,
        revision_before=list(report.before),
        revision=list(report.after),
        grants="applied" if postgresql else "not applicable (SQLite has no roles)",
    )


@db.command("current")
@config_option
@click.option("--url", default=None, help="Database URL (default: [database] url).")
@click.option(
    "--password-file", type=click.Path(dir_okay=False, path_type=Path), help=_KEYFILE_HELP
)
def db_current(config_file: Path | None, url: str | None, password_file: Path | None) -> None:
    """The database's schema revision, this software's, and whether they match (JSON)."""
    with _app_engine(config_file, url, password_file) as engine:
        _echo(**_status_fields(engine, _run(lambda: _status(engine))))


@db.command("check")
@config_option
@click.option("--url", default=None, help="Database URL (default: [database] url).")
@click.option(
    "--password-file", type=click.Path(dir_okay=False, path_type=Path), help=_KEYFILE_HELP
)
def db_check(config_file: Path | None, url: str | None, password_file: Path | None) -> None:
    """Exit 0 when the schema is exactly this software's; else 1, saying what to run."""
    from kiosk.storage.database import safe_url
    from kiosk.storage.schema import mismatch_message

    with _app_engine(config_file, url, password_file) as engine:
        status = _run(lambda: _status(engine))
        _echo(**_status_fields(engine, status))
        if status.state != "current":
            raise click.ClickException(mismatch_message(status, safe_url(engine.url)))


@db.command("roles")
@config_option
@click.option("--url", default=None, help=_URL_HELP)
@click.option(
    "--password-file", type=click.Path(dir_okay=False, path_type=Path), help=_KEYFILE_HELP
)
@click.option("--create", is_flag=True, help="Run the SQL (needs a user allowed to create roles).")
@click.option(
    "--login",
    "logins",
    multiple=True,
    metavar="NAME=ROLE",
    help="Also a LOGIN role NAME in ROLE (kiosk, counter, board, web); repeatable.",
)
def db_roles(
    config_file: Path | None,
    url: str | None,
    password_file: Path | None,
    create: bool,
    logins: tuple[str, ...],
) -> None:
    """Print the SQL that creates the group roles (NOLOGIN) and LOGIN roles; --create runs it.

    Passwords are not set here: set each login's with psql's \\password NAME.
    """
    from kiosk.storage.roles import create_role_statements, existing_roles

    members = [_parse_login(item) for item in logins]
    if not create:
        statements = _run(lambda: create_role_statements(members))
        click.echo("\n".join(f"{s};" for s in statements))
        return
    with _engine(config_file, url, password_file) as engine:

        def run() -> list[str]:
            with engine.begin() as conn:
                statements = create_role_statements(members, existing_roles(conn))
                for statement in statements:
                    conn.exec_driver_sql(statement)
            return statements

        _echo(executed=_run(lambda: _in_database(engine, run)))


def _status(engine: Engine) -> RevisionStatus:
    from kiosk.storage.database import database_errors
    from kiosk.storage.schema import revision_status

    with database_errors(engine.url), engine.connect() as conn:
        return revision_status(conn)


def _status_fields(engine: Engine, status: RevisionStatus) -> dict[str, object]:
    from kiosk.storage.database import safe_url

    return {
        "database": safe_url(engine.url),
        "revision": list(status.current),
        "head": list(status.head),
        "matches": status.state == "current",
        "state": status.state,
        "serves_from": status.serves_from,
        "runs": status.runs,
    }


def _upgrade(engine: Engine) -> UpgradeReport:
    from kiosk.storage.database import PermissionDenied
    from kiosk.storage.schema import upgrade_and_grant

    try:
        return upgrade_and_grant(engine)
    except PermissionDenied as e:  # e.g. "must be owner of table visits"
        raise click.ClickException(f"{e}{_NOT_THE_OWNER}") from None


def _parse_login(item: str) -> tuple[str, AppRole]:
    from kiosk.storage.roles import AppRole

    name, _, role = item.partition("=")
    if role not in get_args(AppRole):
        raise click.BadParameter(
            f"{item!r}: expected NAME=ROLE with ROLE kiosk, counter, board or web",
            param_hint="--login",
        )
    return name, cast("AppRole", role)


@contextmanager
def _engine(
    config_file: Path | None, url: str | None, password_file: Path | None
) -> Iterator[Engine]:
    from kiosk.db_settings import migration_target
    from kiosk.storage.database import create_kiosk_engine

    settings = settings_from(config_file)
    engine = _run(lambda: create_kiosk_engine(migration_target(settings, url, password_file)))
    try:
        yield engine
    finally:
        engine.dispose()


@contextmanager
def _app_engine(
    config_file: Path | None, url: str | None, password_file: Path | None
) -> Iterator[Engine]:
    """The engine for this PC's own database settings, or ``url``; migrates nothing."""
    from kiosk.db_settings import database_target
    from kiosk.storage.database import DatabaseTarget, create_kiosk_engine

    settings = settings_from(config_file)

    def target() -> DatabaseTarget:
        if url is None:
            return database_target(settings, None)
        db = settings.database
        return DatabaseTarget.parse(
            url,
            password_file=password_file,
            connect_timeout_s=db.connect_timeout_seconds,
            allow_insecure=db.allow_insecure,
        )

    engine = _run(lambda: create_kiosk_engine(target()))
    try:
        yield engine
    finally:
        engine.dispose()


def _in_database(engine: Engine, action: Callable[[], T]) -> T:
    from kiosk.storage.database import database_errors

    if engine.dialect.name != "postgresql":
        raise click.ClickException("Roles exist on PostgreSQL only; SQLite has none.")
    with database_errors(engine.url):
        return action()


def _run(action: Callable[[], T]) -> T:
    """Run ``action``; storage errors and bad names become a one-line message, exit 1."""
    from kiosk.storage import StorageError

    try:
        return action()
    except (StorageError, ValueError) as e:
        raise click.ClickException(str(e)) from None


def _echo(**fields: object) -> None:
    click.echo(json.dumps(fields, ensure_ascii=False))
