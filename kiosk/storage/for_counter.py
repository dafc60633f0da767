"""What a counter may do: open visits (with the ward private key), correct them, run the queue."""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import date

from sqlalchemy import (
    select,
)
from sqlalchemy.orm import Session

from kiosk.person import Person
from kiosk.storage import audit, counter_queries, queueing, visit_data
from kiosk.storage.counter_queries import CounterState
from kiosk.storage.crypto import StorageError
from kiosk.storage.database import MIGRATIONS_DIR as MIGRATIONS_DIR
from kiosk.storage.database import SQLITE_BUSY_TIMEOUT_S as SQLITE_BUSY_TIMEOUT_S
from kiosk.storage.database import alembic_config as alembic_config
from kiosk.storage.database import create_kiosk_engine as create_kiosk_engine
from kiosk.storage.database import upgrade_database as upgrade_database
from kiosk.storage.models import (
    TICKET_STATUSES,
    TicketRow,
    TicketStatus,
    VisitRow,
)
from kiosk.storage.pre_entries import PreEntriesForKiosk
from kiosk.storage.queueing import (
    Chooser,
    QueueTicket,
    TicketNotFound,
    TicketStateConflict,
)
from kiosk.storage.staff_calls import StaffCallsForCounter
from kiosk.storage.store_base import (
    AccessEvent,
    StoreBase,
    check_choice,
    new_ticket,
    normalise_reference,
    service_day_of,
    to_access_event,
    to_ticket,
    visit_by_reference,
)
from kiosk.visit import Visit

log = logging.getLogger(__name__)


class CounterStore(StaffCallsForCounter, PreEntriesForKiosk, StoreBase):
    """The counter's side of the store."""

    def load_visit(self, reference: str) -> Visit:
        """Return the stored visit with its person and number decrypted, and its latest ticket.

        Does not write the access log: a caller that goes on to use the individual
        number records that with ``log_access``.
        """
        reference = normalise_reference(reference)
        with self._session() as session:
            row = visit_by_reference(session, reference)
            ticket_row = session.scalar(
                select(TicketRow)
                .where(TicketRow.visit_id == row.id)
                .order_by(TicketRow.issued_at.desc(), TicketRow.id.desc())
                .limit(1)
            )
            ticket = to_ticket(ticket_row) if ticket_row is not None else None
            return visit_data.to_visit(session, row, ticket, self._keys)

    def correct_person(self, reference: str, person: Person) -> None:
        """Replace a visit's card data with ``person`` (a counter's correction).

        Raises VisitNotFound, or StorageError when the visit holds no card data (never
        read, or already deleted after the retention period): a correction must not
        bring deleted data back.
        """
        reference = normalise_reference(reference)
        now = self._now()
        with self._session() as session:
            started = visit_by_reference(session, reference).started_at
        self._keys.ready(visit_data.service_day(started), now)
        with self._session(write=True) as session:
            row = visit_by_reference(session, reference)
            if row.person_ciphertext is None:
                raise StorageError(
                    f"Visit {reference} holds no card data to correct (none was read, or it "
                    "was deleted after the retention period). Fill the form in by hand."
                )
            row.person_ciphertext = visit_data.seal_person(self._keys, row, person, now)
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

    def access_events(
        self, *, visit_reference: str | None = None, limit: int = 100
    ) -> list[AccessEvent]:
        """Return up to ``limit`` access log entries, newest first, optionally of one visit."""
        with self._session() as session:
            rows = audit.recent(session, visit_reference=visit_reference, limit=limit)
        return [to_access_event(row) for row in rows]

    def set_counter_open(self, counter: str, open: bool, *, actor: str) -> CounterState:
        """Open or close a counter (``actor``: who, e.g. a staff id); written to the access log.

        Closed counters are left out of the waiting-time estimate. A counter never
        set is open. Raises ValueError for a counter id or actor that cannot be stored.
        """
        if not counter or len(counter) > counter_queries.COUNTER_MAX:
            raise ValueError(f"counter id must be 1 to {counter_queries.COUNTER_MAX} characters")
        action = "counter_opened" if open else "counter_closed"
        detail = f"counter={counter}"
        audit.check_entry(actor=actor, action=action, reference=None, detail=detail)
        now = self._now()
        with self._session(write=True) as session:
            state = counter_queries.upsert_counter_state(
                session, counter=counter, is_open=open, now=now, actor=actor
            )
            audit.append(session, actor=actor, action=action, visit_reference=None, detail=detail)
        log.info("counter %s %s by %s", counter, "opened" if open else "closed", actor)
        return state

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
        check_choice("ticket status", status, TICKET_STATUSES)
        day = service_day or service_day_of(self._now())
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

    def call_next(
        self, *, categories: Collection[str], counter: str, choose: Chooser
    ) -> QueueTicket | None:
        """Call the waiting ticket ``choose`` picks among today's of ``categories``.

        Safe with several counters calling at once: the chosen row is claimed with
        ``FOR UPDATE SKIP LOCKED`` on PostgreSQL (SQLite holds its write lock).
        """
        now = self._now()
        with self._session(write=True) as session:
            waiting = queueing.waiting_tickets(session, service_day_of(now), categories)
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
        check_choice("ticket status", status, TICKET_STATUSES)
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
            token, old.token = old.token, None  # the phone page follows the visitor on
            session.flush()
            row = new_ticket(session, now, category, letter, counter, old.priority)
            row.token = token or row.token
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
        day = service_day or service_day_of(self._now())
        with self._session() as session:
            row = queueing.locked_ticket(session, queueing.find_ticket_id(session, day, code))
            return queueing.to_queue_ticket(row)

    def waiting_tickets(self, categories: Collection[str]) -> list[QueueTicket]:
        """Today's waiting tickets of ``categories``, first come first."""
        with self._session() as session:
            return queueing.waiting_tickets(session, service_day_of(self._now()), categories)


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
