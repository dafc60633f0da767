"""Open and closed counters and kiosk heartbeats: the values, and SQL run in the caller's session.

Both tables hold one row per counter or kiosk, written with INSERT ... ON CONFLICT DO
UPDATE, so two processes writing the same row at once cannot fail on the primary key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal, get_args

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert

from kiosk.person import NUMBER_LIKE
from kiosk.storage.models import (
    DETAIL_MAX,
    Base,
    CounterStateRow,
    KioskHeartbeatRow,
    TicketRow,
    VisitRow,
)

HealthStatus = Literal["ok", "warning", "error"]
HEALTH_STATUSES: tuple[str, ...] = get_args(HealthStatus)
COUNTER_MAX = 32
KIOSK_ID_MAX = 64
VERSION_MAX = 32
CHECK_NAME_MAX = 64
STALE_AFTER_INTERVALS = 3
"""A kiosk whose last heartbeat is older than this many intervals counts as silent."""


@dataclass(frozen=True)
class CounterState:
    """Whether a counter is open, and who changed that when."""

    counter: str
    open: bool
    changed_at: datetime
    changed_by: str


@dataclass(frozen=True)
class HealthCheck:
    """One device check of a kiosk; ``detail`` is short technical text, never personal data."""

    name: str
    status: HealthStatus
    detail: str

    def __post_init__(self) -> None:
        if self.status not in HEALTH_STATUSES:
            raise ValueError(
                f"health check {self.name!r} has status {self.status!r}; "
                f"expected one of {', '.join(HEALTH_STATUSES)}"
            )
        if not self.name or len(self.name) > CHECK_NAME_MAX:
            raise ValueError(f"health check names must be 1 to {CHECK_NAME_MAX} characters")


@dataclass(frozen=True)
class KioskHeartbeat:
    """A kiosk's latest heartbeat: when, which version, and its checks."""

    kiosk_id: str
    at: datetime
    version: str
    checks: tuple[HealthCheck, ...]

    def stale(self, now: datetime, interval_seconds: float) -> bool:
        """True when no heartbeat came for more than three intervals (the kiosk is silent)."""
        return now - self.at > timedelta(seconds=STALE_AFTER_INTERVALS * interval_seconds)

    @property
    def worst(self) -> HealthStatus:
        """The worst status of the checks: "error", else "warning", else "ok"."""
        statuses = {check.status for check in self.checks}
        return next((s for s in ("error", "warning") if s in statuses), "ok")


# -- counters -------------------------------------------------------------------------


def upsert_counter_state(
    session: Session, *, counter: str, is_open: bool, now: datetime, actor: str
) -> CounterState:
    values = {"counter": counter, "open": is_open, "changed_at": now, "changed_by": actor}
    session.execute(_upsert(session, CounterStateRow, values, key="counter"))
    return CounterState(counter, is_open, now, actor)


def counter_states(session: Session) -> dict[str, CounterState]:
    rows = session.scalars(select(CounterStateRow).order_by(CounterStateRow.counter)).all()
    return {
        row.counter: CounterState(row.counter, row.open, row.changed_at, row.changed_by)
        for row in rows
    }


def closed_counters(session: Session) -> frozenset[str]:
    stmt = select(CounterStateRow.counter).where(CounterStateRow.open.is_(False))
    return frozenset(session.scalars(stmt))


# -- kiosk heartbeats -----------------------------------------------------------------


def upsert_heartbeat(
    session: Session,
    *,
    kiosk_id: str,
    version: str,
    checks: Sequence[HealthCheck],
    now: datetime,
) -> None:
    stored = [{"name": c.name, "status": c.status, "detail": safe_detail(c.detail)} for c in checks]
    values = {"kiosk_id": kiosk_id, "at": now, "version": version, "checks": stored}
    session.execute(_upsert(session, KioskHeartbeatRow, values, key="kiosk_id"))


def heartbeats(session: Session) -> list[KioskHeartbeat]:
    rows = session.scalars(select(KioskHeartbeatRow).order_by(KioskHeartbeatRow.kiosk_id)).all()
    return [_to_heartbeat(row) for row in rows]


def safe_detail(detail: str) -> str:
    """One line of at most DETAIL_MAX characters, anything shaped like an individual
    number masked (a device serial could look like one; the heartbeat must still go)."""
    line = NUMBER_LIKE.sub("############", " ".join(detail.split()))
    return line if len(line) <= DETAIL_MAX else line[: DETAIL_MAX - 1] + "…"


def check_heartbeat(kiosk_id: str, version: str) -> None:
    if not kiosk_id or len(kiosk_id) > KIOSK_ID_MAX:
        raise ValueError(f"kiosk id must be 1 to {KIOSK_ID_MAX} characters")
    if len(version) > VERSION_MAX:
        raise ValueError(f"version must be at most {VERSION_MAX} characters")


def _to_heartbeat(row: KioskHeartbeatRow) -> KioskHeartbeat:
    checks = tuple(
        HealthCheck(str(c["name"]), _status(c.get("status")), str(c.get("detail", "")))
        for c in row.checks
    )
    return KioskHeartbeat(row.kiosk_id, row.at, row.version, checks)


def _status(value: object) -> HealthStatus:
    """A stored status; anything unknown (a newer kiosk's) reads as a warning."""
    if value == "ok":
        return "ok"
    return "error" if value == "error" else "warning"


def _upsert(session: Session, model: type[Base], values: Mapping[str, Any], *, key: str) -> Insert:
    """INSERT ... ON CONFLICT (key) DO UPDATE, in the dialect's own syntax."""
    dialect = session.get_bind().dialect.name
    changes = {name: value for name, value in values.items() if name != key}
    if dialect == "postgresql":
        pg = postgresql.insert(model).values(**values)
        return pg.on_conflict_do_update(index_elements=[key], set_=changes)
    if dialect == "sqlite":
        lite = sqlite.insert(model).values(**values)
        return lite.on_conflict_do_update(index_elements=[key], set_=changes)
    raise NotImplementedError(f"upsert is written for PostgreSQL and SQLite, not {dialect}")


# -- need-to-know ---------------------------------------------------------------------


@dataclass(frozen=True)
class TicketPlace:
    """Where a visit's latest ticket queues; both None when it has no ticket."""

    category: str | None
    service_day: date | None


def visit_ticket_place(session: Session, reference: str) -> TicketPlace | None:
    """The queue of the visit's latest ticket, read without any personal data; None when
    no visit has ``reference``."""
    visit_id = session.scalar(
        select(VisitRow.id).where(VisitRow.reference == reference.strip().upper())
    )
    if visit_id is None:
        return None
    row = session.execute(
        select(TicketRow.category, TicketRow.service_day)
        .where(TicketRow.visit_id == visit_id)
        .order_by(TicketRow.issued_at.desc(), TicketRow.id.desc())
        .limit(1)
    ).first()
    return TicketPlace(row.category, row.service_day) if row else TicketPlace(None, None)


def visit_reference_of_token(session: Session, token: str) -> str | None:
    """The reference of the visit whose ticket has ``token`` (the secret of its phone
    page, ``<public_url>/t/<token>``); None when no ticket has it or it has no visit."""
    stmt = (
        select(VisitRow.reference)
        .join(TicketRow, TicketRow.visit_id == VisitRow.id)
        .where(TicketRow.token == token)
    )
    return session.scalar(stmt)
