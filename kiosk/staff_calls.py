"""Hearing of staff calls ("職員を呼ぶ" at a kiosk) quickly: ``open_staff_call_watch``.

PostgreSQL: LISTEN on ``STAFF_CALL_CHANNEL`` (every raise and acknowledgement NOTIFYs at
commit). SQLite: a thread polls ``Store.staff_calls_version`` every ``POLL_INTERVAL_S``.
Either way ``changed()`` is called on the watcher's own thread; the caller then reads
``Store.open_staff_calls`` (a missed notification is caught by the caller's own reload).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Protocol

from kiosk.listening import PgListening, Polling
from kiosk.storage import STAFF_CALL_CHANNEL, Store

if TYPE_CHECKING:
    import psycopg

POLL_INTERVAL_S = 0.5
LISTEN_WAIT_S = 0.25


class StaffCallWatch(Protocol):
    def close(self) -> None: ...


class PollingStaffCalls(Polling[None]):
    """SQLite (or any database): poll the count of raised and acknowledged calls."""

    def __init__(
        self, store: Store, changed: Callable[[], None], interval: float = POLL_INTERVAL_S
    ) -> None:
        super().__init__("staff-call-poll", "staff call", interval)
        self.subscribe(lambda _: changed())
        self._store = store
        self._last = store.staff_calls_version()
        self._thread.start()

    def _poll(self) -> None:
        version = self._store.staff_calls_version()
        if version != self._last:
            self._last = version
            self._dispatch(None)


class PgStaffCalls(PgListening[None]):
    """PostgreSQL: LISTEN on a connection of its own, reconnecting if it is lost."""

    def __init__(self, store: Store, changed: Callable[[], None]) -> None:
        super().__init__(
            "staff-call-listen", "staff call", store.url, STAFF_CALL_CHANNEL, LISTEN_WAIT_S
        )
        self.subscribe(lambda _: changed())
        self._start()

    def _heard(self, notes: Iterator[psycopg.Notify]) -> None:
        if any(True for _ in notes):
            self._dispatch(None)

    def _lost(self) -> None:
        self._dispatch(None)  # calls made while deaf: the caller reloads


def open_staff_call_watch(store: Store, changed: Callable[[], None]) -> StaffCallWatch:
    """LISTEN/NOTIFY on PostgreSQL, polling otherwise; ``close()`` stops it."""
    if store.url.get_backend_name() == "postgresql":
        return PgStaffCalls(store, changed)
    return PollingStaffCalls(store, changed)
