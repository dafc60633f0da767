"""A change reaches a subscriber within a second: LISTEN/NOTIFY on PostgreSQL, polling on SQLite."""

from __future__ import annotations

import queue
import time

from kiosk.queue import PgNotifyEvents, PollingEvents, QueueService, open_events
from kiosk.storage import QueueEvent, Store


def test_a_call_reaches_the_subscriber_within_a_second(
    service: QueueService, store: Store, db_url: str
) -> None:
    events = open_events(store)
    expected = PgNotifyEvents if db_url.startswith("postgresql") else PollingEvents
    assert isinstance(events, expected)
    received: queue.Queue[tuple[float, QueueEvent]] = queue.Queue()
    events.subscribe(lambda e: received.put((time.monotonic(), e)))
    try:
        ticket = service.issue("resident").ticket
        start = time.monotonic()
        service.call_next("resident")
        seen = [received.get(timeout=2), received.get(timeout=2)]
    finally:
        events.close()
    assert [(e.code, e.status) for _, e in seen] == [
        (ticket.code, "waiting"),
        (ticket.code, "called"),
    ]
    assert seen[1][1].counter == "resident"
    assert seen[1][0] - start < 1.0


def test_a_failing_subscriber_does_not_stop_the_others(service: QueueService, store: Store) -> None:
    events = open_events(store)
    received: queue.Queue[QueueEvent] = queue.Queue()

    def broken(_event: QueueEvent) -> None:
        raise RuntimeError("bug")

    events.subscribe(broken)
    events.subscribe(received.put)
    try:
        service.issue("insurance")
        assert received.get(timeout=2).code == "B-001"
    finally:
        events.close()
