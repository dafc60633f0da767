"""The web's reads and its one write, as session-level functions (``for_web``).

Each function is one statement, whatever the number of tickets it covers: the web
refreshes every follower's page at once after each queue event.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from datetime import date, datetime

from sqlalchemy import LargeBinary, bindparam, select, text
from sqlalchemy.orm import Session

from kiosk.storage.models import TOKEN_MAX, TicketRow, UtcDateTime
from kiosk.storage.queueing import SERVICE_SAMPLES
from kiosk.storage.store_base import rowcount

TOKENS_PER_QUERY = 500  # bound parameters per IN list, well under SQLite's limit


# Plain SQL: SQLAlchemy's insert() would fetch the new id first (RETURNING, or nextval
# and then a rowcount of -1). No conflict target: naming one needs SELECT on its column,
# and the web role may only insert.
_INSERT_PRE_ENTRY = text(
    "INSERT INTO pre_entries (lookup, payload, created_at, expires_at) "
    "VALUES (:lookup, :payload, :created_at, :expires_at) ON CONFLICT DO NOTHING"
).bindparams(
    bindparam("lookup", type_=LargeBinary()),
    bindparam("payload", type_=LargeBinary()),
    bindparam("created_at", type_=UtcDateTime()),
    bindparam("expires_at", type_=UtcDateTime()),
)


def insert_pre_entry(
    session: Session, *, lookup: bytes, payload: bytes, created_at: datetime, expires_at: datetime
) -> bool:
    """Insert a pre-entry row unless its lookup id is taken; False when it was."""
    params = {
        "lookup": lookup,
        "payload": payload,
        "created_at": created_at,
        "expires_at": expires_at,
    }
    return rowcount(session.execute(_INSERT_PRE_ENTRY, params)) == 1


def tickets_by_token(session: Session, day: date, tokens: Collection[str]) -> list[TicketRow]:
    """The day's tickets with one of ``tokens`` (one query per ``TOKENS_PER_QUERY``)."""
    wanted = sorted({t for t in tokens if t and len(t) <= TOKEN_MAX})
    found: list[TicketRow] = []
    for start in range(0, len(wanted), TOKENS_PER_QUERY):
        chunk = wanted[start : start + TOKENS_PER_QUERY]
        stmt = select(TicketRow).where(TicketRow.service_day == day, TicketRow.token.in_(chunk))
        found.extend(session.scalars(stmt))
    return found


def service_seconds_by_category(
    session: Session, day: date, categories: Collection[str] | None = None
) -> dict[str, list[float]]:
    """``queueing.service_seconds`` of every category (or of ``categories``) at once."""
    stmt = (
        select(TicketRow.category, TicketRow.serving_at, TicketRow.done_at)
        .where(TicketRow.service_day == day, TicketRow.status == "done")
        .where(TicketRow.serving_at.is_not(None))
        .order_by(TicketRow.done_at.desc())
    )
    if categories is not None:
        stmt = stmt.where(TicketRow.category.in_(list(categories)))
    seconds: dict[str, list[float]] = {}
    for category, start, done in session.execute(stmt):
        samples = seconds.setdefault(category, [])
        if start is not None and done is not None and len(samples) < SERVICE_SAMPLES:
            samples.append((done - start).total_seconds())
    return seconds


def issued_by_hour(session: Session, day: date) -> dict[int, int]:
    """Tickets issued on ``day`` per hour of the machine's local clock (0 to 23)."""
    stmt = select(TicketRow.issued_at).where(
        TicketRow.service_day == day, TicketRow.transferred_from_id.is_(None)
    )
    hours = Counter(at.astimezone().hour for at in session.scalars(stmt))
    return dict(sorted(hours.items()))
