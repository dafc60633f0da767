"""The access log: append-only, hash-chained, timed by the database server.

Each entry's ``entry_hash`` is SHA-256 over a canonical JSON object (sorted keys, no
spaces, UTF-8) of the previous entry's hash, the entry's id, time (UTC, microseconds),
actor, action, visit reference and detail. Ids are the previous id plus one, taken
from the one-row chain head ``access_log_head`` while holding it locked (PostgreSQL:
``SELECT ... FOR UPDATE``; SQLite: writers already hold the write lock from BEGIN
IMMEDIATE), so writers on many PCs extend one chain and never fork it. Database
triggers refuse UPDATE and DELETE (revision 0009). ``audit_check`` verifies the chain.

Functions here run SQL in the caller's session and never commit.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Connection,
    DateTime,
    Select,
    String,
    func,
    insert,
    select,
    type_coerce,
    update,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator, TypeEngine

from kiosk.person import NUMBER_LIKE
from kiosk.storage.crypto import StorageError
from kiosk.storage.models import (
    ACTION_MAX,
    ACTOR_MAX,
    DETAIL_MAX,
    REFERENCE_MAX,
    AccessLogHeadRow,
    AccessLogRow,
    VisitRow,
)

GENESIS = "0" * 64
"""The ``prev_hash`` of the first entry."""
HASH_FORMAT = 1
"""``"v"`` in the hashed object; a new encoding would get a new number."""
PAGE = 2000
_TIME = DateTime(timezone=True)
_ACTION = re.compile(r"[a-z][a-z0-9_.:-]*")

Executor = Session | Connection


class AccessLogBroken(StorageError):
    """The access log's chain head is missing, so no entry can be chained to it."""

    code = "access_log_broken"


@dataclass(frozen=True)
class LogEntry:
    """One stored entry with its hashes. ``at`` is None when the stored value is no time."""

    id: int
    at: datetime | None
    actor: str
    action: str
    visit_reference: str | None
    detail: str
    prev_hash: str
    entry_hash: str


def entry_hash(
    *,
    prev_hash: str,
    entry_id: int,
    at: datetime,
    actor: str,
    action: str,
    visit_reference: str | None,
    detail: str,
) -> str:
    """SHA-256 (hex) of the entry's canonical encoding; see the module docstring."""
    fields = {
        "v": HASH_FORMAT,
        "prev_hash": prev_hash,
        "id": entry_id,
        "at": canonical_time(at),
        "actor": actor,
        "action": action,
        "visit_reference": visit_reference,
        "detail": detail,
    }
    encoded = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def canonical_time(at: datetime) -> str:
    """The hashed form of a time: UTC with microseconds, e.g. ``2024-04-01T03:00:00.000000Z``."""
    if at.tzinfo is None:
        raise ValueError("access log times must be timezone-aware")
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def check_entry(*, actor: str, action: str, reference: str | None, detail: str) -> None:
    """Reject values that are malformed or might carry personal data (never echoed)."""
    if not actor or len(actor) > ACTOR_MAX:
        raise ValueError(f"access log actor must be 1 to {ACTOR_MAX} characters")
    if len(action) > ACTION_MAX or not _ACTION.fullmatch(action):
        raise ValueError(
            f"access log action must be a machine string of at most {ACTION_MAX} characters "
            "(lowercase letters, digits, '_', '.', ':', '-'), e.g. 'individual_number_read'"
        )
    if reference is not None and len(reference) > REFERENCE_MAX:
        raise ValueError(f"visit reference must be at most {REFERENCE_MAX} characters")
    if len(detail) > DETAIL_MAX:
        raise ValueError(f"access log detail must be at most {DETAIL_MAX} characters")
    if any(NUMBER_LIKE.search(value) for value in (actor, action, reference or "", detail)):
        raise ValueError("access log entry looks like it holds an individual number; refused")


