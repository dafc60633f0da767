"""The web's role (``ward_web``) on the real PostgreSQL: it saves pre-entries and reads
the queue, and the database refuses it everything else: visits, a pre-entry's payload,
changing a ticket. Set up like every role, through the installed command."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from psycopg import errors

from kiosk.catalog import Catalog
from kiosk.config import Settings
from kiosk.pre_entry import HomeDetails, PreEntry
from kiosk.queue import QueueRules, QueueService
from kiosk.storage import Store
from kiosk.storage.for_web import WebStore, expiry
from tests.storage.test_roles_postgres import (
    WARD_KIOSK,
    WardDatabase,
    counter,  # noqa: F401 (fixtures)
    kiosk,  # noqa: F401
    ward,  # noqa: F401
)


@pytest.fixture
def web(ward: WardDatabase) -> Iterator[WebStore]:  # noqa: F811
    rules = QueueRules(Catalog.load(), Settings().counters)
    with WebStore.for_web(ward.target("web"), rules, pre_entry_days=14) as store:
        yield store


REFUSED = [
    "SELECT * FROM visits",
    "SELECT payload FROM pre_entries",
    "SELECT id FROM pre_entries",
    "SELECT count(*) FROM pre_entries",
    "UPDATE pre_entries SET used_at = NULL",
    "DELETE FROM pre_entries",
    "UPDATE tickets SET status = status",
    "INSERT INTO tickets DEFAULT VALUES",
    "DELETE FROM tickets",
    "INSERT INTO ticket_events DEFAULT VALUES",
    "SELECT * FROM access_log",
    "SELECT * FROM staff",
    "SELECT * FROM data_keys",
    "SELECT * FROM ward_keys",
    "SELECT * FROM kiosk_heartbeats",
    "SELECT * FROM staff_calls",
]


@pytest.mark.parametrize("sql", REFUSED)
def test_the_web_is_refused_by_the_database(ward: WardDatabase, sql: str) -> None:  # noqa: F811
    with ward.connect(ward.logins["web"]) as conn, pytest.raises(errors.InsufficientPrivilege):
        conn.execute(sql)


def test_the_board_cannot_read_pre_entries(ward: WardDatabase) -> None:  # noqa: F811
    with ward.connect(ward.logins["board"]) as conn, pytest.raises(errors.InsufficientPrivilege):
        conn.execute("SELECT payload FROM pre_entries")


def test_the_web_saves_and_the_kiosk_prints_once(
    web: WebStore,
    kiosk: Store,  # noqa: F811
    counter: Store,  # noqa: F811
) -> None:
    now = web.now()
    entry = PreEntry("en", [("purpose", "move_in")], ["juminhyo"], HomeDetails("Ana"), now, now)
    code = web.save_pre_entry(entry)
    assert entry.expires_at == expiry(entry.created_at, 14)
    assert kiosk.load_pre_entry(code, source="kiosk-1") == entry
    kiosk.mark_pre_entry_used(code, kiosk_id="kiosk-1")
    counter.release_pre_entry(code)
    assert counter.load_pre_entry(code, source="counter:2").used_at is None
    kiosk.purge_personal_data(timedelta(days=7))  # the kiosk may delete expired ones
    counter.purge_expired_pre_entries()


def test_the_web_follows_a_ticket_and_the_waits(
    web: WebStore,
    kiosk: Store,  # noqa: F811
    counter: Store,  # noqa: F811
) -> None:
    rules = QueueRules(Catalog.load(), Settings().counters)
    issued = QueueService(kiosk, rules.catalog, rules.counters).issue("children").ticket
    status = web.ticket_status(issued.token)
    assert status is not None and (status.code, status.status) == (issued.code, "waiting")
    assert web.waits().categories["children"].waiting >= 1
    assert web.last_queue_event_id() >= 1
    assert any(e.ticket_id == issued.id for e in web.queue_events_after(0, limit=10_000))


def test_db_roles_creates_a_web_login(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")
    done = subprocess.run(
        [WARD_KIOSK, "db", "roles", "--login", "koto_web=web", "--config", str(config)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert 'CREATE ROLE "ward_web" NOLOGIN;' in done.stdout.splitlines()
    assert 'GRANT "ward_web" TO "koto_web";' in done.stdout.splitlines()
