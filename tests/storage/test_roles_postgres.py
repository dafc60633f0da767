"""Least-privilege roles on the real PostgreSQL: IT creates the roles and runs
``ward-kiosk db upgrade`` as the migration role (both through the installed command),
then each process connects as its own LOGIN role. Whatever a role must not do fails at
the database (SQLSTATE 42501), and what its process needs works through the real code."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from psycopg import errors
from sqlalchemy import make_url

from kiosk.catalog import Catalog
from kiosk.config import Settings
from kiosk.doctor_database import role_check
from kiosk.person import Person
from kiosk.queue import QueueService, open_events
from kiosk.storage import QueueEvent, Store, create_kiosk_engine
from kiosk.storage.data_keys import Keyring
from kiosk.storage.database import DatabaseTarget, PermissionDenied
from kiosk.storage.roles import APP_ROLES, GROUP_ROLES, AppRole, RoleRights, role_rights
from kiosk.storage.schema import RoleRightsMissing
from kiosk.visit import Visit
from tests.keys import counter_keys, kiosk_keys
from tests.pg_server import PgServer

WARD_KIOSK = str(Path(sys.executable).with_name("ward-kiosk"))
_RUNS = itertools.count(1)
CATEGORY = COUNTER = "resident"


@dataclass(frozen=True)
class WardDatabase:
    server: PgServer
    url: str  # the migration role's URL
    logins: dict[AppRole, str]
    keys: Path  # the ward's private key file (counter PCs)

    def url_as(self, user: str) -> str:
        return make_url(self.url).set(username=user).render_as_string(hide_password=False)

    def target(self, role: AppRole, user: str | None = None) -> DatabaseTarget:
        return DatabaseTarget.parse(self.url_as(user or self.logins[role]), role=role)

    def connect(self, user: str) -> psycopg.Connection[tuple[object, ...]]:
        name = make_url(self.url).database
        return psycopg.connect(
            host=str(self.server.folder), user=user, dbname=name, autocommit=True
        )


def ward_kiosk(*args: str, config: Path) -> dict[str, object]:
    done = subprocess.run(
        [WARD_KIOSK, *args, "--config", str(config)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1]) if done.stdout.startswith("{") else {}


@pytest.fixture(scope="module")
def ward(pg_server: PgServer, tmp_path_factory: pytest.TempPathFactory) -> WardDatabase:
    """Roles, database and schema as the docs tell IT to set them up."""
    folder = tmp_path_factory.mktemp("ward")
    config = folder / "config.toml"
    config.write_text("", encoding="utf-8")
    run = f"{os.getpid()}_{next(_RUNS)}"
    logins: dict[AppRole, str] = {role: f"{role}_pc_{run}" for role in APP_ROLES}
    migrator = f"ward_migrate_{run}"
    admin = pg_server.url("postgres")
    members = [f"--login={name}={role}" for role, name in logins.items()]
    ward_kiosk("db", "roles", "--create", "--url", admin, *members, config=config)
    with psycopg.connect(host=str(pg_server.folder), user="postgres", autocommit=True) as conn:
        conn.execute(f'CREATE ROLE "{migrator}" LOGIN')  # names made above
    url = make_url(pg_server.create_database("ward", owner=migrator)).set(username=migrator)
    migration_url = url.render_as_string(hide_password=False)
    report = ward_kiosk("db", "upgrade", "--url", migration_url, config=config)
    assert report["grants"] == "applied" and report["revision_before"] == []
    ward = WardDatabase(pg_server, migration_url, logins, folder / "ward-key.pem")
    Store.open(ward.target("counter"), counter_keys(ward.keys), register_key=True).close()
    return ward


@pytest.fixture
def kiosk(ward: WardDatabase) -> Iterator[Store]:
    with Store.open(ward.target("kiosk"), kiosk_keys(ward.keys), creator="kiosk-1") as store:
        yield store


@pytest.fixture
def counter(ward: WardDatabase) -> Iterator[Store]:
    with Store.open(ward.target("counter"), counter_keys(ward.keys)) as store:
        yield store


@pytest.fixture
def board(ward: WardDatabase) -> Iterator[Store]:
    with Store.open(ward.target("board"), Keyring()) as store:
        yield store


def _queue(store: Store) -> QueueService:
    return QueueService(store, Catalog.load(), Settings().counters)


def _visit(person: Person) -> Visit:
    return Visit(language="ja", person=person, used_card=True, procedures=["juminhyo"])


# -- what each role must not do: refused by the database ------------------------------

FORBIDDEN = [
    ("board", "SELECT * FROM visits"),
    ("board", "SELECT count(*) FROM access_log"),
    ("board", "SELECT * FROM staff"),
    ("board", "SELECT * FROM data_keys"),
    ("board", "INSERT INTO tickets DEFAULT VALUES"),
    ("board", "UPDATE tickets SET status = status"),
    ("kiosk", "SELECT * FROM access_log"),
    ("kiosk", "SELECT id FROM access_log"),
    ("kiosk", "UPDATE access_log SET detail = ''"),
    ("kiosk", "DELETE FROM access_log"),
    ("kiosk", "SELECT * FROM staff"),
    ("kiosk", "DELETE FROM visits"),
    ("kiosk", "INSERT INTO ward_keys DEFAULT VALUES"),
    ("counter", "UPDATE access_log SET detail = ''"),
    ("counter", "DELETE FROM access_log"),
    ("counter", "DELETE FROM visits"),
    ("counter", "DELETE FROM tickets"),
]
DDL = [
    "CREATE TABLE intruder (id int)",
    "CREATE TEMP TABLE intruder (id int)",
    "CREATE SCHEMA intruder",
    "CREATE VIEW intruder AS SELECT 1 AS one",
    "ALTER TABLE visits ADD COLUMN intruder int",
    "ALTER TABLE access_log DISABLE TRIGGER USER",
    "DROP TABLE tickets",
    "CREATE INDEX intruder ON tickets (code)",
    "TRUNCATE ticket_events",
    "COMMENT ON TABLE visits IS 'changed'",
]


@pytest.mark.parametrize(("role", "sql"), FORBIDDEN)
def test_a_role_is_refused_by_the_database(ward: WardDatabase, role: AppRole, sql: str) -> None:
    with ward.connect(ward.logins[role]) as conn, pytest.raises(errors.InsufficientPrivilege):
        conn.execute(sql)


@pytest.mark.parametrize("sql", DDL)
@pytest.mark.parametrize("role", APP_ROLES)
def test_no_app_role_can_change_the_schema(ward: WardDatabase, role: AppRole, sql: str) -> None:
    with ward.connect(ward.logins[role]) as conn, pytest.raises(errors.InsufficientPrivilege):
        conn.execute(sql)


def test_the_migration_role_owns_the_schema(ward: WardDatabase) -> None:
    migrator = make_url(ward.url).username
    with ward.connect(ward.logins["kiosk"]) as conn:
        owners = conn.execute(
            "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'"
        )
        assert [row[0] for row in owners] == [migrator]
    rights = _rights(ward, "kiosk", migrator)
    assert "owns table visits" in rights.ddl
    assert role_check(rights).status == "error"


# -- what each process needs: the real code paths, as its role ----------------------------


def test_a_kiosk_stores_a_visit_issues_a_ticket_and_logs(kiosk: Store, person: Person) -> None:
    reference = kiosk.save_visit(_visit(person), kiosk_id="kiosk-1", status="in_progress")
    issued = _queue(kiosk).issue(CATEGORY, visit_reference=reference)
    visit = _visit(person)
    visit.reference = reference
    kiosk.save_visit(visit, kiosk_id="kiosk-1", status="completed")
    kiosk.log_access(actor="kiosk:kiosk-1", action="card_read", visit_reference=reference)
    kiosk.record_heartbeat("kiosk-1", [], version="test")
    kiosk.purge_personal_data(timedelta(days=7))
    assert issued.ticket.category == CATEGORY
    with pytest.raises(PermissionDenied) as caught:
        kiosk.access_events(limit=5)  # the kiosk appends to the log, never reads it
    assert isinstance(getattr(caught.value.__cause__, "orig", None), errors.InsufficientPrivilege)


def test_a_counter_calls_the_ticket_and_opens_the_visit(
    kiosk: Store, counter: Store, person: Person
) -> None:
    reference = kiosk.save_visit(_visit(person), kiosk_id="kiosk-1", status="completed")
    issued = _queue(kiosk).issue(CATEGORY, visit_reference=reference)
    called = _queue(counter).call_next(COUNTER)
    while called is not None and called.id != issued.ticket.id:  # earlier tests' tickets
        called = _queue(counter).call_next(COUNTER)
    assert called is not None and called.status == "called"
    assert counter.load_visit(reference).person == person
    counter.log_access(actor="staff:s1", action="visit_opened", visit_reference=reference)
    assert counter.access_events(visit_reference=reference, limit=1)[0].action == "visit_opened"
    _queue(counter).set_counter_open(COUNTER, True, actor="staff:s1")


def test_the_board_reads_the_waits_and_hears_the_calls(
    kiosk: Store, counter: Store, board: Store
) -> None:
    heard: list[QueueEvent] = []
    got = threading.Event()
    events = open_events(board)  # LISTEN, on the board role's own connection
    events.subscribe(lambda event: (heard.append(event), got.set()))
    try:
        issued = _queue(kiosk).issue(CATEGORY)
        status = {s.category: s for s in _queue(board).status()}
        assert status[CATEGORY].waiting >= 1
        assert got.wait(5) and any(e.ticket_id == issued.ticket.id for e in heard)
    finally:
        events.close()


def test_the_board_cannot_open_a_visit(kiosk: Store, board: Store, person: Person) -> None:
    reference = kiosk.save_visit(_visit(person), kiosk_id="kiosk-1", status="completed")
    with pytest.raises(PermissionDenied, match="permission denied for table visits"):
        board.load_visit(reference)


# -- start-up and doctor's checks --------------------------------------------------------


def test_each_login_has_its_roles_rights_and_no_more(ward: WardDatabase) -> None:
    for role, login in ward.logins.items():
        rights = _rights(ward, role, login)
        assert (rights.missing, rights.extra, rights.ddl) == ((), (), ()), role
        assert role_check(rights).status == "ok"


def test_a_process_whose_user_lacks_its_rights_does_not_start(ward: WardDatabase) -> None:
    board_user = ward.logins["board"]
    with pytest.raises(RoleRightsMissing, match=f"GRANT {GROUP_ROLES['counter']} TO {board_user}"):
        Store.open(ward.target("counter", board_user), Keyring())


def _rights(ward: WardDatabase, role: AppRole, user: str) -> RoleRights:
    engine = create_kiosk_engine(ward.url_as(user))
    try:
        with engine.connect() as conn:
            return role_rights(conn, role)
    finally:
        engine.dispose()


def test_doctor_checks_the_connection_schema_and_role(ward: WardDatabase) -> None:
    from kiosk.doctor_database import database_access_checks

    url = ward.url_as(ward.logins["board"])
    settings = Settings.model_validate({"database": {"url": url, "role": "board"}})
    checks = {c.check: c for c in database_access_checks(settings)}
    assert {name: c.status for name, c in checks.items()} == {
        "database_connection": "ok",
        "database_schema": "ok",
        "database_role": "ok",
    }
    assert "cannot change the schema" in checks["database_role"].detail
    as_counter = Settings.model_validate({"database": {"url": url, "role": "counter"}})
    role = {c.check: c for c in database_access_checks(as_counter)}["database_role"]
    assert role.status == "error" and "lacks INSERT on access_log" in role.detail


def test_db_upgrade_as_an_app_role_is_refused(ward: WardDatabase, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")
    url = ward.url_as(ward.logins["counter"])
    done = subprocess.run(
        [WARD_KIOSK, "db", "upgrade", "--url", url, "--config", str(config)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert f"user {ward.logins['counter']} does not own" in done.stderr
    assert "migration_url" in done.stderr
