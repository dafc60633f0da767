"""SQL for staff accounts (``kiosk.staff``): each function runs inside the caller's session."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.storage.models import StaffRow


def by_staff_id(session: Session, staff_id: str, *, lock: bool = False) -> StaffRow | None:
    """The account row, or None; ``lock`` takes a row lock (PostgreSQL) for an update."""
    stmt = select(StaffRow).where(StaffRow.staff_id == staff_id)
    if lock:
        stmt = stmt.with_for_update()
    return session.scalar(stmt)


def all_staff(session: Session, *, include_inactive: bool = True) -> list[StaffRow]:
    stmt = select(StaffRow).order_by(StaffRow.staff_id)
    if not include_inactive:
        stmt = stmt.where(StaffRow.active.is_(True))
    return list(session.scalars(stmt).all())


def insert(
    session: Session, *, staff_id: str, name: str, role: str, pin_hash: str, now: datetime
) -> StaffRow:
    row = StaffRow(
        staff_id=staff_id,
        display_name=name,
        role=role,
        pin_hash=pin_hash,
        failed_tries=0,
        locked_until=None,
        active=True,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    return row


def record_failure(row: StaffRow, *, now: datetime, max_tries: int, lock_until: datetime) -> bool:
    """Count a wrong PIN on a locked row; lock it at ``max_tries``. True if now locked."""
    row.failed_tries += 1
    row.updated_at = now
    if row.failed_tries >= max_tries:
        row.failed_tries = 0
        row.locked_until = lock_until
        return True
    return False


def record_success(row: StaffRow, *, now: datetime, new_hash: str | None) -> None:
    row.failed_tries = 0
    row.locked_until = None
    if new_hash is not None:
        row.pin_hash = new_hash
    row.updated_at = now
