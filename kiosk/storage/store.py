"""Thread-safe, blocking persistence of visits and queue tickets.

Every public method opens its own short session, so one ``Store`` can be shared
by the UI's worker threads. Personal data (the card's Person and the individual
number) is only ever written encrypted; nothing personal is logged.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from alembic import command
from alembic.config import Config
from alembic.util import CommandError
from sqlalchemy import (
    URL,
    Connection,
    CursorResult,
    Engine,
    Result,
    create_engine,
    event,
    exc,
    func,
    make_url,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session, sessionmaker

from kiosk.person import NUMBER_LIKE, Person
from kiosk.storage import counter_queries, queueing
from kiosk.storage.counter_queries import CounterState, HealthCheck, KioskHeartbeat
from kiosk.storage.crypto import (
    DatabaseUnavailable,
    PersonCipher,
    StorageError,
    VisitNotFound,
    load_or_create_key,
)
from kiosk.storage.models import (
    ACTION_MAX,
    ACTOR_MAX,
    DETAIL_MAX,
    REFERENCE_MAX,
    TICKET_STATUSES,
    VISIT_STATUSES,
    AccessLogRow,
    TicketRow,
    TicketStatus,
    VisitRow,
    VisitStatus,
)
from kiosk.storage.queueing import (
    Chooser,
    QueueEvent,
    QueueTicket,
    TicketNotFound,
    TicketStateConflict,
)
from kiosk.visit import Ticket, Visit

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O or 1/I to misread
REFERENCE_LENGTH = 8
SQLITE_BUSY_TIMEOUT_S = 30.0
_IMMEDIATE = "kiosk_sqlite_begin_immediate"
_MIGRATION_LOCK = 0x57_4B_30_31  # pg_advisory_xact_lock key held while migrating
_ACTION = re.compile(r"[a-z][a-z0-9_.:-]*")


@dataclass(frozen=True)
class AccessEvent:
    """One entry of the access log, as returned by ``Store.access_events``."""

    id: int
    at: datetime
    actor: str
    action: str
    visit_reference: str | None
    detail: str


def new_reference() -> str:
    """Return a random short public visit id, e.g. ``"K7QH3MZA"``."""
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def alembic_config(url: str | None = None, *, connection: Connection | None = None) -> Config:
    """Alembic config for the packaged migrations (also usable for ``command.revision``)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    if url is not None:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def create_kiosk_engine(url: str) -> Engine:
    """Create the engine; for SQLite also the folder, WAL, foreign keys and BEGIN control."""
    parsed = _parse_url(url)
    try:
        if parsed.get_backend_name() != "sqlite":
            return create_engine(parsed, hide_parameters=True, pool_pre_ping=True)
        _prepare_sqlite_file(parsed)
        engine = create_engine(
            parsed,
            hide_parameters=True,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S},
        )
    except (exc.ArgumentError, ImportError) as err:
        raise DatabaseUnavailable(
            f"Database driver for {_safe_url(parsed)} cannot be loaded ({err}). "
            "Install the driver or fix the database URL in the kiosk configuration."
        ) from err
    event.listen(engine, "connect", _on_sqlite_connect)
    event.listen(engine, "begin", _on_sqlite_begin)
    return engine


def upgrade_database(engine: Engine) -> None:
    """Run Alembic ``upgrade head``; safe to call on every start and from several processes."""
    with _database_errors(engine.url), engine.connect() as conn:
        # The write lock up front makes a second process wait, then find head.
        conn.execution_options(**{_IMMEDIATE: True})
        with conn.begin():
            if conn.dialect.name == "postgresql":
                # Same on PostgreSQL: kiosks starting together migrate one at a time.
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
            try:
                command.upgrade(alembic_config(connection=conn), "head")
            except CommandError as err:
                raise DatabaseUnavailable(
                    f"Database {_safe_url(engine.url)} cannot be migrated: {err}. "
                    "If it was written by a newer kiosk version, install that version."
                ) from err


