"""Thread-safe, blocking persistence of visits and queue tickets.

``Store`` is every side at once (:mod:`~kiosk.storage.for_kiosk`,
:mod:`~kiosk.storage.for_counter`, :mod:`~kiosk.storage.for_board`): for a one-PC
installation, IT's commands and the tests. What each process may actually do is the
database role's grants and the ward key it holds. Every public method opens its own
short session, so one ``Store`` can be shared by the UI's worker threads. Personal data
is only ever written sealed; nothing personal is logged.
"""

from __future__ import annotations

from kiosk.storage.database import MIGRATIONS_DIR as MIGRATIONS_DIR
from kiosk.storage.database import SQLITE_BUSY_TIMEOUT_S as SQLITE_BUSY_TIMEOUT_S
from kiosk.storage.database import alembic_config as alembic_config
from kiosk.storage.database import create_kiosk_engine as create_kiosk_engine
from kiosk.storage.database import upgrade_database as upgrade_database
from kiosk.storage.for_board import BoardStore
from kiosk.storage.for_counter import CounterStore
from kiosk.storage.for_kiosk import KioskStore
from kiosk.storage.store_base import REFERENCE_ALPHABET as REFERENCE_ALPHABET
from kiosk.storage.store_base import REFERENCE_LENGTH as REFERENCE_LENGTH
from kiosk.storage.store_base import AccessEvent as AccessEvent
from kiosk.storage.store_base import Clock as Clock
from kiosk.storage.store_base import new_reference as new_reference


class Store(KioskStore, CounterStore, BoardStore):
    """Visits and tickets in one database. Create it with ``Store.open``."""
