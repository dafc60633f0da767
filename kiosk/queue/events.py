"""Change notifications for the board and the counters: ``QueueEvents``.

PostgreSQL: LISTEN on ``QUEUE_CHANNEL`` (every status change NOTIFYs at commit).
SQLite: a thread polls ``ticket_events`` for rows newer than the last one seen,
every ``POLL_INTERVAL_S``. Either way a callback gets each ``QueueEvent`` on the
notifier's own thread, within a second of the change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import URL

from kiosk.listening import PgListening, Polling
from kiosk.storage import QUEUE_CHANNEL, QueueEvent

if TYPE_CHECKING:
    import psycopg

POLL_INTERVAL_S = 0.25
Callback = Callable[[QueueEvent], None]


class QueueEvents(Protocol):
    def subscribe(self, callback: Callback) -> None: ...

    def close(self) -> None: ...


class EventSource(Protocol):
    """A store that can be polled for queue events (``Store``, the web's ``WebStore``)."""

    @property
    def url(self) -> URL: ...

    def last_queue_event_id(self) -> int: ...

    def queue_events_after(self, event_id: int, limit: int = 500) -> list[QueueEvent]: ...


class PollingEvents(Polling[QueueEvent]):
    """SQLite (or any database): poll the event table; starts after the latest event."""

    def __init__(self, store: EventSource, interval: float = POLL_INTERVAL_S) -> None:
        super().__init__("queue-poll", "queue", interval)
        self._store = store
        self._last = store.last_queue_event_id()
        self._thread.start()

    def _poll(self) -> None:
        for event in self._store.queue_events_after(self._last):
            self._last = event.id
            self._dispatch(event)


class PgNotifyEvents(PgListening[QueueEvent]):
    """PostgreSQL: LISTEN on a connection of its own (psycopg 3), reconnecting if lost."""

    def __init__(self, url: URL, wait: float = POLL_INTERVAL_S) -> None:
        super().__init__("queue-listen", "queue", url, QUEUE_CHANNEL, wait)
        self._start()

    def _heard(self, notes: Iterator[psycopg.Notify]) -> None:
        for note in notes:
            self._dispatch(QueueEvent.from_json(note.payload))


def open_events(store: EventSource) -> QueueEvents:
    """LISTEN/NOTIFY on PostgreSQL, polling otherwise."""
    if store.url.get_backend_name() == "postgresql":
        return PgNotifyEvents(store.url)
    return PollingEvents(store)