class Store:
    """Visits and tickets in one database. Create it with ``Store.open``."""

    def __init__(self, engine: Engine, cipher: PersonCipher, *, clock: Clock | None = None) -> None:
        self._engine = engine
        self._cipher = cipher
        self._clock: Clock = clock or _utc_now
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")

    @classmethod
    def open(cls, url: str, key_file: Path, *, clock: Clock | None = None) -> Store:
        """Open (and migrate) the database at ``url``, with the key in ``key_file``."""
        engine = create_kiosk_engine(url)
        try:
            upgrade_database(engine)
            cipher = load_or_create_key(key_file)
        except BaseException:
            engine.dispose()
            raise
        log.info("storage opened at %s", _safe_url(engine.url))
        return cls(engine, cipher, clock=clock)

    def close(self) -> None:
        """Close every pooled connection."""
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({_safe_url(self._engine.url)})"

    # -- visits ---------------------------------------------------------------

    def save_visit(self, visit: Visit, *, kiosk_id: str, status: VisitStatus) -> str:
        """Insert the visit, or update it if ``visit.reference`` is set; return the reference.

        Raises VisitNotFound if ``visit.reference`` is set but not stored.
        """
        _check_choice("visit status", status, VISIT_STATUSES)
        now = self._now()
        with self._session(write=True) as session:
            row = self._row_to_save(session, visit)
            row.kiosk_id = kiosk_id
            self._fill_visit_row(row, visit, status=status, now=now)
            session.flush()
            if visit.ticket is not None:
                _link_ticket(session, row.id, visit.ticket)
            reference = row.reference
        visit.reference = reference
        log.info("visit %s saved as %s", reference, status)
        return reference

    def load_visit(self, reference: str) -> Visit:
        """Return the stored visit with its person and number decrypted, and its latest ticket.

        Does not write the access log: a caller that goes on to use the individual
        number records that with ``log_access``.
        """
        reference = _normalise_reference(reference)
        with self._session() as session:
            row = _visit_by_reference(session, reference)
            ticket_row = session.scalar(
                select(TicketRow)
                .where(TicketRow.visit_id == row.id)
                .order_by(TicketRow.issued_at.desc(), TicketRow.id.desc())
                .limit(1)
            )
        return Visit(
            language=row.language,
            reference=row.reference,
            person=self._decrypt_person(row),
            used_card=row.used_card,
            used_voice=row.used_voice,
            individual_number=self._decrypt_number(row),
            answers=dict(row.answers),
            procedures=list(row.procedures),
            ticket=_to_ticket(ticket_row) if ticket_row is not None else None,
            started_at=row.started_at.astimezone(),
        )

    def correct_person(self, reference: str, person: Person) -> None:
        """Replace a visit's card data with ``person`` (a counter's correction).

        Raises VisitNotFound, or StorageError when the visit holds no card data (never
        read, or already deleted after the retention period): a correction must not
        bring deleted data back.
        """
        reference = _normalise_reference(reference)
        with self._session(write=True) as session:
            row = _visit_by_reference(session, reference)
            if row.person_ciphertext is None:
                raise StorageError(
                    f"Visit {reference} holds no card data to correct (none was read, or it "
                    "was deleted after the retention period). Fill the form in by hand."
                )
            row.person_ciphertext = self._encrypt_person(person, row.reference)
        log.info("card data of visit %s corrected", reference)

    def visit_reference_of_ticket(self, ticket_id: int) -> str | None:
        """The reference of the visit a ticket was issued for (None: issued without one)."""
        stmt = (
            select(VisitRow.reference)
            .join(TicketRow, TicketRow.visit_id == VisitRow.id)
            .where(TicketRow.id == ticket_id)
        )
        with self._session() as session:
            return session.scalar(stmt)

    def purge_personal_data(self, older_than: timedelta, now: datetime | None = None) -> int:
        """Delete the encrypted Person and number of visits started before ``now - older_than``.

        Answers, procedures and tickets stay (they hold no card data). Returns the
        number of visits newly marked purged, including visits that had no card data.
        """
        now = _aware(now) if now is not None else self._now()
        stmt = (
            update(VisitRow)
            .where(VisitRow.started_at < now - older_than)
            .where(VisitRow.personal_data_purged_at.is_(None))
            .values(person_ciphertext=None, number_ciphertext=None, personal_data_purged_at=now)
        )
        with self._session(write=True) as session:
            count = _rowcount(session.execute(stmt))
        log.info("personal data purged from %d visits", count)
        return count

    def abandon_stale_visits(self, older_than: timedelta, now: datetime | None = None) -> int:
        """Mark visits still in progress that started before ``now - older_than`` abandoned.

        Their individual number is deleted too: no procedure will use it any more.
        """
        now = _aware(now) if now is not None else self._now()
        stmt = (
            update(VisitRow)
            .where(VisitRow.started_at < now - older_than)
            .where(VisitRow.status == "in_progress")
            .values(status="abandoned", finished_at=now, number_ciphertext=None)
        )
        with self._session(write=True) as session:
            count = _rowcount(session.execute(stmt))
        log.info("%d stale visits marked abandoned", count)
        return count

    # -- access log -----------------------------------------------------------

    def log_access(
        self, *, actor: str, action: str, visit_reference: str | None, detail: str = ""
    ) -> None:
        """Append an entry to the access log, e.g. ``action="individual_number_read"``.

        ``actor`` says who (``"kiosk:koto-1f-01"``, a staff id), ``action`` is a short
        machine string, ``detail`` free text that must never hold personal data. An
        unknown ``visit_reference`` is recorded as given, without a visit link.
        Raises ValueError for invalid values, without repeating them.
        """
        reference = _normalise_reference(visit_reference) if visit_reference else None
        _check_log_entry(actor=actor, action=action, reference=reference, detail=detail)
        now = self._now()
        with self._session(write=True) as session:
            visit_id = None
            if reference is not None:
                visit_id = session.scalar(
                    select(VisitRow.id).where(VisitRow.reference == reference)
                )
            session.add(
                AccessLogRow(
                    at=now,
                    actor=actor,
                    action=action,
                    visit_id=visit_id,
                    visit_reference=reference,
                    detail=detail,
                )
            )
        log.info("access logged: %s by %s on visit %s", action, actor, reference or "-")

    def access_events(
        self, *, visit_reference: str | None = None, limit: int = 100
    ) -> list[AccessEvent]:
        """Return up to ``limit`` access log entries, newest first, optionally of one visit."""
        if limit < 1:
            raise ValueError(f"limit must be at least 1, not {limit}")
        stmt = select(AccessLogRow).order_by(AccessLogRow.at.desc(), AccessLogRow.id.desc())
        if visit_reference is not None:
            reference = _normalise_reference(visit_reference)
            stmt = stmt.where(AccessLogRow.visit_reference == reference)
        with self._session() as session:
            rows = session.scalars(stmt.limit(limit)).all()
        return [_to_access_event(row) for row in rows]

    # -- counters and kiosk health ----------------------------------------------

    def set_counter_open(self, counter: str, open: bool, *, actor: str) -> CounterState:
        """Open or close a counter (``actor``: who, e.g. a staff id); written to the access log.

        Closed counters are left out of the waiting-time estimate. A counter never
        set is open. Raises ValueError for a counter id or actor that cannot be stored.
        """
        if not counter or len(counter) > counter_queries.COUNTER_MAX:
            raise ValueError(f"counter id must be 1 to {counter_queries.COUNTER_MAX} characters")
        action = "counter_opened" if open else "counter_closed"
        detail = f"counter={counter}"
        _check_log_entry(actor=actor, action=action, reference=None, detail=detail)
        now = self._now()
        with self._session(write=True) as session:
            state = counter_queries.upsert_counter_state(
                session, counter=counter, is_open=open, now=now, actor=actor
            )
            session.add(
                AccessLogRow(
                    at=now, actor=actor, action=action, visit_reference=None, detail=detail
                )
            )
        log.info("counter %s %s by %s", counter, "opened" if open else "closed", actor)
        return state

    def counter_states(self) -> dict[str, CounterState]:
        """Every counter that was ever opened or closed, by id (the others are open)."""
        with self._session() as session:
            return counter_queries.counter_states(session)

    def closed_counters(self) -> frozenset[str]:
        """The counters that are closed now (read for every waiting-time estimate)."""
        with self._one_statement() as session:
            return counter_queries.closed_counters(session)

    def record_heartbeat(
        self, kiosk_id: str, checks: Sequence[HealthCheck], *, version: str
    ) -> None:
        """Replace the kiosk's heartbeat with ``checks``, timed by the store's clock.

        Details are stored as one line, shortened, with anything shaped like an
        individual number masked. Raises ValueError for an id or version too long.
        """
        counter_queries.check_heartbeat(kiosk_id, version)
        now = self._now()
        with self._session(write=True) as session:
            counter_queries.upsert_heartbeat(
                session, kiosk_id=kiosk_id, version=version, checks=checks, now=now
            )
        log.debug("heartbeat of kiosk %s recorded", kiosk_id)

    def kiosk_heartbeats(self) -> list[KioskHeartbeat]:
        """The latest heartbeat of every kiosk, by kiosk id."""
        with self._session() as session:
            return counter_queries.heartbeats(session)

    # -- tickets --------------------------------------------------------------

    def issue_ticket(
        self,
        *,
        category: str,
        letter: str,
        counter: str,
        visit_reference: str | None,
        priority: bool = False,
    ) -> Ticket:
        """Issue the next ticket of today in ``category``; attach it to the visit if given."""
        return _to_ticket_view(
            self.issue_queue_ticket(
                category=category,
                letter=letter,
                counter=counter,
                visit_reference=visit_reference,
                priority=priority,
            )
        )

    def issue_queue_ticket(
        self,
        *,
        category: str,
        letter: str,
        counter: str,
        visit_reference: str | None = None,
        priority: bool = False,
    ) -> QueueTicket:
        """Like ``issue_ticket``, returning the queue's view of the ticket."""
        if self._engine.dialect.name == "postgresql":
            ticket, _, _ = self._issue_on_postgresql(
                category, letter, counter, visit_reference, priority
            )
            return ticket
        now = self._now()
        with self._session(write=True) as session:
            visit_id = None
            if visit_reference is not None:
                visit_id = _visit_by_reference(session, _normalise_reference(visit_reference)).id
            row = _new_ticket(session, now, category, letter, counter, priority)
            row.visit_id = visit_id
            ticket = self._finish_issue(session, row, now, note="issued")
        log.info("ticket %s issued for %s", ticket.code, category)
        return ticket

    def issue_queue_ticket_for_estimate(
        self,
        *,
        category: str,
        letter: str,
        counter: str,
        visit_reference: str | None = None,
        priority: bool = False,
    ) -> tuple[QueueTicket, list[float], frozenset[str]]:
        """``issue_queue_ticket``, then ``service_seconds(category)`` and
        ``closed_counters()``, for the estimate printed on the ticket; on PostgreSQL all
        three come from the one issuing statement."""
        if self._engine.dialect.name != "postgresql":
            ticket = self.issue_queue_ticket(
                category=category,
                letter=letter,
                counter=counter,
                visit_reference=visit_reference,
                priority=priority,
            )
            return ticket, self.service_seconds(category), self.closed_counters()
        return self._issue_on_postgresql(category, letter, counter, visit_reference, priority)

    def waiting_count(self, category: str) -> int:
        """Number of today's tickets in ``category`` that are still waiting."""
        day = _service_day(self._now())
        with self._session() as session:
            return _count_waiting(session, day, category)

    def set_ticket_status(
        self,
        *,
        category: str,
        number: int,
        status: TicketStatus,
        service_day: date | None = None,
    ) -> bool:
        """Change a ticket's status (default: today's), without checking the transition.

        Recorded in ``ticket_events`` like every change. Return False if there is no
        such ticket. The queue (``kiosk.queue.QueueService``) checks transitions.
        """
        _check_choice("ticket status", status, TICKET_STATUSES)
        day = service_day or _service_day(self._now())
        now = self._now()
        stmt = (
            select(TicketRow)
            .where(TicketRow.service_day == day)
            .where(TicketRow.category == category)
            .where(TicketRow.number == number)
            .with_for_update()
        )
        with self._session(write=True) as session:
            row = session.scalar(stmt)
            if row is None:
                return False
            queueing.change_status(session, row, status, now=now, counter=None, note="set")
            return True

    # -- the queue (kiosk.queue builds on these) ---------------------------------

    def call_next(
        self, *, categories: Collection[str], counter: str, choose: Chooser
    ) -> QueueTicket | None:
        """Call the waiting ticket ``choose`` picks among today's of ``categories``.

        Safe with several counters calling at once: the chosen row is claimed with
        ``FOR UPDATE SKIP LOCKED`` on PostgreSQL (SQLite holds its write lock).
        """
        now = self._now()
        with self._session(write=True) as session:
            waiting = queueing.waiting_tickets(session, _service_day(now), categories)
            chosen = queueing.claim_next(session, waiting, choose)
            if chosen is None:
                return None
            row = queueing.locked_ticket(session, chosen.id)
            queueing.change_status(session, row, "called", now=now, counter=counter)
            session.flush()
            return queueing.to_queue_ticket(row)

    def change_ticket(
        self,
        ticket_id: int,
        status: TicketStatus,
        *,
        allowed_from: Collection[str],
        counter: str | None,
        note: str = "",
    ) -> QueueTicket:
        """Move a ticket to ``status``; TicketStateConflict unless it is in ``allowed_from``."""
        _check_choice("ticket status", status, TICKET_STATUSES)
        now = self._now()
        with self._session(write=True) as session:
            row = queueing.locked_ticket(session, ticket_id)
            _check_state(row, status, allowed_from)
            out_of_turn = row.status == "waiting" and status == "called"
            queueing.change_status(session, row, status, now=now, counter=counter, note=note)
            if out_of_turn:
                _count_passes_for(session, row)
            session.flush()
            return queueing.to_queue_ticket(row)

    def transfer_ticket(
        self,
        ticket_id: int,
        *,
        allowed_from: Collection[str],
        category: str,
        letter: str,
        counter: str,
        by_counter: str | None,
    ) -> QueueTicket:
        """End a ticket as ``transferred`` and issue its successor in ``category``.

        The new ticket keeps the visit, the priority and the place in the queue
        (``queued_at``) of the old one, so the visitor does not start waiting again.
        """
        now = self._now()
        with self._session(write=True) as session:
            old = queueing.locked_ticket(session, ticket_id)
            _check_state(old, "transferred", allowed_from)
            row = _new_ticket(session, now, category, letter, counter, old.priority)
            row.visit_id, row.queued_at, row.transferred_from_id = (
                old.visit_id,
                old.queued_at,
                old.id,
            )
            ticket = self._finish_issue(session, row, now, note=f"from:{old.code}"[:32])
            note = f"to:{row.code}"[:32]
            queueing.change_status(
                session, old, "transferred", now=now, counter=by_counter, note=note
            )
        log.info("ticket %s transferred to %s", old.code, ticket.code)
        return ticket

    def set_ticket_priority(self, ticket_id: int, priority: bool, *, counter: str) -> QueueTicket:
        """Make a waiting ticket priority (or normal again): staff's decision at a counter.

        Recorded as an event with note ``priority_on``/``priority_off``; TicketStateConflict
        unless the ticket is still waiting.
        """
        now = self._now()
        with self._session(write=True) as session:
            row = queueing.locked_ticket(session, ticket_id)
            _check_state(row, "waiting", {"waiting"})
            row.priority = priority
            note = "priority_on" if priority else "priority_off"
            queueing.record_event(session, row, now=now, counter=counter, note=note)
            return queueing.to_queue_ticket(row)

    def queue_ticket(self, ticket_id: int) -> QueueTicket:
        with self._session() as session:
            row = session.get(TicketRow, ticket_id)
            if row is None:
                raise TicketNotFound(f"No ticket with id {ticket_id}.")
            return queueing.to_queue_ticket(row)

    def find_ticket(self, code: str, service_day: date | None = None) -> QueueTicket:
        """Today's (or ``service_day``'s) ticket with ``code``, e.g. ``"A-012"``."""
        day = service_day or _service_day(self._now())
        with self._session() as session:
            row = queueing.locked_ticket(session, queueing.find_ticket_id(session, day, code))
            return queueing.to_queue_ticket(row)

    def waiting_tickets(self, categories: Collection[str]) -> list[QueueTicket]:
        """Today's waiting tickets of ``categories``, first come first."""
        with self._session() as session:
            return queueing.waiting_tickets(session, _service_day(self._now()), categories)

    def waiting_counts(self) -> dict[str, tuple[int, int]]:
        """Today's waiting tickets per category: (normal, priority)."""
        with self._session() as session:
            return queueing.waiting_counts(session, _service_day(self._now()))

    def service_seconds(self, category: str) -> list[float]:
        """Today's most recent service durations (start to done) in ``category``."""
        with self._one_statement() as session:
            return queueing.service_seconds(session, _service_day(self._now()), category)

    def queue_events_after(self, event_id: int, limit: int = 500) -> list[QueueEvent]:
        """Status changes recorded after ``event_id``, oldest first (for pollers)."""
        with self._session() as session:
            return queueing.events_after(session, event_id, limit)

    def last_queue_event_id(self) -> int:
        with self._session() as session:
            return queueing.last_event_id(session)

    @property
    def engine(self) -> Engine:
        """The engine, for read-only reports that take one (``stats_queries``)."""
        return self._engine

    @property
    def url(self) -> URL:
        """The database URL (with its password: never log it, use ``repr(store)``)."""
        return self._engine.url

    def ticket_events(self, ticket_id: int) -> list[QueueEvent]:
        """Every recorded change of one ticket, oldest first."""
        with self._session() as session:
            return queueing.events_of(session, ticket_id)

    # -- internals ------------------------------------------------------------

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
        return _aware(self._clock())

    def _row_to_save(self, session: Session, visit: Visit) -> VisitRow:
        if visit.reference:
            return _visit_by_reference(session, _normalise_reference(visit.reference))
        row = VisitRow(reference=_unused_reference(session))
        session.add(row)
        return row

    def _fill_visit_row(
        self, row: VisitRow, visit: Visit, *, status: VisitStatus, now: datetime
    ) -> None:
        row.language = visit.language
        row.used_card = visit.used_card
        row.used_voice = visit.used_voice
        row.answers = dict(visit.answers)
        row.procedures = list(visit.procedures)
        row.started_at = _aware(visit.started_at)
        row.status = status
        if status == "in_progress":
            row.finished_at = None
        elif row.finished_at is None:
            row.finished_at = now
        if visit.person is None:
            row.person_ciphertext = None
        else:
            row.person_ciphertext = self._encrypt_person(visit.person, row.reference)
            row.personal_data_purged_at = None
        if visit.individual_number is None:
            row.number_ciphertext = None
        else:
            row.number_ciphertext = self._cipher.encrypt(
                visit.individual_number.encode("utf-8"),
                reference=row.reference,
                purpose="individual_number",
            )
            row.personal_data_purged_at = None

    def _encrypt_person(self, person: Person, reference: str) -> bytes:
        plaintext = json.dumps(person.to_dict(), ensure_ascii=False, separators=(",", ":"))
        return self._cipher.encrypt(
            plaintext.encode("utf-8"), reference=reference, purpose="person"
        )

    def _decrypt_person(self, row: VisitRow) -> Person | None:
        if row.person_ciphertext is None:
            return None
        plaintext = self._cipher.decrypt(
            row.person_ciphertext, reference=row.reference, purpose="person"
        )
        return Person.from_dict(json.loads(plaintext.decode("utf-8")))

    def _decrypt_number(self, row: VisitRow) -> str | None:
        if row.number_ciphertext is None:
            return None
        plaintext = self._cipher.decrypt(
            row.number_ciphertext, reference=row.reference, purpose="individual_number"
        )
        return plaintext.decode("utf-8")

    def _issue_on_postgresql(
        self,
        category: str,
        letter: str,
        counter: str,
        visit_reference: str | None,
        priority: bool,
    ) -> tuple[QueueTicket, list[float], frozenset[str]]:
        """One autocommitted statement, so the counter row is locked only on the server
        (see ``queueing.ISSUE_SQL``); the visit is looked up before, without locks."""
        now = self._now()
        visit_id = None
        if visit_reference is not None:
            with self._session() as session:
                visit_id = _visit_by_reference(session, _normalise_reference(visit_reference)).id
        with _database_errors(self._engine.url), self._autocommit.connect() as conn:
            issued = queueing.issue_in_one_statement(
                conn,
                day=_service_day(now),
                category=category,
                letter=letter,
                counter=counter,
                priority=priority,
                visit_id=visit_id,
                now=now,
                note="issued",
            )
        log.info("ticket %s issued for %s", issued[0].code, category)
        return issued

    def _finish_issue(
        self, session: Session, row: TicketRow, now: datetime, *, note: str
    ) -> QueueTicket:
        row.waiting_ahead = queueing.waiting_ahead(session, row)  # before the INSERT
        session.add(row)
        session.flush()
        queueing.record_event(session, row, now=now, counter=None, note=note)
        return queueing.to_queue_ticket(row)