def append(
    session: Session, *, actor: str, action: str, visit_reference: str | None, detail: str = ""
) -> int:
    """Chain a new entry to the log in ``session``'s transaction; return its id.

    The chain head stays locked until the transaction ends, so call this last.
    Raises ValueError for invalid values, AccessLogBroken without a chain head.
    """
    reference = visit_reference.strip().upper() if visit_reference else None
    check_entry(actor=actor, action=action, reference=reference, detail=detail)
    last_id, last_hash = _lock_head(session)
    at = server_now(session)
    entry_id = last_id + 1
    digest = entry_hash(
        prev_hash=last_hash,
        entry_id=entry_id,
        at=at,
        actor=actor,
        action=action,
        visit_reference=reference,
        detail=detail,
    )
    visit_id = None
    if reference is not None:
        visit_id = session.scalar(select(VisitRow.id).where(VisitRow.reference == reference))
    values = {"actor": actor, "action": action, "visit_reference": reference, "detail": detail}
    session.execute(
        insert(AccessLogRow).values(
            id=entry_id, at=at, visit_id=visit_id, prev_hash=last_hash, entry_hash=digest, **values
        )
    )
    session.execute(
        update(AccessLogHeadRow)
        .where(AccessLogHeadRow.id == 1)
        .values(last_id=entry_id, last_hash=digest)
    )
    return entry_id


def server_now(conn: Executor) -> datetime:
    """The database server's time: PostgreSQL's ``clock_timestamp()``; SQLite runs in this
    process, so this machine's clock is the server's."""
    if dialect_name(conn) == "postgresql":
        return _utc(conn.execute(select(func.clock_timestamp(type_=_TIME))).scalar_one())
    return datetime.now(UTC)


def dialect_name(conn: Executor) -> str:
    """``"sqlite"`` or ``"postgresql"``."""
    bind = conn.get_bind() if isinstance(conn, Session) else conn
    return bind.dialect.name


def recent(
    session: Session, *, visit_reference: str | None = None, limit: int = 100
) -> list[AccessLogRow]:
    """Up to ``limit`` entries, newest (highest id) first, optionally of one visit."""
    if limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}")
    stmt = select(AccessLogRow).order_by(AccessLogRow.id.desc()).limit(limit)
    if visit_reference is not None:
        stmt = stmt.where(AccessLogRow.visit_reference == visit_reference.strip().upper())
    return list(session.scalars(stmt))


def entries(
    conn: Executor, *, start: datetime | None = None, end: datetime | None = None
) -> Iterator[LogEntry]:
    """Every entry in id order, optionally those with ``start <= at < end``, page by page."""
    after = 0
    while True:
        stmt = _entries_after(after)
        if start is not None:
            stmt = stmt.where(AccessLogRow.at >= start)
        if end is not None:
            stmt = stmt.where(AccessLogRow.at < end)
        page = [LogEntry(*row) for row in conn.execute(stmt)]
        yield from page
        if len(page) < PAGE:
            return
        after = page[-1].id


def head(conn: Executor) -> tuple[int, str] | None:
    """The chain head as stored: (last id, last hash), or None if its row is missing."""
    stmt = select(AccessLogHeadRow.last_id, AccessLogHeadRow.last_hash)
    row = conn.execute(stmt.where(AccessLogHeadRow.id == 1)).first()
    return None if row is None else (row[0], row[1])


def _lock_head(session: Session) -> tuple[int, str]:
    stmt = (
        select(AccessLogHeadRow.last_id, AccessLogHeadRow.last_hash)
        .where(AccessLogHeadRow.id == 1)
        .with_for_update()
    )
    row = session.execute(stmt).first()
    if row is None:
        raise AccessLogBroken(
            "The access log's chain head (the one row of table access_log_head) is missing, "
            "so nothing can be logged. Run 'ward-kiosk audit verify' and report it: someone "
            "with database rights removed it. Restore it from the last verified head "
            "(INSERT INTO access_log_head (id, last_id, last_hash) VALUES (1, <id>, '<hash>'))."
        )
    return int(row[0]), str(row[1])


def _entries_after(after: int) -> Select[Any]:
    return (
        select(
            AccessLogRow.id,
            type_coerce(AccessLogRow.at, _StoredTime()),
            AccessLogRow.actor,
            AccessLogRow.action,
            AccessLogRow.visit_reference,
            AccessLogRow.detail,
            AccessLogRow.prev_hash,
            AccessLogRow.entry_hash,
        )
        .where(AccessLogRow.id > after)
        .order_by(AccessLogRow.id)
        .limit(PAGE)
    )


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class _StoredTime(TypeDecorator[Any]):
    """``at`` as stored, for checking: a value that is no time (written by hand into
    SQLite) reads as None instead of failing the whole read."""

    impl = String
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(_TIME)
        return dialect.type_descriptor(String())

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if isinstance(value, datetime):
            return _utc(value)
        if not isinstance(value, str):
            return None
        try:
            return _utc(datetime.fromisoformat(value))
        except ValueError:
            return None
