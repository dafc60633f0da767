"""Staff calls ("職員を呼ぶ", revision 0012) on SQLite and PostgreSQL, the watcher that
hears of them, the grants of each role, and the visit's "details to correct" flag."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from psycopg import errors

from kiosk.staff_calls import open_staff_call_watch
from kiosk.storage import Store
from kiosk.storage.database import PermissionDenied
from kiosk.visit import Visit
from tests.keys import open_store
from tests.storage.test_roles_postgres import (  # noqa: F401 (fixtures)
    WardDatabase,
    board,
    counter,
    kiosk,
    ward,
)


@pytest.fixture
def any_store(any_db_url: str, key_file: Path) -> Iterator[Store]:
    with open_store(any_db_url, key_file) as opened:
        yield opened


def test_a_call_is_listed_until_acknowledged_and_the_ack_is_logged(any_store: Store) -> None:
    any_store.raise_staff_call(kiosk_id="kita-1f-02", screen="pin", language="en")
    (call,) = any_store.open_staff_calls()
    assert (call.kiosk_id, call.screen, call.language) == ("kita-1f-02", "pin", "en")
    assert 0 <= call.seconds_ago < 60 and call.acknowledged_at is None

    assert any_store.acknowledge_staff_call(call.id, actor="staff:SV01")
    assert any_store.open_staff_calls() == []
    assert not any_store.acknowledge_staff_call(call.id, actor="staff:S001")  # already done
    (entry,) = [e for e in any_store.access_events(limit=5) if e.action.startswith("staff_call")]
    assert (entry.actor, entry.action) == ("staff:SV01", "staff_call_acknowledged")
    assert entry.detail == f"call={call.id} kiosk=kita-1f-02"


def test_a_call_takes_only_machine_names(any_store: Store) -> None:
    with pytest.raises(ValueError, match="screen"):
        any_store.raise_staff_call(kiosk_id="k1", screen="大阪 太郎", language="ja")
    assert any_store.open_staff_calls() == []


def test_the_watch_hears_a_call_and_its_acknowledgement(any_store: Store) -> None:
    heard = threading.Semaphore(0)
    watch = open_staff_call_watch(any_store, heard.release)
    try:
        any_store.raise_staff_call(kiosk_id="k1", screen="welcome", language="ja")
        assert heard.acquire(timeout=2)
        call = any_store.open_staff_calls()[0]
        any_store.acknowledge_staff_call(call.id, actor="staff:SV01")
        assert heard.acquire(timeout=2)
    finally:
        watch.close()


def test_the_details_to_correct_flag_is_stored_with_the_visit(any_store: Store) -> None:
    visit = Visit(language="ja", details_to_correct=True)
    reference = any_store.save_visit(visit, kiosk_id="k1", status="completed")
    assert any_store.load_visit(reference).details_to_correct
    plain = any_store.save_visit(Visit(language="ja"), kiosk_id="k1", status="completed")
    assert not any_store.load_visit(plain).details_to_correct


# -- the grants (PostgreSQL roles) -----------------------------------------------------


def test_the_kiosk_raises_a_call_but_cannot_read_or_acknowledge_one(
    kiosk: Store,  # noqa: F811
    counter: Store,  # noqa: F811
) -> None:
    kiosk.raise_staff_call(kiosk_id="kiosk-1", screen="question", language="ko")
    raised = [c for c in counter.open_staff_calls() if c.screen == "question"]
    assert raised and raised[-1].kiosk_id == "kiosk-1"
    with pytest.raises(PermissionDenied, match="permission denied for table staff_calls"):
        kiosk.open_staff_calls()
    with pytest.raises(PermissionDenied, match="permission denied for table staff_calls"):
        kiosk.acknowledge_staff_call(raised[-1].id, actor="kiosk:kiosk-1")
    assert counter.acknowledge_staff_call(raised[-1].id, actor="staff:SV01")


def test_the_board_reads_calls_but_cannot_acknowledge_them(
    kiosk: Store,  # noqa: F811
    board: Store,  # noqa: F811
) -> None:
    kiosk.raise_staff_call(kiosk_id="kiosk-2", screen="done", language="ja")
    call = next(c for c in board.open_staff_calls() if c.kiosk_id == "kiosk-2")
    with pytest.raises(PermissionDenied):
        board.acknowledge_staff_call(call.id, actor="board")


@pytest.mark.parametrize(
    ("role", "sql"),
    [
        ("kiosk", "SELECT * FROM staff_calls"),
        ("kiosk", "UPDATE staff_calls SET acknowledged_by = 'x'"),
        ("kiosk", "DELETE FROM staff_calls"),
        ("board", "UPDATE staff_calls SET acknowledged_by = 'x'"),
        (
            "board",
            "INSERT INTO staff_calls (kiosk_id, screen, language, raised_at) "
            "VALUES ('k', 's', 'ja', now())",
        ),
        ("counter", "DELETE FROM staff_calls"),
    ],
)
def test_what_a_role_may_not_do_with_staff_calls(
    ward: WardDatabase,  # noqa: F811
    role: str,
    sql: str,
) -> None:
    with ward.connect(ward.logins[role]) as conn, pytest.raises(errors.InsufficientPrivilege):
        conn.execute(sql)


def test_a_call_reaches_a_listening_counter_quickly_on_postgresql(
    kiosk: Store,  # noqa: F811
    counter: Store,  # noqa: F811
) -> None:
    heard = threading.Event()
    watch = open_staff_call_watch(counter, heard.set)
    try:
        started = time.monotonic()
        kiosk.raise_staff_call(kiosk_id="kiosk-3", screen="pin", language="ja")
        assert heard.wait(2), "no notification within 2 s"
        assert time.monotonic() - started < 2
    finally:
        watch.close()