def _new_ticket(
    session: Session, now: datetime, category: str, letter: str, counter: str, priority: bool
) -> TicketRow:
    day = _service_day(now)
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
    )


def _check_state(row: TicketRow, status: str, allowed_from: Collection[str]) -> None:
    if row.status not in allowed_from:
        raise TicketStateConflict(
            f"Ticket {row.code} is {row.status}; it cannot become {status}. "
            "Another counter may have changed it: reload the queue."
        )


def _count_passes_for(session: Session, row: TicketRow) -> None:
    """A ticket called out of turn passes the normal tickets of its category waiting ahead."""
    ahead = queueing.waiting_tickets(session, row.service_day, [row.category])
    queued = [t for t in ahead if (t.queued_at, t.id) < (row.queued_at.astimezone(), row.id)]
    queueing.count_passes(session, queued)


def _count_waiting(session: Session, day: date, category: str, *, before: int | None = None) -> int:
    stmt = (
        select(func.count())
        .select_from(TicketRow)
        .where(TicketRow.service_day == day)
        .where(TicketRow.category == category)
        .where(TicketRow.status == "waiting")
    )
    if before is not None:
        stmt = stmt.where(TicketRow.number < before)
    return session.scalar(stmt) or 0


def _link_ticket(session: Session, visit_id: int, ticket: Ticket) -> None:
    """Attach a ticket issued without a reference to the visit that now has one."""
    session.execute(
        update(TicketRow)
        .where(TicketRow.service_day == _service_day(_aware(ticket.issued_at)))
        .where(TicketRow.category == ticket.category)
        .where(TicketRow.number == ticket.number)
        .where(TicketRow.visit_id.is_(None))
        .values(visit_id=visit_id)
    )


