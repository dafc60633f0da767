"""Open and closed counters and kiosk heartbeats, stored on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import functools
import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from kiosk.storage import CounterState, HealthCheck, KioskHeartbeat, Store
from tests.keys import open_store
from tests.storage.conftest import FakeClock


@pytest.fixture
def db_url(any_db_url: str) -> str:
    """Every test here runs on SQLite and on PostgreSQL."""
    return any_db_url


CHECKS = (
    HealthCheck("card_reader", "ok", "Virtual PCD 00 00 is connected"),
    HealthCheck("forms_printer", "error", "queue forms: not found"),
)


# -- counters -------------------------------------------------------------------------


def test_a_counter_never_set_has_no_state(store: Store) -> None:
    assert store.counter_states() == {}


def test_closing_and_reopening_a_counter(store: Store, clock: FakeClock) -> None:
    closed = store.set_counter_open("resident", False, actor="staff:s001")
    assert closed == CounterState("resident", False, clock.now, "staff:s001")
    clock.advance(timedelta(minutes=5))
    store.set_counter_open("insurance", False, actor="staff:s001")
    reopened = store.set_counter_open("resident", True, actor="staff:s002")
    states = store.counter_states()
    assert list(states) == ["insurance", "resident"]
    assert states["resident"] == reopened == CounterState("resident", True, clock.now, "staff:s002")
    assert states["resident"].changed_at.tzinfo is not None
    assert not states["insurance"].open
    with pytest.raises(dataclasses.FrozenInstanceError):
        reopened.open = False  # type: ignore[misc]


def test_opening_and_closing_is_in_the_access_log(store: Store) -> None:
    store.set_counter_open("resident", False, actor="staff:s001")
    store.set_counter_open("resident", True, actor="staff:s002")
    events = store.access_events()
    assert [(e.action, e.actor, e.detail, e.visit_reference) for e in events] == [
        ("counter_opened", "staff:s002", "counter=resident", None),
        ("counter_closed", "staff:s001", "counter=resident", None),
    ]


def test_a_bad_counter_or_actor_stores_nothing(store: Store) -> None:
    with pytest.raises(ValueError, match="counter id must be 1 to 32"):
        store.set_counter_open("x" * 33, False, actor="staff:s001")
    with pytest.raises(ValueError, match="individual number"):
        store.set_counter_open("resident", False, actor="1234 5678 9012")
    assert store.counter_states() == {}
    assert store.access_events() == []


# -- heartbeats -----------------------------------------------------------------------


def test_heartbeat_round_trip_and_replacement(store: Store, clock: FakeClock) -> None:
    store.record_heartbeat("kiosk-2", CHECKS, version="1.4.0")
    store.record_heartbeat("kiosk-1", CHECKS[:1], version="1.3.9")
    clock.advance(timedelta(minutes=1))
    store.record_heartbeat("kiosk-2", CHECKS[:1], version="1.4.1")
    beats = store.kiosk_heartbeats()
    assert [b.kiosk_id for b in beats] == ["kiosk-1", "kiosk-2"]
    assert beats[1] == KioskHeartbeat("kiosk-2", clock.now, "1.4.1", CHECKS[:1])
    assert beats[0].at == clock.now - timedelta(minutes=1)
    assert beats[0].at.tzinfo is not None


def test_heartbeat_details_are_one_short_line_without_number_like_text(store: Store) -> None:
    checks = [
        HealthCheck("card_reader", "warning", "reader serial 1234-5678-9012\nsecond line"),
        HealthCheck("forms_printer", "ok", "x" * 500),
    ]
    store.record_heartbeat("kiosk-1", checks, version="1")
    [beat] = store.kiosk_heartbeats()
    assert beat.checks[0].detail == "reader serial ############ second line"
    assert len(beat.checks[1].detail) == 200
    with pytest.raises(ValueError, match="kiosk id"):
        store.record_heartbeat("k" * 65, checks, version="1")
    with pytest.raises(ValueError, match="version"):
        store.record_heartbeat("kiosk-1", checks, version="v" * 33)


def test_heartbeat_worst_and_stale(store: Store, clock: FakeClock) -> None:
    with pytest.raises(ValueError, match="expected one of ok, warning, error"):
        HealthCheck("card_reader", "fine", "")  # type: ignore[arg-type]
    store.record_heartbeat("kiosk-1", CHECKS, version="1")
    store.record_heartbeat("kiosk-2", CHECKS[:1], version="1")
    store.record_heartbeat("kiosk-3", [], version="1")
    worst = {b.kiosk_id: b.worst for b in store.kiosk_heartbeats()}
    assert worst == {"kiosk-1": "error", "kiosk-2": "ok", "kiosk-3": "ok"}
    beat = store.kiosk_heartbeats()[0]
    assert not beat.stale(clock.now + timedelta(seconds=180), interval_seconds=60)
    assert beat.stale(clock.now + timedelta(seconds=181), interval_seconds=60)


# -- two processes at once ------------------------------------------------------------


def _race(actions: list[Callable[[], object]]) -> list[BaseException]:
    """Run every action at the same moment on its own thread; return what they raised."""
    barrier = threading.Barrier(len(actions))
    errors: list[BaseException] = []

    def run(action: Callable[[], object]) -> None:
        barrier.wait()
        try:
            action()
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)

    threads = [threading.Thread(target=run, args=(a,)) for a in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return errors


def test_two_stores_writing_the_same_rows_at_once(
    store: Store, db_url: str, key_file: Path, clock: FakeClock
) -> None:
    with open_store(db_url, key_file, clock=clock) as other:
        for i in range(15):
            counter, kiosk = f"c{i}", f"kiosk-{i}"
            errors = _race(
                [
                    functools.partial(store.set_counter_open, counter, False, actor="staff:a"),
                    functools.partial(other.set_counter_open, counter, True, actor="staff:b"),
                    functools.partial(store.record_heartbeat, kiosk, CHECKS, version="a"),
                    functools.partial(other.record_heartbeat, kiosk, CHECKS[:1], version="b"),
                ]
            )
            assert errors == []
    assert len(store.counter_states()) == 15
    assert len(store.kiosk_heartbeats()) == 15
    assert len(store.access_events(limit=100)) == 30
