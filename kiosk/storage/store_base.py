"""The Store's common ground: opening the database with a keyring, sessions, the clock.

The methods live in one class per kind of machine (:mod:`kiosk.storage.for_kiosk`,
:mod:`~kiosk.storage.for_counter`, :mod:`~kiosk.storage.for_board`), so the code shows who
may do what; the database grants (:mod:`kiosk.storage.roles`) enforce it.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Self, cast

from sqlalchemy import (
    URL,
    CursorResult,
    Engine,
    Result,
    select,
)
from sqlalchemy.orm import Session, sessionmaker

from kiosk.storage import queueing, ward_keys
from kiosk.storage.crypto import VisitNotFound
from kiosk.storage.data_keys import DataKeys, Keyring
from kiosk.storage.database import IMMEDIATE as _IMMEDIATE
from kiosk.storage.database import DatabaseTarget
from kiosk.storage.database import create_kiosk_engine as create_kiosk_engine
from kiosk.storage.database import database_errors as _database_errors
from kiosk.storage.database import safe_url as _safe_url
from kiosk.storage.models import (
    AccessLogRow,
    TicketRow,
    VisitRow,
)
from kiosk.storage.queueing import (
    QueueTicket,
)
from kiosk.storage.schema import prepare_schema
from kiosk.visit import Ticket

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]

REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O or 1/I to misread
REFERENCE_LENGTH = 8


@dataclass(frozen=True)
class AccessEvent:
    """One entry of the access log, as returned by ``Store.access_events``."""

    id: int
    at: datetime
    actor: str
    action: str
    visit_reference: str | None
    detail: str


class StoreBase:
    """Sessions, the clock and the keys; create a store with ``Store.open``."""

    def __init__(
        self,
        engine: Engine,
        keys: Keyring,
        *,
        clock: Clock | None = None,
        creator: str = "ward-kiosk",
    ) -> None:
        self._engine = engine
        self._clock: Clock = clock or utc_now
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._keys = DataKeys(keys, lambda: self._session(write=True), creator=creator)

    @classmethod
    def open(
        cls,
        url: str | DatabaseTarget,
        keys: Keyring,
        *,
        clock: Clock | None = None,
        creator: str = "ward-kiosk",
        register_key: bool = False,
    ) -> Self:
        """Open the database at ``url`` for a machine holding ``keys``.

        SQLite is migrated; PostgreSQL's revision and the target role's rights are
        checked (``schema.prepare_schema``): only ``ward-kiosk db upgrade`` migrates there.

        Raises NoWardKey or WardKeyMismatch when ``keys`` is not the ward's current
        key. ``register_key`` makes ``keys`` the ward key of a database that has none
        (``ward-kiosk key init``, demo mode): never implied.
        """
        target = DatabaseTarget.parse(url) if isinstance(url, str) else url
        engine = create_kiosk_engine(target)
        try:
            prepare_schema(engine, target.role, migrate_sqlite=target.migrate_sqlite)
            store = cls(engine, keys, clock=clock, creator=creator)
            if register_key and keys.public is not None:
                with store._session(write=True) as session:
                    ward_keys.register(session, keys.public, store._now())
            with store._session() as session:
                ward_keys.check(session, keys)
        except BaseException:
            engine.dispose()
            raise
        log.info("storage opened at %s with %r", _safe_url(engine.url), keys)
        return store

    @property
    def keyring(self) -> Keyring:
        return self._keys.keyring

    def close(self) -> None:
        """Close every pooled connection."""
        self._engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({_safe_url(self._engine.url)})"

    @property
    def engine(self) -> Engine:
        """The engine, for read-only reports that take one (``stats_queries``)."""
        return self._engine

    @property
    def url(self) -> URL:
        """The database URL (with its password: never log it, use ``repr(store)``)."""
        return self._engine.url

    @contextmanager
    def _session(self, *, write: bool = False) -> Iterator[Session]:
        """One short transaction; ``write`` takes SQLite's write lock at BEGIN.

        A deferred SQLite transaction that reads and then writes fails at once with
        "database is locked" if another connection wrote in between (the busy timeout
        does not apply), so every writing transaction starts with BEGIN IMMEDIATE.
        """
        with _database_errors(self._engine.url), self._sessions() as session, session.begin():
            if write:
                session.connection(execution_options={_IMMEDIATE: True})
            yield session

    @contextmanager
    def transaction(self, *, write: bool = False) -> Iterator[Session]:
        """One short transaction for modules that keep their own queries (``kiosk.staff``)."""
        with self._session(write=write) as session:
            yield session

    def now(self) -> datetime:
        """The store's clock, timezone-aware (tests pass a fake one to ``Store.open``)."""
        return self._now()

    @contextmanager
    def _one_statement(self) -> Iterator[Session]:
        """For a read of one statement: on PostgreSQL in autocommit, which is the same
        READ COMMITTED snapshot without the BEGIN and COMMIT round trips (the estimate
        is read right after every issue); on SQLite an ordinary read transaction."""
        if self._engine.dialect.name != "postgresql":
            with self._session() as session:
                yield session
            return
        with (
            _database_errors(self._engine.url),
            self._autocommit.connect() as conn,
            Session(conn) as session,
        ):
            yield session

    def _now(self) -> datetime:
        return aware(self._clock())

    def _finish_issue(
        self, session: Session, row: TicketRow, now: datetime, *, note: str
    ) -> QueueTicket:
        row.waiting_ahead = queueing.waiting_ahead(session, row)  # before the INSERT
        session.add(row)
        session.flush()
        queueing.record_event(session, row, now=now, counter=None, note=note)
        return queueing.to_queue_ticket(row)