def _to_access_event(row: AccessLogRow) -> AccessEvent:
    return AccessEvent(
        id=row.id,
        at=row.at.astimezone(),
        actor=row.actor,
        action=row.action,
        visit_reference=row.visit_reference,
        detail=row.detail,
    )


def _check_log_entry(*, actor: str, action: str, reference: str | None, detail: str) -> None:
    """Reject log values that are malformed or might carry personal data (never echoed)."""
    if not actor or len(actor) > ACTOR_MAX:
        raise ValueError(f"access log actor must be 1 to {ACTOR_MAX} characters")
    if len(action) > ACTION_MAX or not _ACTION.fullmatch(action):
        raise ValueError(
            f"access log action must be a machine string of at most {ACTION_MAX} characters "
            "(lowercase letters, digits, '_', '.', ':', '-'), e.g. 'individual_number_read'"
        )
    if reference is not None and len(reference) > REFERENCE_MAX:
        raise ValueError(f"visit reference must be at most {REFERENCE_MAX} characters")
    if len(detail) > DETAIL_MAX:
        raise ValueError(f"access log detail must be at most {DETAIL_MAX} characters")
    if any(NUMBER_LIKE.search(value) for value in (actor, action, reference or "", detail)):
        raise ValueError("access log entry looks like it holds an individual number; refused")


