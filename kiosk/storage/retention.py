"""Deleting personal data on schedule, for real.

Three layers: the individual number goes as soon as its ticket is done (and at
the latest when the service day ends); every visit's sealed data goes after the
retention period; and the day keys it was sealed with are destroyed, so any copy
left in a backup, a WAL file or a free page cannot be opened with any key the
ward holds. On SQLite, ``secure_delete`` zeroes freed pages and a checkpoint
empties the WAL after each purge.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Engine, Result, text, update
from sqlalchemy.orm import Session

from kiosk.storage import data_keys
from kiosk.storage.models import VisitRow
from kiosk.storage.visit_data import service_day

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Purged:
    """What one purge removed."""

    visits: int
    numbers: int
    day_keys: int


def forget_number_of_visit(session: Session, visit_id: int) -> None:
    """The individual number of a visit whose ticket is done: no procedure needs it now."""
    session.execute(update(VisitRow).where(VisitRow.id == visit_id).values(number_ciphertext=None))


def purge(session: Session, older_than: timedelta, now: datetime) -> Purged:
    """Clear expired visits' sealed data, yesterday's numbers, and expired day keys."""
    cutoff = now - older_than
    visits = _count(
        session.execute(
            update(VisitRow)
            .where(VisitRow.started_at < cutoff)
            .where(VisitRow.personal_data_purged_at.is_(None))
            .values(
                person_ciphertext=None,
                number_ciphertext=None,
                answers_ciphertext=None,
                answers={},
                personal_data_purged_at=now,
            )
        )
    )
    today_start = datetime.combine(service_day(now), time(0)).astimezone()
    numbers = _count(
        session.execute(
            update(VisitRow)
            .where(VisitRow.started_at < today_start)
            .where(VisitRow.number_ciphertext.is_not(None))
            .values(number_ciphertext=None)
        )
    )
    day_keys = data_keys.destroy_before(session, service_day(cutoff), now)
    return Purged(visits, numbers, day_keys)


def abandon_stale(session: Session, older_than: timedelta, now: datetime) -> int:
    """Visits left in progress (a kiosk that lost power): abandoned, their number deleted."""
    return _count(
        session.execute(
            update(VisitRow)
            .where(VisitRow.started_at < now - older_than)
            .where(VisitRow.status == "in_progress")
            .values(status="abandoned", finished_at=now, number_ciphertext=None)
        )
    )


def compact(engine: Engine) -> None:
    """On SQLite, move the WAL into the main file and truncate it (freed pages are zeroed)."""
    if engine.url.get_backend_name() != "sqlite":
        return  # PostgreSQL: old row versions are sealed to destroyed keys; autovacuum reclaims
    with engine.connect() as conn:
        conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    log.info("SQLite write-ahead log checkpointed and truncated after the purge")


def _count(result: Result[Any]) -> int:
    return int(cast("CursorResult[Any]", result).rowcount or 0)
