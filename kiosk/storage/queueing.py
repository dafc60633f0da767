"""The queue's SQL: numbering, claiming the next ticket, status changes and their events.

Session-level functions used by ``Store``. Issue numbering is one atomic
``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` on the day's counter row: on
PostgreSQL the row lock it takes serialises kiosks issuing in one category; on
SQLite the transaction already holds the write lock (BEGIN IMMEDIATE). Every status
change writes a ``ticket_events`` row and, on PostgreSQL, a NOTIFY on
``QUEUE_CHANNEL`` that is delivered when the transaction commits.

On PostgreSQL issuing is one autocommitted statement (``ISSUE_SQL``): the counter row
stays locked only while the server runs it and commits, never across a round trip to
the kiosk, which under load is what kiosks waited for.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import cast

from sqlalchemy import Connection, Select, Table, bindparam, func, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from kiosk.storage import retention
from kiosk.storage.crypto import StorageError
from kiosk.storage.models import (
    TicketCounterRow,
    TicketEventRow,
    TicketRow,
    UtcDateTime,
    VisitRow,
)

QUEUE_CHANNEL = "ward_kiosk_queue"
SERVICE_SAMPLES = 20  # today's most recent services the estimate looks at


class TicketNotFound(StorageError):
    code = "ticket_not_found"


class TicketStateConflict(StorageError):
    """The ticket is not in a state that allows the change (e.g. someone else called it)."""

    code = "ticket_state_conflict"


@dataclass(frozen=True)
class QueueTicket:
    """A ticket as the queue sees it (times aware, in the machine's local zone)."""

    id: int
    code: str
    category: str
    number: int
    counter: str  # where the visitor is sent (from the procedure)
    status: str
    priority: bool
    passed: int  # times a later ticket was called before this one while it waited
    waiting_ahead: int  # at issue
    service_day: date
    issued_at: datetime
    queued_at: datetime
    status_at: datetime
    called_by: str | None  # the counter that called it, if any
    token: str = ""  # the phone page's secret (revision 0014); "" on older tickets


@dataclass(frozen=True)
class QueueEvent:
    """One status change: what pollers read and what NOTIFY carries as JSON."""

    id: int
    ticket_id: int
    code: str
    category: str
    status: str
    counter: str | None
    note: str
    at: datetime
    language: str = ""
    """The visitor's language, as chosen at the kiosk ("" for a ticket issued without one)."""

    def to_json(self) -> str:
        data = {**self.__dict__, "at": self.at.isoformat()}
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def from_json(cls, payload: str) -> QueueEvent:
        data = json.loads(payload)
        data["at"] = datetime.fromisoformat(data["at"]).astimezone()
        return cls(**data)


Chooser = Callable[[Sequence[QueueTicket]], QueueTicket | None]


def next_number(session: Session, day: date, category: str) -> int:
    """Bump and return the day's last number of ``category`` in one atomic statement."""
    insert = postgresql.insert if _dialect(session) == "postgresql" else sqlite.insert
    table = cast(Table, TicketCounterRow.__table__)
    stmt = (
        insert(table)
        .values(service_day=day, category=category, last_number=1)
        .on_conflict_do_update(
            index_elements=["service_day", "category"],
            set_={"last_number": table.c.last_number + 1},
        )
        .returning(table.c.last_number)
    )
    return int(session.execute(stmt).scalar_one())


# The day's counter bumped, the ticket and its event inserted, and the NOTIFY, in one
# statement. ``ward_kiosk_waiting_ahead`` (migration 0004) is VOLATILE so it counts with
# a fresh snapshot taken once the counter row is locked: the statement's own snapshot
# predates the wait and would miss the tickets committed meanwhile. The code matches
# Python's f"{letter}-{number:03d}"; the payload carries QueueEvent's fields; the last
# columns are ``service_seconds`` and ``closed_counters`` for the estimate (no lock needed;
# a read of its own would cost another round trip on every issue).
ISSUE_SQL = text(
    """
WITH counter AS (
    INSERT INTO ticket_counters AS c (service_day, category, last_number)
    VALUES (CAST(:day AS date), CAST(:category AS text), 1)
    ON CONFLICT (service_day, category) DO UPDATE SET last_number = c.last_number + 1
    RETURNING c.last_number AS number
), ticket AS (
    INSERT INTO tickets (visit_id, service_day, category, number, code, counter, status,
                         priority, passed, waiting_ahead, issued_at, queued_at, status_at,
                         language, token)
    SELECT CAST(:visit_id AS integer), CAST(:day AS date), CAST(:category AS text), number,
           CAST(:letter AS text) || '-' || CASE WHEN number < 1000
               THEN lpad(number::text, 3, '0') ELSE number::text END,
           CAST(:counter AS text), 'waiting', CAST(:priority AS boolean), 0,
           ward_kiosk_waiting_ahead(CAST(:day AS date), CAST(:category AS text), number,
                                    CAST(:priority AS boolean)),
           :now, :now, :now, CAST(:language AS text), CAST(:token AS text)
    FROM counter
    RETURNING id, number, code, waiting_ahead
), event AS (
    INSERT INTO ticket_events (ticket_id, at, status, counter, note)
    SELECT id, :now, 'waiting', NULL, CAST(:note AS text) FROM ticket
    RETURNING id, ticket_id
)
SELECT t.id, t.number, t.code, t.waiting_ahead, e.id AS event_id,
       pg_notify(CAST(:channel AS text), json_build_object(
           'id', e.id, 'ticket_id', t.id, 'code', t.code, 'category', CAST(:category AS text),
           'status', 'waiting', 'counter', NULL::text, 'note', CAST(:note AS text),
           'at', CAST(:at AS text), 'language', CAST(:language AS text))::text),
       ARRAY(SELECT extract(epoch FROM done_at - serving_at)::float8 FROM tickets
             WHERE service_day = CAST(:day AS date) AND category = CAST(:category AS text)
               AND status = 'done' AND serving_at IS NOT NULL
             ORDER BY done_at DESC LIMIT :samples) AS service_seconds,
       ARRAY(SELECT counter FROM counter_states WHERE NOT open) AS closed_counters
FROM ticket t JOIN event e ON e.ticket_id = t.id
"""
).bindparams(bindparam("now", type_=UtcDateTime()))


def issue_in_one_statement(
    conn: Connection,
    *,
    day: date,
    category: str,
    letter: str,
    counter: str,
    priority: bool,
    visit_id: int | None,
    now: datetime,
    note: str,
    language: str = "",
    token: str,
) -> tuple[QueueTicket, list[float], frozenset[str]]:
    """PostgreSQL: issue the next ticket with ``ISSUE_SQL`` on an autocommit connection;
    also today's ``service_seconds`` of the category and the closed counters."""
    at = now.astimezone()
    params = {
        "day": day,
        "category": category,
        "letter": letter,
        "counter": counter,
        "priority": priority,
        "visit_id": visit_id,
        "now": now,
        "note": note,
        "language": language,
        "channel": QUEUE_CHANNEL,
        "at": at.isoformat(),
        "samples": SERVICE_SAMPLES,
        "token": token,
    }
    row = conn.execute(ISSUE_SQL, params).one()
    ticket = QueueTicket(
        id=row.id,
        code=row.code,
        category=category,
        number=row.number,
        counter=counter,
        status="waiting",
        priority=priority,
        passed=0,
        waiting_ahead=row.waiting_ahead,
        service_day=day,
        issued_at=at,
        queued_at=at,
        status_at=at,
        called_by=None,
        token=token,
    )
    seconds = [float(s) for s in row.service_seconds if s is not None]
    return ticket, seconds, frozenset(row.closed_counters)


def ticket_of_visit(session: Session, reference: str) -> TicketRow | None:
    """The latest ticket issued for the visit ``reference`` (None: none yet)."""
    stmt = (
        select(TicketRow)
        .join(VisitRow, TicketRow.visit_id == VisitRow.id)
        .where(VisitRow.reference == reference)
        .order_by(TicketRow.issued_at.desc(), TicketRow.id.desc())
        .limit(1)
    )
    return session.scalar(stmt)


def waiting_ahead(session: Session, row: TicketRow) -> int:
    """Waiting tickets of the category issued before ``row`` (only priority ones for
    a priority ticket, which goes ahead of the normal ones)."""
    stmt = _waiting(row.service_day, [row.category]).where(TicketRow.number < row.number)
    if row.priority:
        stmt = stmt.where(TicketRow.priority.is_(True))
    return session.scalar(select(func.count()).select_from(stmt.subquery())) or 0


def waiting_tickets(session: Session, day: date, categories: Collection[str]) -> list[QueueTicket]:
    """Today's waiting tickets of ``categories``, first come first."""
    stmt = _waiting(day, categories).order_by(TicketRow.queued_at, TicketRow.id)
    return [to_queue_ticket(row) for row in session.scalars(stmt)]


def claim_next(
    session: Session, candidates: Sequence[QueueTicket], choose: Chooser
) -> QueueTicket | None:
    """Lock the ticket ``choose`` picks; one another counter holds or took is skipped."""
    left = list(candidates)
    while (chosen := choose(left)) is not None:
        locked = session.scalar(
            select(TicketRow.id)
            .where(TicketRow.id == chosen.id, TicketRow.status == "waiting")
            .with_for_update(skip_locked=True)
        )
        if locked is not None:
            count_passes(session, left[: left.index(chosen)])
            return chosen
        left.remove(chosen)
    return None


def count_passes(session: Session, ahead: Sequence[QueueTicket]) -> None:
    """A normal ticket ahead of the one called was passed once more.

    Rows another counter is locking right now are skipped rather than waited for,
    so two counters never deadlock (rarely, one pass then goes uncounted).
    """
    ids = [t.id for t in ahead if not t.priority]
    if not ids:
        return
    lockable = session.scalars(
        select(TicketRow.id)
        .where(TicketRow.id.in_(ids), TicketRow.status == "waiting")
        .order_by(TicketRow.id)
        .with_for_update(skip_locked=True)
    ).all()
    if lockable:
        session.execute(
            update(TicketRow).where(TicketRow.id.in_(lockable)).values(passed=TicketRow.passed + 1)
        )


def locked_ticket(session: Session, ticket_id: int) -> TicketRow:
    row = session.scalar(select(TicketRow).where(TicketRow.id == ticket_id).with_for_update())
    if row is None:
        raise TicketNotFound(f"No ticket with id {ticket_id}.")
    return row


def find_ticket_id(session: Session, day: date, code: str) -> int:
    row_id = session.scalar(
        select(TicketRow.id).where(TicketRow.service_day == day, TicketRow.code == code)
    )
    if row_id is None:
        raise TicketNotFound(f"No ticket {code!r} on {day.isoformat()}.")
    return row_id


def change_status(
    session: Session,
    row: TicketRow,
    status: str,
    *,
    now: datetime,
    counter: str | None,
    note: str = "",
) -> None:
    """Set the status and its timestamps, and record the event."""
    row.status = status
    row.status_at = now
    if status == "called":
        row.called_by = counter
    elif status == "serving":
        row.serving_at = now
    elif status == "done":
        row.done_at = now
        if row.visit_id is not None:  # the number is deleted once its procedures are done
            retention.forget_number_of_visit(session, row.visit_id)
    record_event(session, row, now=now, counter=counter, note=note)


def record_event(
    session: Session, row: TicketRow, *, now: datetime, counter: str | None, note: str = ""
) -> QueueEvent:
    event_row = TicketEventRow(
        ticket_id=row.id, at=now, status=row.status, counter=counter, note=note
    )
    session.add(event_row)
    session.flush()
    event = to_event(event_row, row)
    if _dialect(session) == "postgresql":
        session.execute(
            text("SELECT pg_notify(:channel, :payload)"),
            {"channel": QUEUE_CHANNEL, "payload": event.to_json()},
        )
    return event


def events_after(session: Session, event_id: int, limit: int = 500) -> list[QueueEvent]:
    stmt = (
        select(TicketEventRow, TicketRow)
        .join(TicketRow, TicketRow.id == TicketEventRow.ticket_id)
        .where(TicketEventRow.id > event_id)
        .order_by(TicketEventRow.id)
        .limit(limit)
    )
    return [to_event(event, ticket) for event, ticket in session.execute(stmt)]


def events_of(session: Session, ticket_id: int) -> list[QueueEvent]:
    stmt = (
        select(TicketEventRow, TicketRow)
        .join(TicketRow, TicketRow.id == TicketEventRow.ticket_id)
        .where(TicketEventRow.ticket_id == ticket_id)
        .order_by(TicketEventRow.id)
    )
    return [to_event(event, ticket) for event, ticket in session.execute(stmt)]


def last_event_id(session: Session) -> int:
    return session.scalar(select(func.max(TicketEventRow.id))) or 0


def waiting_counts(session: Session, day: date) -> dict[str, tuple[int, int]]:
    """Per category: (waiting normal, waiting priority)."""
    stmt = (
        select(TicketRow.category, TicketRow.priority, func.count())
        .where(TicketRow.service_day == day, TicketRow.status == "waiting")
        .group_by(TicketRow.category, TicketRow.priority)
    )
    counts: dict[str, tuple[int, int]] = {}
    for category, priority, n in session.execute(stmt):
        normal, prio = counts.get(category, (0, 0))
        counts[category] = (normal, prio + n) if priority else (normal + n, prio)
    return counts


def service_seconds(session: Session, day: date, category: str) -> list[float]:
    """Durations (start to done) of today's most recent services in ``category``."""
    stmt = (
        select(TicketRow.serving_at, TicketRow.done_at)
        .where(TicketRow.service_day == day, TicketRow.category == category)
        .where(TicketRow.status == "done", TicketRow.serving_at.is_not(None))
        .order_by(TicketRow.done_at.desc())
        .limit(SERVICE_SAMPLES)
    )
    return [
        (done - start).total_seconds()
        for start, done in session.execute(stmt)
        if start is not None and done is not None
    ]


def to_queue_ticket(row: TicketRow) -> QueueTicket:
    return QueueTicket(
        id=row.id,
        code=row.code,
        category=row.category,
        number=row.number,
        counter=row.counter,
        status=row.status,
        priority=row.priority,
        passed=row.passed,
        waiting_ahead=row.waiting_ahead,
        service_day=row.service_day,
        issued_at=row.issued_at.astimezone(),
        queued_at=row.queued_at.astimezone(),
        status_at=row.status_at.astimezone(),
        called_by=row.called_by,
        token=row.token or "",
    )


def to_event(event: TicketEventRow, ticket: TicketRow) -> QueueEvent:
    return QueueEvent(
        id=event.id,
        ticket_id=ticket.id,
        code=ticket.code,
        category=ticket.category,
        status=event.status,
        counter=event.counter,
        note=event.note,
        at=event.at.astimezone(),
        language=ticket.language,
    )


def _waiting(day: date, categories: Collection[str]) -> Select[TicketRow]:
    return select(TicketRow).where(
        TicketRow.service_day == day,
        TicketRow.category.in_(list(categories)),
        TicketRow.status == "waiting",
    )


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name
