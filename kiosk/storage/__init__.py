"""Persistence of visits, queue tickets and the access log; card data encrypted at rest.

Blocking and thread-safe; call it from worker threads, never from the UI thread.
"""

from __future__ import annotations

from kiosk.storage.crypto import (
    DatabaseUnavailable,
    DecryptionFailed,
    KeyFileInsecure,
    KeyFileInvalid,
    StorageError,
    VisitNotFound,
)
from kiosk.storage.models import TICKET_STATUSES, TicketStatus, VisitStatus
from kiosk.storage.queueing import (
    QUEUE_CHANNEL,
    Chooser,
    QueueEvent,
    QueueTicket,
    TicketNotFound,
    TicketStateConflict,
)
from kiosk.storage.store import AccessEvent, Clock, Store, alembic_config, upgrade_database

__all__ = [
    "QUEUE_CHANNEL",
    "TICKET_STATUSES",
    "AccessEvent",
    "Chooser",
    "Clock",
    "DatabaseUnavailable",
    "DecryptionFailed",
    "KeyFileInsecure",
    "KeyFileInvalid",
    "QueueEvent",
    "QueueTicket",
    "StorageError",
    "Store",
    "TicketNotFound",
    "TicketStateConflict",
    "TicketStatus",
    "VisitNotFound",
    "VisitStatus",
    "alembic_config",
    "upgrade_database",
]
