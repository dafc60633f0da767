"""Read-only queries for the anonymous statistics (:mod:`kiosk.stats`).

Only the columns the statistics need are selected: never a reference, kiosk id, ticket
number or code, answers, or any ciphertext. Takes an Engine (e.g. from
``create_kiosk_engine``); database errors become :class:`DatabaseUnavailable`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from kiosk.stats import TicketFacts, VisitFacts
from kiosk.storage.crypto import DatabaseUnavailable
from kiosk.storage.models import TicketEventRow, TicketRow, VisitRow


def ticket_facts(engine: Engine, start: datetime, end: datetime) -> list[TicketFacts]:
    """Tickets issued in ``[start, end)`` (aware datetimes), with their first call."""
    first_call = (
        select(TicketEventRow.ticket_id, func.min(TicketEventRow.at).label("at"))
        .where(TicketEventRow.status == "called")
        .group_by(TicketEventRow.ticket_id)
        .subquery()
    )
    stmt = (
        select(
            TicketRow.category,
            TicketRow.status,
            TicketRow.issued_at,
            first_call.c.at,  # min() keeps the UTC-aware column type
            TicketRow.serving_at,
            TicketRow.done_at,
        )
        .outerjoin(first_call, first_call.c.ticket_id == TicketRow.id)
        .where(TicketRow.issued_at >= start, TicketRow.issued_at < end)
        .order_by(TicketRow.issued_at)
    )
    with _session(engine) as session:
        rows = session.execute(stmt).all()
    return [
        TicketFacts(
            category=category,
            status=status,
            issued_at=issued_at,
            first_called_at=called,
            serving_at=serving_at,
            done_at=done_at,
        )
        for category, status, issued_at, called, serving_at, done_at in rows
    ]


def visit_facts(engine: Engine, start: datetime, end: datetime) -> list[VisitFacts]:
    """Visits started in ``[start, end)``."""
    stmt = (
        select(
            VisitRow.started_at,
            VisitRow.language,
            VisitRow.used_card,
            VisitRow.used_voice,
            VisitRow.status,
        )
        .where(VisitRow.started_at >= start, VisitRow.started_at < end)
        .order_by(VisitRow.started_at)
    )
    with _session(engine) as session:
        rows = session.execute(stmt).all()
    return [
        VisitFacts(
            started_at=s, language=lang, used_card=bool(card), used_voice=bool(voice), status=status
        )
        for s, lang, card, voice, status in rows
    ]


@contextmanager
def _session(engine: Engine) -> Iterator[Session]:
    try:
        with Session(engine) as session, session.begin():
            yield session
    except SQLAlchemyError as err:
        url = engine.url.render_as_string(hide_password=True)
        raise DatabaseUnavailable(
            f"Database {url} is unavailable: {type(err).__name__}. Check that it is "
            "reachable and that a kiosk has created it (ward-kiosk doctor)."
        ) from err
