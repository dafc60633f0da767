"""The queue: categories, ticket states, calling order, estimate, notifications.

Plain Python (no Qt), blocking: the UI calls it from worker threads.
"""

from __future__ import annotations

from kiosk.queue.domain import (
    DEFAULT_MAX_PASSES,
    STATES,
    TRANSITIONS,
    InvalidTransition,
    TicketState,
    call_order,
    can_change,
    choose_next,
    sources,
)
from kiosk.queue.estimate import average_service_minutes, estimate_wait_minutes
from kiosk.queue.events import EventSource, PgNotifyEvents, PollingEvents, QueueEvents, open_events
from kiosk.queue.rules import QueueRules, UnknownQueueItem
from kiosk.queue.service import (
    CategoryStatus,
    CounterOverview,
    IssuedTicket,
    QueueService,
)

__all__ = [
    "DEFAULT_MAX_PASSES",
    "STATES",
    "TRANSITIONS",
    "CategoryStatus",
    "CounterOverview",
    "EventSource",
    "InvalidTransition",
    "IssuedTicket",
    "PgNotifyEvents",
    "PollingEvents",
    "QueueEvents",
    "QueueRules",
    "QueueService",
    "TicketState",
    "UnknownQueueItem",
    "average_service_minutes",
    "call_order",
    "can_change",
    "choose_next",
    "estimate_wait_minutes",
    "open_events",
    "sources",
]
