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
from kiosk.storage.models import TicketStatus, VisitStatus
from kiosk.storage.store import AccessEvent, Clock, Store, alembic_config, upgrade_database

__all__ = [
    "AccessEvent",
    "Clock",
    "DatabaseUnavailable",
    "DecryptionFailed",
    "KeyFileInsecure",
    "KeyFileInvalid",
    "StorageError",
    "Store",
    "TicketStatus",
    "VisitNotFound",
    "VisitStatus",
    "alembic_config",
    "upgrade_database",
]
