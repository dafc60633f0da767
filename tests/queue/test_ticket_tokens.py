"""Every ticket's phone-page token, and the web's view of the queue (``WebStore``), on
SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import event

from kiosk.catalog import Catalog
from kiosk.config import Settings
from kiosk.queue import QueueRules, QueueService
from kiosk.storage import Store
from kiosk.storage.for_web import WebStore
from tests.storage.conftest import FakeClock


@pytest.fixture
def web(store: Store, db_url: str, catalog: Catalog, clock: FakeClock) -> Iterator[WebStore]:
    rules = QueueRules(catalog, Settings().counters, max_passes=2)
    with WebStore.for_web(db_url, rules, clock=clock) as opened:
        yield opened


def test_every_issued_ticket_has_its_own_22_character_token(
    service: QueueService, store: Store
) -> None:
    issued = [service.issue("resident").ticket for _ in range(20)]
    issued.append(store.issue_queue_ticket(category="insurance", letter="B", counter="insurance"))
    view = store.issue_ticket(
        category="children", letter="C", counter="children", visit_reference=None
    )
    tokens = [t.token for t in issued] + [view.token]
    assert len(set(tokens)) == len(tokens)
    assert all(len(t) == 22 and t.isascii() and "/" not in t and "+" not in t for t in tokens)
    assert store.queue_ticket(issued[0].id).token == issued[0].token


def test_a_transferred_ticket_keeps_its_phone_page(service: QueueService, web: WebStore) -> None:
    ticket = service.issue("resident").ticket
    service.call_next("resident")
    moved = service.transfer(ticket.id, "insurance", "resident")
    assert moved.token == ticket.token
    status = web.ticket_status(ticket.token)
    assert status is not None and (status.code, status.status) == (moved.code, "waiting")


def test_the_phone_page_follows_waiting_called_done(
    service: QueueService, web: WebStore, clock: FakeClock
) -> None:
    first = service.issue("resident").ticket
    mine = service.issue("resident").ticket
    waiting = web.ticket_status(mine.token)
    assert waiting is not None
    assert (waiting.code, waiting.category, waiting.status) == ("A-002", "resident", "waiting")
    assert waiting.ahead == 1
    assert waiting.estimated_minutes == service.estimate_minutes("resident", 1) > 0
    assert (waiting.counter_number, waiting.issued_at) == ("", mine.issued_at)
    service.call_next("resident")
    service.call_next("resident")
    called = web.ticket_status(mine.token)
    assert called is not None
    assert (called.status, called.ahead, called.estimated_minutes) == ("called", 0, 0)
    assert called.counter_number == Settings().counters["resident"].number
    service.start(mine.id, "resident")
    service.done(mine.id, "resident")
    done = web.ticket_status(mine.token)
    assert done is not None and (done.status, done.counter_number) == ("done", "")
    assert web.ticket_status("no-such-token") is None
    clock.advance(timedelta(days=1))
    assert web.ticket_status(first.token) is None  # only today's tickets


def test_ahead_counts_the_calling_order(service: QueueService, web: WebStore) -> None:
    normal = service.issue("resident").ticket
    priority = service.issue("resident", priority=True).ticket
    other = service.issue("insurance").ticket
    views = web.statuses([normal.token, priority.token, other.token])
    assert (views[priority.token].ahead, views[normal.token].ahead) == (0, 1)
    assert views[other.token].ahead == 0


def test_statuses_of_many_followers_take_a_few_queries(
    service: QueueService, web: WebStore
) -> None:
    tickets = [service.issue(c).ticket for c in ("resident", "insurance") * 120]
    for _ in range(5):
        service.call_next("resident")
    statements: list[str] = []
    event.listen(web.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    views = web.statuses([t.token for t in tickets] + ["unknown"])
    assert len(views) == len(tickets)
    queries = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(queries) <= 4, queries
    by_code = {v.code: v for v in views.values()}
    assert by_code["A-006"].ahead == 0 and by_code["A-120"].ahead == 114
    assert sum(v.status == "called" for v in views.values()) == 5


def test_waits_count_each_category_and_the_hours(
    service: QueueService, web: WebStore, clock: FakeClock
) -> None:
    empty = web.waits()
    assert empty.issued_by_hour == {}
    assert empty.categories["resident"].waiting == 0
    assert empty.categories["resident"].estimated_minutes == 0
    service.issue("resident")
    clock.advance(timedelta(hours=1))
    service.issue("resident", priority=True)
    service.issue("insurance")
    waits = web.waits()
    hour = clock.now.hour
    assert waits.issued_by_hour == {hour - 1: 1, hour: 2}
    resident = waits.categories["resident"]
    assert (resident.letter, resident.waiting) == ("A", 2)
    status = {s.category: s for s in service.status()}
    assert resident.estimated_minutes == status["resident"].estimated_wait_minutes
    assert set(waits.categories) == set(status)
