"""Closed counters leave the waiting-time estimate; on SQLite and PostgreSQL.

The shipped catalog sends each category to one counter, so these tests move one
resident procedure to a second counter, "annex": residents are then served at two
counters of one desk each.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from kiosk.catalog import Catalog
from kiosk.config import CounterSettings, Settings
from kiosk.queue import CounterOverview, QueueService, UnknownQueueItem
from kiosk.storage import Store
from tests.storage.conftest import FakeClock


@pytest.fixture
def two_counters(catalog: Catalog) -> Catalog:
    first = next(p for p in catalog.procedures if p.category == "resident")
    procedures = tuple(
        dataclasses.replace(p, counter="annex") if p is first else p for p in catalog.procedures
    )
    return dataclasses.replace(catalog, procedures=procedures)


@pytest.fixture
def service(store: Store, two_counters: Catalog) -> QueueService:
    counters = {**Settings().counters, "annex": CounterSettings(number="3", desks=1)}
    return QueueService(store, two_counters, counters)


def test_closing_a_counter_raises_the_estimate_and_reopening_restores_it(
    service: QueueService,
) -> None:
    assert service.desks("resident") == 2
    # 4 ahead x 10 minutes at 2 desks
    assert service.estimate_minutes("resident", 4) == 20
    service.set_counter_open("annex", False, actor="staff:s001")
    assert service.desks("resident") == 1
    assert service.estimate_minutes("resident", 4) == 40
    assert service.desks("insurance") == 1  # other categories are untouched
    service.set_counter_open("annex", True, actor="staff:s001")
    assert service.desks("resident") == 2
    assert service.estimate_minutes("resident", 4) == 20


def test_the_estimate_on_issued_tickets_and_the_status_follow_closing(
    service: QueueService,
) -> None:
    for _ in range(4):
        service.issue("resident")
    assert service.issue("resident").estimated_wait_minutes == 20
    service.set_counter_open("annex", False, actor="staff:s001")
    assert service.issue("resident").estimated_wait_minutes == 50  # 5 ahead, 1 desk
    resident = next(s for s in service.status() if s.category == "resident")
    assert resident.estimated_wait_minutes == 60


def test_every_counter_closed_still_divides_by_one(service: QueueService) -> None:
    service.set_counter_open("annex", False, actor="staff:s001")
    service.set_counter_open("resident", False, actor="staff:s001")
    assert service.desks("resident") == 1
    assert service.estimate_minutes("resident", 3) == 30


def test_unknown_counters_are_refused(service: QueueService, store: Store) -> None:
    with pytest.raises(UnknownQueueItem, match="unknown counter 'nowhere'; known: annex"):
        service.set_counter_open("nowhere", False, actor="staff:s001")
    assert store.counter_states() == {}


def test_the_overview_lists_every_counter(
    service: QueueService, store: Store, clock: FakeClock
) -> None:
    before = service.counters_overview()
    assert [c.counter for c in before] == [
        "annex",
        "children",
        "information",
        "insurance",
        "resident",
    ]
    assert all(c.open and c.changed_at is None and c.changed_by is None for c in before)
    clock.advance(timedelta(minutes=3))
    service.set_counter_open("annex", False, actor="staff:s042")
    annex, *_, resident = service.counters_overview()
    assert annex == CounterOverview("annex", 1, False, clock.now, "staff:s042", ("resident",))
    assert resident.categories == ("resident",)
    assert resident.open and resident.desks == 1
    assert [(e.action, e.detail) for e in store.access_events()] == [
        ("counter_closed", "counter=annex")
    ]
