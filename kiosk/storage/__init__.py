"""Persistence of visits, tickets, the access log, counters and kiosk health.

Card data is encrypted at rest. Blocking and thread-safe: call it from worker threads,
never from the UI thread.
"""

from __future__ import annotations

from kiosk.storage.audit import AccessLogBroken
from kiosk.storage.counter_queries import (
    HEALTH_STATUSES,
    CounterState,
    HealthCheck,
    HealthStatus,
    KioskHeartbeat,
)
from kiosk.storage.crypto import (
    DatabaseUnavailable,
    DecryptionFailed,
    KeyFileInsecure,
    KeyFileInvalid,
    StorageError,
    VisitNotFound,
)
from kiosk.storage.database import alembic_config, create_kiosk_engine, upgrade_database
from kiosk.storage.models import TICKET_STATUSES, TicketStatus, VisitStatus
from kiosk.storage.queueing import (
    QUEUE_CHANNEL,
    Chooser,
    QueueEvent,
    QueueTicket,
    TicketNotFound,
    TicketStateConflict,
)
from kiosk.storage.staff_calls import STAFF_CALL_CHANNEL, StaffCall
from kiosk.storage.store import AccessEvent, Clock, Store

__all__ = [
    "HEALTH_STATUSES",
    "QUEUE_CHANNEL",
    "STAFF_CALL_CHANNEL",
    "TICKET_STATUSES",
    "AccessEvent",
    "AccessLogBroken",
    "Chooser",
    "Clock",
    "CounterState",
    "DatabaseUnavailable",
    "DecryptionFailed",
    "HealthCheck",
    "HealthStatus",
    "KeyFileInsecure",
    "KeyFileInvalid",
    "KioskHeartbeat",
    "QueueEvent",
    "QueueTicket",
    "StaffCall",
    "StorageError",
    "Store",
    "TicketNotFound",
    "TicketStateConflict",
    "TicketStatus",
    "VisitNotFound",
    "VisitStatus",
    "alembic_config",
    "create_kiosk_engine",
    "upgrade_database",
]
