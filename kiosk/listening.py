"""Hearing of database changes on a thread of its own: the part ``kiosk.queue.events``
(queue events for the board and the counters) and ``kiosk.staff_calls`` share.

``Listener`` is a daemon thread and its subscribers. ``Polling`` calls ``_poll`` every
``interval`` seconds (SQLite, or any database); ``PgListening`` LISTENs on a PostgreSQL
channel on a connection of its own (psycopg 3), reconnecting if it is lost. Subscribers
are called on the listener's thread; one that raises is logged, the others still hear.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from sqlalchemy import URL

from kiosk.storage import StorageError

if TYPE_CHECKING:
    import psycopg

log = logging.getLogger(__name__)

RECONNECT_DELAY_S = 1.0
T = TypeVar("T")


class Listener(Generic[T]):
    """Subscribers and the thread that feeds them; subclasses implement ``_run`` and
    start ``self._thread`` once their own state is set. ``what`` names it in the log."""

    def __init__(self, name: str, what: str) -> None:
        self._what = what
        self._callbacks: list[Callable[[T], None]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def subscribe(self, callback: Callable[[T], None]) -> None:
        with self._lock:
            self._callbacks.append(callback)

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(5)

    def _dispatch(self, value: T) -> None:
        with self._lock:
            callbacks = list(self._callbacks)
        for callback in callbacks:
            try:
                callback(value)
            except Exception:  # a subscriber's bug must not stop the others (or the thread)
                log.exception("%s subscriber failed", self._what)

    def _run(self) -> None:
        raise NotImplementedError


class Polling(Listener[T]):
    """Calls ``_poll`` every ``interval`` seconds; a ``StorageError`` is logged, and the
    next poll tries again."""

    def __init__(self, name: str, what: str, interval: float) -> None:
        super().__init__(name, what)
        self._interval = interval

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self._poll()
            except StorageError as err:
                log.warning("%s poll failed: %s", self._what, err)

    def _poll(self) -> None:
        raise NotImplementedError


class PgListening(Listener[T]):
    """LISTEN on ``channel``, handing what arrives within each ``wait`` seconds to
    ``_heard``; after a lost connection, waits ``RECONNECT_DELAY_S``, calls ``_lost`` and
    connects again. ``_start`` returns once LISTEN is active (or the first try failed)."""

    def __init__(self, name: str, what: str, url: URL, channel: str, wait: float) -> None:
        super().__init__(name, what)
        self._conninfo = conninfo(url)
        self._channel = channel
        self._wait = wait
        self._ready = threading.Event()

    def _start(self) -> None:
        self._thread.start()
        self._ready.wait(10)  # LISTEN is active before the caller goes on

    def _run(self) -> None:
        import psycopg

        while not self._stop.is_set():
            try:
                self._listen(psycopg.connect(self._conninfo, autocommit=True))
            except psycopg.Error as err:
                log.warning("%s LISTEN connection lost: %s", self._what, err)
                self._ready.set()
                self._stop.wait(RECONNECT_DELAY_S)
                self._lost()

    def _listen(self, conn: psycopg.Connection[Any]) -> None:
        with conn:
            conn.execute(f"LISTEN {self._channel}")
            self._ready.set()
            while not self._stop.is_set():
                self._heard(conn.notifies(timeout=self._wait))

    def _heard(self, notes: Iterator[psycopg.Notify]) -> None:
        raise NotImplementedError

    def _lost(self) -> None:
        """Called after each lost connection, before connecting again."""


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
