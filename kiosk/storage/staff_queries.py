"""SQL for staff accounts (``kiosk.staff``): each function runs inside the caller's session.

Sign-in tries are counted with one atomic ``UPDATE ... RETURNING`` *before* the PIN or
code is checked, so parallel tries cannot all see the same count: the database orders
them (a row lock on PostgreSQL, the write lock taken at BEGIN IMMEDIATE on SQLite).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, literal, or_, select, update
from sqlalchemy.orm import Session

from kiosk.storage.models import StaffRow, UtcDateTime


@dataclass(frozen=True)
class CountedTry:
    """An account after one more try was counted (before that try is checked)."""

    failed_tries: int  # 0 when this try locked the account
    locks: bool  # this try was the last one allowed: the account is locked now
    pin_hash: str
    role: str
    active: bool
    totp_secret: bytes | None


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


def count_try(
    session: Session, staff_id: str, *, now: datetime, max_tries: int, lock_until: datetime
) -> CountedTry | None:
    """Count one try on an account that is not locked, in one statement.

    The try that reaches ``max_tries`` locks the account until ``lock_until`` and starts
    the count again. None when there is no such account or it is locked: then nothing
    was counted and nothing may be checked.
    """
    tries = StaffRow.failed_tries + 1
    reaches = tries >= max_tries
    stmt = (
        update(StaffRow)
        .where(StaffRow.staff_id == staff_id)
        .where(or_(StaffRow.locked_until.is_(None), StaffRow.locked_until <= now))
        .values(
            failed_tries=case((reaches, 0), else_=tries),
            locked_until=case((reaches, literal(lock_until, UtcDateTime())), else_=None),
            updated_at=now,
        )
        .returning(
            StaffRow.failed_tries,
            StaffRow.locked_until,
            StaffRow.pin_hash,
            StaffRow.role,
            StaffRow.active,
            StaffRow.totp_secret,
        )
        .execution_options(synchronize_session=False)
    )
    row = session.execute(stmt).one_or_none()
    if row is None:
        return None
    return CountedTry(
        failed_tries=row.failed_tries,
        locks=row.locked_until is not None,
        pin_hash=row.pin_hash,
        role=row.role,
        active=row.active,
        totp_secret=row.totp_secret,
    )


def claim_totp_step(session: Session, staff_id: str, step: int) -> bool:
    """Record ``step`` as used unless it (or a later one) already was. False: a replay."""
    stmt = (
        update(StaffRow)
        .where(StaffRow.staff_id == staff_id)
        .where(or_(StaffRow.totp_last_step.is_(None), StaffRow.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    return bool(session.execute(stmt).rowcount)  # type: ignore[attr-defined]


def record_success(row: StaffRow, *, now: datetime, new_hash: str | None) -> None:
    row.failed_tries = 0
    row.locked_until = None
    if new_hash is not None:
        row.pin_hash = new_hash
    row.updated_at = now


def set_totp_secret(row: StaffRow, sealed: bytes) -> None:
    """A new sealed secret; the steps used with an earlier secret no longer matter."""
    row.totp_secret = sealed
    row.totp_last_step = None