def _to_ticket_view(ticket: QueueTicket) -> Ticket:
    return Ticket(
        code=ticket.code,
        category=ticket.category,
        number=ticket.number,
        counter=ticket.counter,
        waiting_ahead=ticket.waiting_ahead,
        issued_at=ticket.issued_at,
        priority=ticket.priority,
    )


def _to_ticket(row: TicketRow) -> Ticket:
    return _to_ticket_view(queueing.to_queue_ticket(row))


def _visit_by_reference(session: Session, reference: str) -> VisitRow:
    row = session.scalar(select(VisitRow).where(VisitRow.reference == reference))
    if row is None:
        raise VisitNotFound(
            f"No visit with reference {reference!r}. Check the reference on the ticket; "
            "the visit may have been made on another kiosk database."
        )
    return row


def _unused_reference(session: Session) -> str:
    while True:
        reference = new_reference()
        taken = session.scalar(select(VisitRow.id).where(VisitRow.reference == reference))
        if taken is None:
            return reference


def _normalise_reference(reference: str) -> str:
    return reference.strip().upper()


def _check_choice(what: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"unknown {what} {value!r}; expected one of {', '.join(allowed)}")


def _rowcount(result: Result[Any]) -> int:
    return cast("CursorResult[Any]", result).rowcount


