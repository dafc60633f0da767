"""The engine side of storage: where to connect, engines, SQLite hooks, migrations.

Everything here is about reaching the database; what is stored lives in ``store``.
A ``DatabaseTarget`` says where and how: the URL (its password never shown), the
process role, the timeouts and whether an unverified remote connection is allowed.
"""

from __future__ import annotations

import ipaddress
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import URL, Connection, Engine, create_engine, event, exc, make_url, text

from kiosk.storage import compat
from kiosk.storage.crypto import DatabaseUnavailable
from kiosk.storage.roles import AppRole
from kiosk.storage.secret_file import read_password_file

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
SQLITE_BUSY_TIMEOUT_S = 30.0
IMMEDIATE = "kiosk_sqlite_begin_immediate"  # execution option: BEGIN IMMEDIATE on SQLite
_MIGRATION_LOCK = 0x57_4B_30_31  # pg_advisory_xact_lock key held while migrating
CONNECT_TIMEOUT_S = 5
STATEMENT_TIMEOUT_S = 10
_LOCAL_NAMES = frozenset({"localhost"})
INSUFFICIENT_PRIVILEGE = "42501"  # SQLSTATE of PostgreSQL's "permission denied"


class PermissionDenied(DatabaseUnavailable):
    """The database refused a statement: the connected user lacks the privilege."""


class InsecureConnection(DatabaseUnavailable):
    """A PostgreSQL server on another machine without a verified TLS connection."""


@dataclass(frozen=True)
class DatabaseTarget:
    """Where and how to connect. ``url`` holds the password; its repr and str hide it."""

    url: URL
    role: AppRole | None = None
    """The process's database role ("kiosk", "counter", "board"): its rights are
    checked at start on PostgreSQL. None checks none (tools, tests)."""
    connect_timeout_s: int = CONNECT_TIMEOUT_S
    statement_timeout_s: int | None = STATEMENT_TIMEOUT_S
    """None: no limit (``db upgrade``: a migration may take long)."""
    allow_insecure: bool = False
    """Accept a remote PostgreSQL server without ``sslmode=verify-full``."""
    migrate_sqlite: bool = True
    """SQLite: migrate at start (``[database] migrate_at_start``); off, a schema behind
    is refused as on PostgreSQL, which never migrates at start."""

    @classmethod
    def parse(
        cls, url: str, *, password_file: Path | None = None, **options: Any
    ) -> DatabaseTarget:
        """The target for ``url``, with the password read from ``password_file`` if given."""
        parsed = parse_url(url)
        if password_file is not None:
            if parsed.password:
                raise DatabaseUnavailable(
                    f"Database {safe_url(parsed)} has a password in the URL and a password "
                    "file. Keep it in the file only: remove it from the URL."
                )
            parsed = parsed.set(password=read_password_file(password_file))
        return cls(parsed, **options)


def alembic_config(url: str | None = None, *, connection: Connection | None = None) -> Config:
    """Alembic config for the packaged migrations (also usable for ``command.revision``)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    if url is not None:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def create_kiosk_engine(target: str | DatabaseTarget) -> Engine:
    """Create the engine; for PostgreSQL with TLS checked and the timeouts set, for SQLite
    also the folder, WAL, foreign keys and BEGIN control. A plain URL gets the defaults."""
    if isinstance(target, str):
        target = DatabaseTarget.parse(target)
    parsed = target.url
    try:
        if parsed.get_backend_name() != "sqlite":
            check_transport(parsed, allow_insecure=target.allow_insecure)
            return create_engine(
                with_timeouts(parsed, target), hide_parameters=True, pool_pre_ping=True
            )
        _prepare_sqlite_file(parsed)
        engine = create_engine(
            parsed,
            hide_parameters=True,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S},
        )
    except (exc.ArgumentError, ImportError) as err:
        raise DatabaseUnavailable(
            f"Database driver for {safe_url(parsed)} cannot be loaded ({err}). "
            "Install the driver or fix the database URL in the kiosk configuration."
        ) from err
    event.listen(engine, "connect", _on_sqlite_connect)
    event.listen(engine, "begin", _on_sqlite_begin)
    return engine


def upgrade_database(engine: Engine) -> None:
    """Run Alembic ``upgrade head`` (SQLite at each start; PostgreSQL: ``db upgrade`` only,
    see ``schema``); safe from several processes at once."""
    with database_errors(engine.url), engine.connect() as conn:
        # The write lock up front makes a second process wait, then find head.
        conn.execution_options(**{IMMEDIATE: True})
        with conn.begin():
            upgrade_to_head(conn, safe_url(engine.url))


def upgrade_to_head(conn: Connection, where: str) -> None:
    """``upgrade head`` in the caller's transaction; on PostgreSQL one migrator at a time."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
    config = alembic_config(connection=conn)
    try:
        command.upgrade(config, "head")
    except CommandError as err:
        raise DatabaseUnavailable(
            f"Database {where} cannot be migrated: {err}. "
            "If it was written by a newer kiosk version, install that version."
        ) from err
    compat.record(conn, ScriptDirectory.from_config(config))


