"""The access log records who did what with which visit, newest first, without personal data."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from kiosk.storage import AccessEvent, Store
from kiosk.storage.store import create_kiosk_engine
from kiosk.visit import Visit
from tests.keys import open_store


@pytest.fixture
def db_url(any_db_url: str) -> str:
    """Every test here runs on SQLite and on PostgreSQL."""
    return any_db_url


def _save(store: Store) -> str:
    return store.save_visit(Visit(language="ja"), kiosk_id="kiosk-1", status="in_progress")


def test_log_access_round_trip(store: Store, clock: Any) -> None:
    reference = _save(store)
    before = datetime.now(UTC)
    store.log_access(
        actor="kiosk:kiosk-1",
        action="individual_number_read",
        visit_reference=reference,
        detail="procedure=kokuho",
    )
    [event] = store.access_events()
    assert isinstance(event, AccessEvent)
    assert event.actor == "kiosk:kiosk-1"
    assert event.action == "individual_number_read"
    assert event.visit_reference == reference
    assert event.detail == "procedure=kokuho"
    # Timed by the database server (for SQLite, this machine), not the store's clock.
    assert before <= event.at <= datetime.now(UTC)
    assert event.at != clock.now
    assert event.at.tzinfo is not None
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.detail = "changed"  # type: ignore[misc]


def test_events_are_newest_first(store: Store, clock: Any) -> None:
    reference = _save(store)
    store.log_access(actor="kiosk:k", action="visit_opened", visit_reference=reference)
    clock.advance(timedelta(minutes=1))
    store.log_access(actor="kiosk:k", action="individual_number_read", visit_reference=reference)
    store.log_access(actor="staff:0042", action="visit_closed", visit_reference=reference)
    clock.advance(timedelta(minutes=1))
    store.log_access(actor="kiosk:k", action="purge_run", visit_reference=None, detail="n=3")
    actions = [event.action for event in store.access_events()]
    # Same time: the later entry (higher id) comes first.
    assert actions == ["purge_run", "visit_closed", "individual_number_read", "visit_opened"]
    times = [event.at for event in store.access_events()]
    assert times == sorted(times, reverse=True)


def test_events_by_visit_and_limit(store: Store, clock: Any) -> None:
    first, second = _save(store), _save(store)
    for i in range(5):
        clock.advance(timedelta(seconds=1))
        store.log_access(
            actor="kiosk:k", action="visit_opened", visit_reference=first, detail=f"#{i}"
        )
        store.log_access(actor="kiosk:k", action="visit_opened", visit_reference=second)
    mine = store.access_events(visit_reference=f" {first.lower()} ")
    assert [e.detail for e in mine] == ["#4", "#3", "#2", "#1", "#0"]
    assert {e.visit_reference for e in mine} == {first}
    assert [e.detail for e in store.access_events(visit_reference=first, limit=2)] == ["#4", "#3"]
    assert len(store.access_events(limit=3)) == 3
    assert len(store.access_events()) == 10
    assert store.access_events(visit_reference="NONE2345") == []
    with pytest.raises(ValueError, match="limit"):
        store.access_events(limit=0)


def test_unknown_reference_is_still_logged(store: Store) -> None:
    store.log_access(actor="staff:0042", action="visit_lookup_failed", visit_reference="zzzz9999")
    [event] = store.access_events(visit_reference="ZZZZ9999")
    assert event.visit_reference == "ZZZZ9999"


def test_entry_is_linked_to_the_visit_and_survives_its_deletion(store: Store, db_url: str) -> None:
    reference = _save(store)
    store.log_access(actor="kiosk:k", action="visit_opened", visit_reference=reference)
    engine = create_kiosk_engine(db_url)  # foreign keys on, as in the kiosk
    try:
        with engine.begin() as conn:
            linked = conn.execute(
                text(
                    "SELECT count(*) FROM access_log a JOIN visits v ON a.visit_id = v.id "
                    "WHERE v.reference = :r"
                ),
                {"r": reference},
            ).scalar_one()
            assert linked == 1
            conn.execute(text("DELETE FROM visits WHERE reference = :r"), {"r": reference})
            assert conn.execute(text("SELECT visit_id FROM access_log")).scalar_one() is None
    finally:
        engine.dispose()
    [event] = store.access_events(visit_reference=reference)
    assert event.action == "visit_opened"


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"actor": ""}, "actor"),
        ({"actor": "x" * 101}, "actor"),
        ({"action": ""}, "action"),
        ({"action": "Individual Number Read"}, "action"),
        ({"action": "a" * 65}, "action"),
        ({"detail": "d" * 201}, "detail"),
        ({"visit_reference": "R" * 17}, "reference"),
        ({"detail": "number=123456789018"}, "individual number"),
        ({"detail": "1234 5678 9018"}, "individual number"),
        ({"actor": "staff:123456789018"}, "individual number"),
        ({"visit_reference": "123456789018"}, "individual number"),
    ],
)
def test_invalid_entries_are_refused_without_echo(
    store: Store, changes: dict[str, str], match: str
) -> None:
    entry = {"actor": "kiosk:k", "action": "visit_opened", "visit_reference": None, "detail": ""}
    entry.update(changes)
    with pytest.raises(ValueError, match=match) as caught:
        store.log_access(**entry)  # type: ignore[arg-type]
    assert "123456789018" not in str(caught.value)
    assert store.access_events() == []


def test_ordinary_details_with_digits_are_allowed(store: Store) -> None:
    store.log_access(
        actor="kiosk:koto-1f-01",
        action="ticket.issued",
        visit_reference=None,
        detail="ticket=A-012 day=2024-04-01 took_ms=12345",
    )
    assert store.access_events()[0].detail.startswith("ticket=A-012")


def test_log_survives_reopening(db_url: str, key_file: Path) -> None:
    with open_store(db_url, key_file) as store:
        store.log_access(actor="kiosk:k", action="visit_opened", visit_reference=None)
    with open_store(db_url, key_file) as store:
        assert [e.action for e in store.access_events()] == ["visit_opened"]