def _service_day(now: datetime) -> date:
    return now.astimezone().date()  # the kiosk machine's local calendar day


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime) -> datetime:
    """Treat a naive datetime (e.g. ``Visit.started_at``) as the machine's local time."""
    return value if value.tzinfo is not None else value.astimezone()


# -- engine plumbing ----------------------------------------------------------


def _parse_url(url: str) -> URL:
    try:
        return make_url(url)
    except (exc.ArgumentError, ValueError):
        # No chaining: the error text would repeat the URL, password included.
        raise DatabaseUnavailable(
            "Database URL is not valid (expected e.g. sqlite:////var/lib/ward-kiosk/kiosk.db). "
            "Fix it in the kiosk configuration."
        ) from None


def _safe_url(url: URL) -> str:
    return url.render_as_string(hide_password=True)


def _prepare_sqlite_file(url: URL) -> None:
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # SQLite gives its -wal and -shm files the main file's mode, so 0600 covers all three.
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    except OSError as err:
        raise DatabaseUnavailable(
            f"Database file {path} cannot be created ({err.strerror}). Check that the folder "
            "exists or can be created and is writable by the kiosk user."
        ) from err


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # SQLAlchemy's documented recipe: stop pysqlite emitting BEGIN so that
    # _on_sqlite_begin can choose BEGIN IMMEDIATE.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
    finally:
        cursor.close()


def _on_sqlite_begin(conn: Connection) -> None:
    immediate = conn.get_execution_options().get(_IMMEDIATE, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def _database_errors(url: URL) -> Iterator[None]:
    """Turn "cannot reach/open/write the database" errors into DatabaseUnavailable."""
    try:
        yield
    except (exc.OperationalError, exc.InterfaceError, exc.TimeoutError) as err:
        raise _unavailable(url, err) from err
    except exc.DatabaseError as err:
        if type(err) is not exc.DatabaseError:  # integrity/programming errors are bugs
            raise
        raise _unavailable(url, err) from err  # e.g. "file is not a database"


def _unavailable(url: URL, err: Exception) -> DatabaseUnavailable:
    reason = str(err.orig) if isinstance(err, exc.DBAPIError) else str(err)
    return DatabaseUnavailable(
        f"Database {_safe_url(url)} is unavailable: {reason}. Check that the disk is mounted "
        "and writable, the file is not damaged, and (for a server) that it is reachable."
    )