def parse_url(url: str) -> URL:
    """Parse a database URL; a malformed one raises DatabaseUnavailable without echoing it."""
    try:
        return make_url(url)
    except (exc.ArgumentError, ValueError):
        # No chaining: the error text would repeat the URL, password included.
        raise DatabaseUnavailable(
            "Database URL is not valid (expected e.g. sqlite:////var/lib/ward-kiosk/kiosk.db). "
            "Fix it in the kiosk configuration."
        ) from None


def safe_url(url: URL) -> str:
    """The URL as text with its password replaced by ``***``: the only form to show or log."""
    return url.render_as_string(hide_password=True)


def check_transport(url: URL, *, allow_insecure: bool) -> None:
    """Refuse a PostgreSQL server on another machine unless TLS is verified (or allowed off)."""
    if url.get_backend_name() != "postgresql" or allow_insecure:
        return
    remote = [host for host in server_hosts(url) if not is_local_host(host)]
    sslmode = url.query.get("sslmode") or os.environ.get("PGSSLMODE")
    if remote and sslmode != "verify-full":
        raise InsecureConnection(
            f"Database {safe_url(url)} is on another machine ({', '.join(remote)}) and the "
            "connection would not be checked with TLS. Add sslmode=verify-full and "
            "sslrootcert=<the ward's CA certificate> to the URL's query in [database] url, "
            "or, only where IT protects this network otherwise, set "
            "[database] allow_insecure = true."
        )


def server_hosts(url: URL) -> list[str]:
    """Every host libpq may connect to: the URL's host(s) and hostaddr, else $PGHOST."""
    values: list[str] = []
    for key in ("host", "hostaddr"):
        value = url.query.get(key)
        for item in [value] if isinstance(value, str) else value or ():
            values += item.split(",")
    if url.host:
        values.append(url.host)
    if not values:
        values = [os.environ.get(n, "") for n in ("PGHOST", "PGHOSTADDR")]
        values = [h for v in values for h in v.split(",")]
    return [h.strip() for h in values if h.strip()]


def is_local_host(host: str) -> bool:
    """A Unix socket folder, ``localhost`` or a loopback address."""
    if host.startswith(("/", "@")) or host.lower() in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def with_timeouts(url: URL, target: DatabaseTarget) -> URL:
    """``url`` with libpq's connect timeout and the server's statement timeout added;
    values already in the URL's query are kept."""
    query: dict[str, str] = {"connect_timeout": str(target.connect_timeout_s)}
    options = url.query.get("options")
    options = options if isinstance(options, str) else " ".join(options or ())
    if target.statement_timeout_s is not None and "statement_timeout" not in options:
        limit = f"-c statement_timeout={target.statement_timeout_s * 1000}"
        query["options"] = f"{options} {limit}".strip()
    if "connect_timeout" in url.query:
        del query["connect_timeout"]
    return url.update_query_dict(query)


def _prepare_sqlite_file(url: URL) -> None:
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # SQLite gives its -wal and -shm files the main file's mode, so 0600 covers all three.
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    except OSError as err:
        raise DatabaseUnavailable(
            f"Database file {path} cannot be created ({err.strerror}). Check that the folder "
            "exists or can be created and is writable by the kiosk user."
        ) from err


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # SQLAlchemy's documented recipe: stop pysqlite emitting BEGIN so that
    # _on_sqlite_begin can choose BEGIN IMMEDIATE.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA secure_delete=ON")  # deleted personal data is zeroed on disk
    finally:
        cursor.close()


def _on_sqlite_begin(conn: Connection) -> None:
    immediate = conn.get_execution_options().get(IMMEDIATE, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def database_errors(url: URL) -> Iterator[None]:
    """Turn "cannot reach/open/write the database" errors into DatabaseUnavailable, and a
    privilege the database user lacks into PermissionDenied."""
    try:
        yield
    except (exc.OperationalError, exc.InterfaceError, exc.TimeoutError) as err:
        raise unavailable(url, err) from err
    except exc.ProgrammingError as err:
        if getattr(err.orig, "sqlstate", None) != INSUFFICIENT_PRIVILEGE:
            raise  # a bug, not a condition
        raise PermissionDenied(
            f"Database {safe_url(url)} refused: {err.orig}. This PC's database user lacks the "
            "right: check [database] role and the grants (docs/storage.md, `ward-kiosk db "
            "upgrade` applies them)."
        ) from err
    except exc.DatabaseError as err:
        if type(err) is not exc.DatabaseError:  # integrity/programming errors are bugs
            raise
        raise unavailable(url, err) from err  # e.g. "file is not a database"


def unavailable(url: URL, err: Exception) -> DatabaseUnavailable:
    """DatabaseUnavailable for ``err`` on ``url`` (password hidden), with what to check."""
    reason = str(err.orig) if isinstance(err, exc.DBAPIError) else str(err)
    return DatabaseUnavailable(
        f"Database {safe_url(url)} is unavailable: {reason}. Check that the disk is mounted "
        "and writable, the file is not damaged, and (for a server) that it is reachable."
    )
