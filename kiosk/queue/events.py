"""Change notifications for the board and the counters: ``QueueEvents``.

PostgreSQL: LISTEN on ``QUEUE_CHANNEL`` (every status change NOTIFYs at commit).
SQLite: a thread polls ``ticket_events`` for rows newer than the last one seen,
every ``POLL_INTERVAL_S``. Either way a callback gets each ``QueueEvent`` on the
notifier's own thread, within a second of the change.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import URL

from kiosk.storage import QUEUE_CHANNEL, QueueEvent, StorageError, Store

if TYPE_CHECKING:
    import psycopg

log = logging.getLogger(__name__)

POLL_INTERVAL_S = 0.25
RECONNECT_DELAY_S = 1.0
Callback = Callable[[QueueEvent], None]


class QueueEvents(Protocol):
    def subscribe(self, callback: Callback) -> None: ...

    def close(self) -> None: ...


class _Notifier:
    """Subscribers and the thread that feeds them; subclasses implement ``_run``."""

    def __init__(self, name: str) -> None:
        self._callbacks: list[Callback] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def subscribe(self, callback: Callback) -> None:
        with self._lock:
            self._callbacks.append(callback)

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(5)

    def _dispatch(self, event: QueueEvent) -> None:
        with self._lock:
            callbacks = list(self._callbacks)
        for callback in callbacks:
            try:
                callback(event)
            except Exception:  # a subscriber's bug must not stop the others
                log.exception("queue event subscriber failed")

    def _run(self) -> None:
        raise NotImplementedError


class PollingEvents(_Notifier):
    """SQLite (or any database): poll the event table; starts after the latest event."""

    def __init__(self, store: Store, interval: float = POLL_INTERVAL_S) -> None:
        super().__init__("queue-poll")
        self._store = store
        self._interval = interval
        self._last = store.last_queue_event_id()
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                events = self._store.queue_events_after(self._last)
            except StorageError as err:
                log.warning("queue poll failed: %s", err)
                continue
            for event in events:
                self._last = event.id
                self._dispatch(event)


class PgNotifyEvents(_Notifier):
    """PostgreSQL: LISTEN on a connection of its own (psycopg 3), reconnecting if lost."""

    def __init__(self, url: URL, wait: float = POLL_INTERVAL_S) -> None:
        super().__init__("queue-listen")
        self._conninfo = conninfo(url)
        self._wait = wait
        self._ready = threading.Event()
        self._thread.start()
        self._ready.wait(10)  # LISTEN is active before the caller goes on

    def _run(self) -> None:
        import psycopg

        while not self._stop.is_set():
            try:
                self._listen(psycopg.connect(self._conninfo, autocommit=True))
            except psycopg.Error as err:
                log.warning("queue LISTEN connection lost: %s", err)
                self._ready.set()
                self._stop.wait(RECONNECT_DELAY_S)

    def _listen(self, conn: psycopg.Connection[Any]) -> None:
        with conn:
            conn.execute(f"LISTEN {QUEUE_CHANNEL}")
            self._ready.set()
            while not self._stop.is_set():
                for note in conn.notifies(timeout=self._wait):
                    self._dispatch(QueueEvent.from_json(note.payload))


def conninfo(url: URL) -> str:
    """A libpq connection string from a SQLAlchemy URL (``?host=/socket/dir`` too), with
    the URL's other parameters (sslmode, sslrootcert, connect_timeout, options) kept."""
    from psycopg.conninfo import make_conninfo

    host = url.query.get("host") or url.host
    params: dict[str, str | int | None] = {
        key: value if isinstance(value, str) else ",".join(value)
        for key, value in url.query.items()
    }
    params |= {
        "host": host if host is None or isinstance(host, str) else host[0],
        "port": url.port,
        "user": url.username,
        "password": url.password,
        "dbname": url.database,
    }
    return make_conninfo("", **{k: v for k, v in params.items() if v is not None})


def open_events(store: Store) -> QueueEvents:
    """LISTEN/NOTIFY on PostgreSQL, polling otherwise."""
    if store.url.get_backend_name() == "postgresql":
        return PgNotifyEvents(store.url)
    return PollingEvents(store)
