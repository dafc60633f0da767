"""QueueService on SQLite and PostgreSQL: issue, call, states, transfer, status, estimate."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kiosk.queue import QueueService, UnknownQueueItem
from kiosk.storage import Store, TicketStateConflict
from tests.storage.conftest import FakeClock


def test_issue_numbers_per_category_and_people_ahead(service: QueueService) -> None:
    a1 = service.issue("resident").ticket
    a2 = service.issue("resident").ticket
    b1 = service.issue("insurance").ticket
    p = service.issue("resident", priority=True).ticket
    assert [a1.code, a2.code, b1.code, p.code] == ["A-001", "A-002", "B-001", "A-003"]
    assert (a2.waiting_ahead, p.waiting_ahead) == (1, 0)  # a priority ticket skips normal ones
    assert a1.counter == "resident"
    with pytest.raises(UnknownQueueItem, match="known: children"):
        service.issue("nope")


def test_call_next_priority_first_but_bounded(service: QueueService) -> None:
    normal = service.issue("resident").ticket
    firsts = [service.issue("resident", priority=True).ticket for _ in range(3)]
    called = [service.call_next("resident") for _ in range(4)]
    codes = [t.code for t in called if t is not None]
    # max_passes=2: the normal ticket is passed twice, then called before the third.
    assert codes == [firsts[0].code, firsts[1].code, normal.code, firsts[2].code]
    assert service.call_next("resident") is None


def test_a_counter_calls_only_its_categories(service: QueueService) -> None:
    service.issue("insurance")
    assert service.call_next("resident") is None
    called = service.call_next("insurance")
    assert called is not None
    assert (called.code, called.status, called.called_by) == ("B-001", "called", "insurance")
    with pytest.raises(UnknownQueueItem):
        service.call_next("nowhere")


def test_states_are_timestamped_and_checked(
    service: QueueService, store: Store, clock: FakeClock
) -> None:
    ticket = service.issue("resident").ticket
    called = service.call_next("resident")
    assert called is not None
    clock.advance(timedelta(seconds=30))
    service.call_again(ticket.id, "resident")
    service.start(ticket.id, "resident")
    clock.advance(timedelta(minutes=4))
    done = service.done(ticket.id, "resident")
    assert done.status == "done"
    events = store.ticket_events(ticket.id)
    assert [(e.status, e.note) for e in events] == [
        ("waiting", "issued"),
        ("called", ""),
        ("called", "again"),
        ("serving", ""),
        ("done", ""),
    ]
    assert events[-1].at - events[0].at == timedelta(minutes=4, seconds=30)
    with pytest.raises(TicketStateConflict, match="A-001 is done"):
        service.start(ticket.id, "resident")


def test_no_show_and_late_call(service: QueueService) -> None:
    ticket = service.issue("resident").ticket
    service.call_next("resident")
    assert service.no_show(ticket.id, "resident").status == "no_show"
    assert service.call_ticket(ticket.id, "resident").status == "called"


def test_calling_a_specific_ticket_counts_as_passing(service: QueueService) -> None:
    first = service.issue("resident").ticket
    second = service.issue("resident").ticket
    service.call_ticket(second.id, "resident")
    assert service.store.waiting_tickets(["resident"])[0].passed == 1
    assert service.call_next("resident") == service.store.queue_ticket(first.id)


def test_transfer_keeps_place_and_priority(service: QueueService) -> None:
    waiting_b = service.issue("insurance").ticket
    moved = service.issue("resident", priority=True).ticket
    service.call_next("resident")
    service.start(moved.id, "resident")
    new = service.transfer(moved.id, "insurance", "resident")
    assert (new.code, new.priority, new.status) == ("B-002", True, "waiting")
    assert new.queued_at == moved.queued_at
    assert service.store.queue_ticket(moved.id).status == "transferred"
    called = service.call_next("insurance")
    assert called is not None
    assert called.id == new.id  # priority
    assert service.call_next("insurance") == service.store.queue_ticket(waiting_b.id)


def test_status_and_estimate_from_today(service: QueueService, clock: FakeClock) -> None:
    for _ in range(3):
        t = service.issue("resident").ticket
        service.call_next("resident")
        service.start(t.id, "resident")
        clock.advance(timedelta(minutes=4))
        service.done(t.id, "resident")
    service.issue("resident")
    service.issue("resident", priority=True)
    status = {s.category: s for s in service.status()}
    assert (status["resident"].waiting, status["resident"].waiting_priority) == (2, 1)
    assert status["resident"].estimated_wait_minutes == 8  # 2 × 4 min (today), 1 desk
    assert status["insurance"].estimated_wait_minutes == 0
    assert service.estimate_minutes("insurance", 2) == 24  # catalog's 12 min: no data today


def test_checkout_view_still_works(store: Store) -> None:
    ticket = store.issue_ticket(category="resident", letter="A", counter="3", visit_reference=None)
    assert (ticket.code, ticket.waiting_ahead) == ("A-001", 0)
    assert store.waiting_count("resident") == 1
