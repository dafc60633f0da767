"""On PostgreSQL only ``db upgrade`` migrates: a process finding the schema behind or
ahead refuses to start, saying what to do. Statements that hang are cancelled by the
server's statement timeout. SQLite (one PC, the demo) still migrates itself."""

from __future__ import annotations

import time
from pathlib import Path

import psycopg
import pytest
from alembic import command
from sqlalchemy import inspect, make_url, text

from kiosk.storage import DatabaseUnavailable, Store, alembic_config, create_kiosk_engine
from kiosk.storage.data_keys import Keyring
from kiosk.storage.database import DatabaseTarget, database_errors
from kiosk.storage.schema import SchemaMismatch, upgrade_and_grant
from tests.pg_server import PgServer


def _tables(url: str) -> list[str]:
    engine = create_kiosk_engine(url)
    try:
        with engine.connect() as conn:
            return inspect(conn).get_table_names()
    finally:
        engine.dispose()


def test_a_postgresql_process_does_not_migrate_an_empty_database(pg_empty_url: str) -> None:
    target = DatabaseTarget.parse(pg_empty_url, role="kiosk")
    with pytest.raises(SchemaMismatch, match=r"none \(empty database\).*`ward-kiosk db upgrade`"):
        Store.open(target, Keyring())
    assert _tables(pg_empty_url) == []


def test_an_older_schema_is_refused_until_db_upgrade(
    pg_empty_url: str, pg_server: PgServer
) -> None:
    pg_server.create_group_roles()
    command.upgrade(alembic_config(pg_empty_url), "0008")
    with pytest.raises(SchemaMismatch, match=r"revision 0008, this software's is \d+"):
        Store.open(pg_empty_url, Keyring())
    engine = create_kiosk_engine(pg_empty_url)
    try:
        report = upgrade_and_grant(engine)  # what `db upgrade` runs (grants: see test_roles)
    finally:
        engine.dispose()
    assert report.before == ("0008",) and report.after != report.before
    Store.open(pg_empty_url, Keyring()).close()


def test_a_database_newer_than_this_software_is_refused(pg_url: str) -> None:
    engine = create_kiosk_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(SchemaMismatch, match="this PC's software is older than the database"):
        Store.open(pg_url, Keyring())


def test_sqlite_still_migrates_itself(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kiosk.db'}"
    Store.open(url, Keyring()).close()
    assert "visits" in _tables(url)


def test_db_upgrade_names_the_roles_to_create_first(
    pg_empty_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kiosk.storage import roles

    monkeypatch.setitem(roles.GROUP_ROLES, "board", "ward_board_not_created")
    engine = create_kiosk_engine(pg_empty_url)
    try:
        with pytest.raises(DatabaseUnavailable, match=r"ward_board_not_created.* do not exist"):
            upgrade_and_grant(engine)
    finally:
        engine.dispose()
    assert _tables(pg_empty_url) == []  # nothing migrated without the grants


# -- statement timeout ------------------------------------------------------------------


def test_a_statement_that_runs_too_long_is_cancelled(pg_url: str) -> None:
    engine = create_kiosk_engine(DatabaseTarget.parse(pg_url, statement_timeout_s=1))
    started = time.monotonic()
    try:
        with (
            pytest.raises(DatabaseUnavailable, match="statement timeout"),
            database_errors(engine.url),
            engine.connect() as conn,
        ):
            conn.execute(text("SELECT pg_sleep(30)"))
    finally:
        engine.dispose()
    assert time.monotonic() - started < 5


def test_a_ticket_waiting_on_a_locked_table_fails_within_the_timeout(
    pg_url: str, pg_server: PgServer
) -> None:
    name = make_url(pg_url).database
    with (
        Store.open(DatabaseTarget.parse(pg_url, statement_timeout_s=1), Keyring()) as store,
        psycopg.connect(host=str(pg_server.folder), user="postgres", dbname=name) as locker,
    ):
        locker.execute("LOCK TABLE ticket_counters IN ACCESS EXCLUSIVE MODE")  # held: no commit
        started = time.monotonic()
        with pytest.raises(DatabaseUnavailable, match="is unavailable"):
            store.issue_ticket(category="resident", letter="A", counter="2", visit_reference=None)
        assert time.monotonic() - started < 5
        locker.rollback()
