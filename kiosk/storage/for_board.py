"""What the board reads: the queue, waits and counter states. No visit, no key."""

from __future__ import annotations

import logging

from kiosk.storage import counter_queries, queueing
from kiosk.storage.counter_queries import CounterState, KioskHeartbeat
from kiosk.storage.database import MIGRATIONS_DIR as MIGRATIONS_DIR
from kiosk.storage.database import SQLITE_BUSY_TIMEOUT_S as SQLITE_BUSY_TIMEOUT_S
from kiosk.storage.database import alembic_config as alembic_config
from kiosk.storage.database import create_kiosk_engine as create_kiosk_engine
from kiosk.storage.database import upgrade_database as upgrade_database
from kiosk.storage.queueing import (
    QueueEvent,
)
from kiosk.storage.staff_calls import StaffCallsForBoard
from kiosk.storage.store_base import (
    StoreBase,
    service_day_of,
)

log = logging.getLogger(__name__)


class QueueEventsForPollers(StoreBase):
    """The queue's status changes, for whoever follows them by polling (SQLite)."""

    def queue_events_after(self, event_id: int, limit: int = 500) -> list[QueueEvent]:
        """Status changes recorded after ``event_id``, oldest first (for pollers)."""
        with self._session() as session:
            return queueing.events_after(session, event_id, limit)

    def last_queue_event_id(self) -> int:
        with self._session() as session:
            return queueing.last_event_id(session)


class BoardStore(QueueEventsForPollers, StaffCallsForBoard, StoreBase):
    """The board's side of the store (read-only)."""

    def counter_states(self) -> dict[str, CounterState]:
        """Every counter that was ever opened or closed, by id (the others are open)."""
        with self._session() as session:
            return counter_queries.counter_states(session)

    def closed_counters(self) -> frozenset[str]:
        """The counters that are closed now (read for every waiting-time estimate)."""
        with self._one_statement() as session:
            return counter_queries.closed_counters(session)

    def kiosk_heartbeats(self) -> list[KioskHeartbeat]:
        """The latest heartbeat of every kiosk, by kiosk id."""
        with self._session() as session:
            return counter_queries.heartbeats(session)

    def waiting_counts(self) -> dict[str, tuple[int, int]]:
        """Today's waiting tickets per category: (normal, priority)."""
        with self._session() as session:
            return queueing.waiting_counts(session, service_day_of(self._now()))

    def service_seconds(self, category: str) -> list[float]:
        """Today's most recent service durations (start to done) in ``category``."""
        with self._one_statement() as session:
            return queueing.service_seconds(session, service_day_of(self._now()), category)

    def ticket_events(self, ticket_id: int) -> list[QueueEvent]:
        """Every recorded change of one ticket, oldest first."""
        with self._session() as session:
            return queueing.events_of(session, ticket_id)