def new_reference() -> str:
    """Return a random short public visit id, e.g. ``"K7QH3MZA"``."""
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def to_ticket_view(ticket: QueueTicket) -> Ticket:
    return Ticket(
        code=ticket.code,
        category=ticket.category,
        number=ticket.number,
        counter=ticket.counter,
        waiting_ahead=ticket.waiting_ahead,
        issued_at=ticket.issued_at,
        priority=ticket.priority,
        token=ticket.token,
    )


def to_ticket(row: TicketRow) -> Ticket:
    return to_ticket_view(queueing.to_queue_ticket(row))


def visit_by_reference(session: Session, reference: str) -> VisitRow:
    row = session.scalar(select(VisitRow).where(VisitRow.reference == reference))
    if row is None:
        raise VisitNotFound(
            f"No visit with reference {reference!r}. Check the reference on the ticket; "
            "the visit may have been made on another kiosk database."
        )
    return row


def unused_reference(session: Session) -> str:
    while True:
        reference = new_reference()
        taken = session.scalar(select(VisitRow.id).where(VisitRow.reference == reference))
        if taken is None:
            return reference


def normalise_reference(reference: str) -> str:
    return reference.strip().upper()


def check_choice(what: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"unknown {what} {value!r}; expected one of {', '.join(allowed)}")


def rowcount(result: Result[Any]) -> int:
    return cast("CursorResult[Any]", result).rowcount


def service_day_of(now: datetime) -> date:
    return now.astimezone().date()  # the kiosk machine's local calendar day


def utc_now() -> datetime:
    return datetime.now(UTC)


def aware(value: datetime) -> datetime:
    """Treat a naive datetime (e.g. ``Visit.started_at``) as the machine's local time."""
    return value if value.tzinfo is not None else value.astimezone()


def to_access_event(row: AccessLogRow) -> AccessEvent:
    return AccessEvent(
        id=row.id,
        at=row.at.astimezone(),
        actor=row.actor,
        action=row.action,
        visit_reference=row.visit_reference,
        detail=row.detail,
    )


def new_ticket(
    session: Session, now: datetime, category: str, letter: str, counter: str, priority: bool
) -> TicketRow:
    day = service_day_of(now)
    number = queueing.next_number(session, day, category)
    return TicketRow(
        service_day=day,
        category=category,
        number=number,
        code=f"{letter}-{number:03d}",
        counter=counter,
        status="waiting",
        priority=priority,
        passed=0,
        waiting_ahead=0,
        issued_at=now,
        queued_at=now,
        status_at=now,
        token=new_ticket_token(),
    )


def new_ticket_token() -> str:
    """The phone page's secret for a new ticket: 128 random bits, 22 URL-safe characters."""
    return secrets.token_urlsafe(16)
