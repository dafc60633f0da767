"""Staff calls: a visitor touched "職員を呼ぶ" at a kiosk (table ``staff_calls``, revision 0012).

A kiosk only raises calls (INSERT, no RETURNING: its role cannot read them back); the
counter's supervisor page lists the open ones and acknowledges them (logged); the board
reads them for its staff corner. Times are the database server's clock. On PostgreSQL
every raise and acknowledgement NOTIFYs ``STAFF_CALL_CHANNEL`` at commit, so the
supervisor page hears of it at once; SQLite readers poll ``staff_calls_version``.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, select, text, update
from sqlalchemy.orm import Session

from kiosk.storage import audit
from kiosk.storage.models import ACTOR_MAX, StaffCallRow, UtcDateTime
from kiosk.storage.store_base import StoreBase, rowcount

log = logging.getLogger(__name__)

STAFF_CALL_CHANNEL = "ward_kiosk_staff_calls"
SCREEN_MAX = 64
LANGUAGE_MAX = 16
_NAME = re.compile(r"[A-Za-z0-9_.:-]{1,64}")

_INSERT = text(
    "INSERT INTO staff_calls (kiosk_id, screen, language, raised_at) "
    "VALUES (:kiosk_id, :screen, :language, :raised_at)"
).bindparams(bindparam("raised_at", type_=UtcDateTime()))


@dataclass(frozen=True)
class StaffCall:
    """One call for staff; ``seconds_ago`` by the database's clock when it was read."""

    id: int
    kiosk_id: str
    screen: str
    language: str
    raised_at: datetime
    seconds_ago: float
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None


def check_call(kiosk_id: str, screen: str, language: str) -> None:
    """ValueError unless the values are short machine names (never free text)."""
    for what, value in (("kiosk id", kiosk_id), ("screen", screen), ("language", language)):
        if not _NAME.fullmatch(value):
            raise ValueError(
                f"staff call {what} {value!r} must be 1 to 64 letters, digits or ._:- "
                "(a machine name, never text the visitor typed)"
            )


def _notify(session: Session, payload: str) -> None:
    """NOTIFY at commit (PostgreSQL); SQLite readers poll instead."""
    if audit.dialect_name(session) == "postgresql":
        session.execute(
            text("SELECT pg_notify(:channel, :payload)"),
            {"channel": STAFF_CALL_CHANNEL, "payload": payload},
        )


class StaffCallsForBoard(StoreBase):
    """Reading the open calls (board, counter)."""

    def open_staff_calls(self) -> list[StaffCall]:
        """Calls not yet acknowledged, oldest first."""
        with self._session() as session:
            now = audit.server_now(session)
            rows = session.scalars(
                select(StaffCallRow)
                .where(StaffCallRow.acknowledged_at.is_(None))
                .order_by(StaffCallRow.raised_at, StaffCallRow.id)
            )
            return [_to_call(row, now) for row in rows]

    def staff_calls_version(self) -> tuple[int, int]:
        """(calls raised, calls acknowledged): a change means the list changed (polling)."""
        with self._session() as session:
            raised, acked = session.execute(
                select(func.count(StaffCallRow.id), func.count(StaffCallRow.acknowledged_at))
            ).one()
            return int(raised), int(acked)


class StaffCallsForKiosk(StoreBase):
    """Raising a call (the kiosk may INSERT only)."""

    def raise_staff_call(self, *, kiosk_id: str, screen: str, language: str) -> None:
        """Record that a visitor at ``kiosk_id`` on ``screen`` asks for staff."""
        check_call(kiosk_id, screen, language)
        with self._session(write=True) as session:
            params = {"kiosk_id": kiosk_id, "screen": screen, "language": language}
            session.execute(_INSERT, {**params, "raised_at": audit.server_now(session)})
            _notify(session, f"raised:{kiosk_id}")
        log.info("staff called at kiosk %s (%s screen)", kiosk_id, screen)


class StaffCallsForCounter(StaffCallsForBoard):
    """Acknowledging a call (the counter may SELECT and UPDATE)."""

    def acknowledge_staff_call(self, call_id: int, *, actor: str) -> bool:
        """Mark the call handled by ``actor`` and log it; False if it already was."""
        if not actor or len(actor) > ACTOR_MAX:
            raise ValueError(f"actor must be 1 to {ACTOR_MAX} characters")
        with self._session(write=True) as session:
            kiosk_id = session.scalar(
                select(StaffCallRow.kiosk_id).where(StaffCallRow.id == call_id)
            )
            result = session.execute(
                update(StaffCallRow)
                .where(StaffCallRow.id == call_id, StaffCallRow.acknowledged_at.is_(None))
                .values(acknowledged_at=audit.server_now(session), acknowledged_by=actor)
            )
            if rowcount(result) == 0:
                return False
            _notify(session, f"acknowledged:{call_id}")
            audit.append(
                session,
                actor=actor,
                action="staff_call_acknowledged",
                visit_reference=None,
                detail=f"call={call_id} kiosk={kiosk_id}",
            )
        log.info("staff call %d acknowledged by %s", call_id, actor)
        return True


def _to_call(row: StaffCallRow, now: datetime) -> StaffCall:
    return StaffCall(
        id=row.id,
        kiosk_id=row.kiosk_id,
        screen=row.screen,
        language=row.language,
        raised_at=row.raised_at.astimezone(),
        seconds_ago=max(0.0, (now - row.raised_at).total_seconds()),
        acknowledged_at=row.acknowledged_at.astimezone() if row.acknowledged_at else None,
        acknowledged_by=row.acknowledged_by,
    )
