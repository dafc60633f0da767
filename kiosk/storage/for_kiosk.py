"""What a kiosk may do: store its visits (sealed), issue tickets, report its health, log.

A kiosk holds only the ward public key: nothing here reads personal data back.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import (
    func,
    select,
    update,
)
from sqlalchemy.orm import Session

from kiosk.storage import audit, counter_queries, pre_entries, queueing, retention, visit_data
from kiosk.storage.counter_queries import HealthCheck
from kiosk.storage.database import MIGRATIONS_DIR as MIGRATIONS_DIR
from kiosk.storage.database import SQLITE_BUSY_TIMEOUT_S as SQLITE_BUSY_TIMEOUT_S
from kiosk.storage.database import alembic_config as alembic_config
from kiosk.storage.database import create_kiosk_engine as create_kiosk_engine
from kiosk.storage.database import database_errors as _database_errors
from kiosk.storage.database import upgrade_database as upgrade_database
from kiosk.storage.for_board import BoardStore
from kiosk.storage.models import (
    VISIT_STATUSES,
    TicketRow,
    VisitRow,
    VisitStatus,
)
from kiosk.storage.pre_entries import PreEntriesForKiosk
from kiosk.storage.queueing import (
    QueueTicket,
)
from kiosk.storage.staff_calls import StaffCallsForKiosk
from kiosk.storage.store_base import (
    aware,
    check_choice,
    new_ticket,
    new_ticket_token,
    normalise_reference,
    service_day_of,
    to_ticket,
    to_ticket_view,
    unused_reference,
    visit_by_reference,
)
from kiosk.visit import Ticket, Visit

log = logging.getLogger(__name__)


class KioskStore(BoardStore, StaffCallsForKiosk, PreEntriesForKiosk):
    """The kiosk's side of the store."""

    def save_visit(self, visit: Visit, *, kiosk_id: str, status: VisitStatus) -> str:
        """Insert the visit, or update it if ``visit.reference`` is set; return the reference.

        Raises VisitNotFound if ``visit.reference`` is set but not stored.
        """
        check_choice("visit status", status, VISIT_STATUSES)
        now = self._now()
        if visit_data.holds_personal_data(visit):  # the day key, in its own transaction
            self._keys.ready(visit_data.service_day(visit.started_at), now)
        with self._session(write=True) as session:
            row = self._row_to_save(session, visit)
            row.kiosk_id = kiosk_id
            visit_data.fill_row(row, visit, self._keys, status=status, now=now)
            session.flush()
            if visit.ticket is not None:
                _link_ticket(session, row.id, visit.ticket)
            reference = row.reference
        visit.reference = reference
        log.info("visit %s saved as %s", reference, status)
        return reference

    def _row_to_save(self, session: Session, visit: Visit) -> VisitRow:
        if visit.reference:
            return visit_by_reference(session, normalise_reference(visit.reference))
        row = VisitRow(reference=unused_reference(session))
        session.add(row)
        return row

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
        return to_ticket_view(
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
            visit = None
            if visit_reference is not None:
                visit = visit_by_reference(session, normalise_reference(visit_reference))
            row = new_ticket(session, now, category, letter, counter, priority)
            if visit is not None:
                row.visit_id, row.language = visit.id, visit.language
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

    def ticket_of_visit(self, reference: str) -> Ticket | None:
        """The ticket already issued for a visit, if any: a checkout tried again reuses it."""
        with self._session() as session:
            row = queueing.ticket_of_visit(session, normalise_reference(reference))
            return None if row is None else to_ticket(row)

    def waiting_count(self, category: str) -> int:
        """Number of today's tickets in ``category`` that are still waiting."""
        day = service_day_of(self._now())
        with self._session() as session:
            return _count_waiting(session, day, category)

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

    def log_access(
        self, *, actor: str, action: str, visit_reference: str | None, detail: str = ""
    ) -> None:
        """Append an entry to the access log, e.g. ``action="individual_number_read"``.

        ``actor`` says who (``"kiosk:koto-1f-01"``, a staff id), ``action`` is a short
        machine string, ``detail`` free text that must never hold personal data. An
        unknown ``visit_reference`` is recorded as given, without a visit link.
        Raises ValueError for invalid values, without repeating them. The entry is timed
        by the database server and chained to the previous one (``kiosk.storage.audit``).
        """
        with self._session(write=True) as session:
            audit.append(
                session, actor=actor, action=action, visit_reference=visit_reference, detail=detail
            )
        log.info("access logged: %s by %s on visit %s", action, actor, visit_reference or "-")

    def purge_personal_data(self, older_than: timedelta, now: datetime | None = None) -> int:
        """Delete the personal data of visits started before ``now - older_than``.

        Also deletes the individual numbers of earlier service days and destroys the
        day keys of expired days (see :mod:`kiosk.storage.retention`), and the expired
        pre-entries. Procedures, times and tickets stay for statistics. Returns the
        number of visits newly marked purged, including visits that had no personal data.
        """
        now = aware(now) if now is not None else self._now()
        with self._session(write=True) as session:
            purged = retention.purge(session, older_than, now)
            pre = pre_entries.purge_expired(session, now)
        self._keys.forget()
        retention.compact(self._engine)
        log.info(
            "personal data purged from %d visits, %d individual numbers, %d day keys "
            "destroyed, %d expired pre-entries deleted",
            purged.visits,
            purged.numbers,
            purged.day_keys,
            pre,
        )
        return purged.visits

    def abandon_stale_visits(self, older_than: timedelta, now: datetime | None = None) -> int:
        """Mark visits still in progress that started before ``now - older_than`` abandoned.

        Their individual number is deleted too: no procedure will use it any more.
        """
        now = aware(now) if now is not None else self._now()
        with self._session(write=True) as session:
            count = retention.abandon_stale(session, older_than, now)
        log.info("%d stale visits marked abandoned", count)
        return count

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
        visit_id, language = None, ""
        if visit_reference is not None:
            with self._session() as session:
                visit = visit_by_reference(session, normalise_reference(visit_reference))
                visit_id, language = visit.id, visit.language
        with _database_errors(self._engine.url), self._autocommit.connect() as conn:
            issued = queueing.issue_in_one_statement(
                conn,
                day=service_day_of(now),
                category=category,
                letter=letter,
                counter=counter,
                priority=priority,
                visit_id=visit_id,
                now=now,
                note="issued",
                language=language,
                token=new_ticket_token(),
            )
        log.info("ticket %s issued for %s", issued[0].code, category)
        return issued


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
        .where(TicketRow.service_day == service_day_of(aware(ticket.issued_at)))
        .where(TicketRow.category == ticket.category)
        .where(TicketRow.number == ticket.number)
        .where(TicketRow.visit_id.is_(None))
        .values(visit_id=visit_id)
    )
