"""Verify the access log's hash chain, and name the first entry that was tampered with.

Walking the log in id order, an entry whose content no longer hashes to its
``entry_hash`` was changed (or, if it hashes with another id, moved); an entry whose
``prev_hash`` is not the previous entry's hash follows a removed entry (no entry has
that hash) or was reordered (another entry has it). The last entry is compared with
the chain head. A deleted last entry whose head was also rewritten, or a chain
recomputed from the tampered entry on, can only be seen against an earlier export:
``compare_export``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import func, select

from kiosk.storage import audit
from kiosk.storage.audit import GENESIS, Executor, LogEntry
from kiosk.storage.models import AccessLogRow

ProblemKind = Literal["changed", "removed", "reordered", "head"]
_NEARBY = 1000  # ids tried either side to find where a moved entry was written


@dataclass(frozen=True)
class Head:
    """What a reviewer notes down: how many entries, and the last one's id and hash."""

    entries: int
    last_id: int | None
    last_hash: str


@dataclass(frozen=True)
class Problem:
    """The first place where the log differs from what was written."""

    kind: ProblemKind
    entry_id: int | None
    at: datetime | None
    message: str


@dataclass(frozen=True)
class Verdict:
    head: Head
    problem: Problem | None

    @property
    def intact(self) -> bool:
        return self.problem is None


def verify(conn: Executor) -> Verdict:
    """Check every entry's hash and link, then the chain head; read-only."""
    count, previous, problem = 0, None, None
    expected = GENESIS
    for entry in audit.entries(conn):
        count += 1
        if problem is None:
            problem = _check(conn, entry, expected, previous)
        expected, previous = entry.entry_hash, entry
    head = Head(count, previous.id if previous else None, expected)
    return Verdict(head, problem or _check_head(conn, head))


def current_head(conn: Executor) -> Head:
    """The log's size and last entry now, checking nothing (cheap)."""
    count = conn.scalar(select(func.count()).select_from(AccessLogRow)) or 0
    stmt = select(AccessLogRow.id, AccessLogRow.entry_hash).order_by(AccessLogRow.id.desc())
    last = conn.execute(stmt.limit(1)).first()
    return Head(count, last[0], last[1]) if last else Head(count, None, GENESIS)


def compare_export(conn: Executor, exported: Iterable[tuple[int, str, str]]) -> Problem | None:
    """Check (id, at as exported, entry hash) rows of an earlier export against the log."""
    for entry_id, at_text, exported_hash in exported:
        stored = conn.scalar(select(AccessLogRow.entry_hash).where(AccessLogRow.id == entry_id))
        where = f"entry id={entry_id} (at {at_text}) of the export"
        if stored is None:
            return Problem("removed", entry_id, None, f"{where} is no longer in the log")
        if stored != exported_hash:
            return Problem(
                "changed", entry_id, None, f"{where} differs from the log: its hash was changed"
            )
    return None


def describe_time(at: datetime | None) -> str:
    """An entry's time as shown in messages: local, with the offset."""
    return at.astimezone().isoformat(timespec="seconds") if at else "an unreadable time"


def _check(
    conn: Executor, entry: LogEntry, expected: str, previous: LogEntry | None
) -> Problem | None:
    name = f"entry id={entry.id} (at {describe_time(entry.at)})"
    if _recompute(entry, entry.id) != entry.entry_hash:
        written_as = _written_as(conn, entry)
        if written_as is not None:
            return _problem("reordered", entry, f"{name} was written as entry id={written_as}")
        return _problem("changed", entry, f"{name} was changed: it no longer matches its hash")
    if entry.prev_hash == expected:
        return None
    follows = f"entry id={previous.id}" if previous else "the start of the log"
    if entry.prev_hash == GENESIS:
        return _problem("reordered", entry, f"{name} was written first, but follows {follows}")
    predecessor = _id_with_hash(conn, entry.prev_hash)
    if predecessor is None:
        return _problem(
            "removed",
            entry,
            f"entries between {follows} and {name} were removed: it was written after "
            "an entry that is no longer in the log",
        )
    return _problem(
        "reordered",
        entry,
        f"{name} was written after entry id={predecessor}, but now follows {follows}",
    )


def _check_head(conn: Executor, log_head: Head) -> Problem | None:
    stored = audit.head(conn)
    last_id = log_head.last_id or 0
    if stored is None:
        return Problem("head", None, None, "the chain head (table access_log_head) is missing")
    if stored == (last_id, log_head.last_hash):
        return None
    if stored[0] > last_id:
        message = (
            f"the log ends at entry id={log_head.last_id}, but entries up to id={stored[0]} "
            "were written: the last entries were removed"
        )
        return Problem("removed", stored[0], None, message)
    message = (
        f"the chain head names entry id={stored[0]} as the last, but the log goes on to "
        f"id={last_id}: entries were added outside the kiosk, or the head was changed"
    )
    return Problem("head", stored[0], None, message)


def _written_as(conn: Executor, entry: LogEntry) -> int | None:
    """The id with which ``entry``'s content hashes to its stored hash, if another one."""
    for candidate in _candidate_ids(conn, entry):
        if candidate != entry.id and _recompute(entry, candidate) == entry.entry_hash:
            return candidate
    return None


def _candidate_ids(conn: Executor, entry: LogEntry) -> Iterator[int]:
    """Ids an entry may have been written with: near where it is now, then between the
    entries its hashes link it to (those may have moved too)."""
    yield from range(max(1, entry.id - _NEARBY), entry.id + _NEARBY + 1)
    predecessor = 0 if entry.prev_hash == GENESIS else _id_with_hash(conn, entry.prev_hash)
    stmt = select(AccessLogRow.id).where(AccessLogRow.prev_hash == entry.entry_hash)
    successor = conn.scalar(stmt.limit(1))
    if predecessor is not None and successor is not None:
        yield from range(predecessor + 1, min(successor, predecessor + 1 + _NEARBY))


def _id_with_hash(conn: Executor, digest: str) -> int | None:
    stmt = select(AccessLogRow.id).where(AccessLogRow.entry_hash == digest).limit(1)
    return conn.scalar(stmt)


def _recompute(entry: LogEntry, entry_id: int) -> str | None:
    """The hash ``entry`` would have with ``entry_id``; None if a value cannot be hashed."""
    if entry.at is None:
        return None
    try:
        return audit.entry_hash(
            prev_hash=entry.prev_hash,
            entry_id=entry_id,
            at=entry.at,
            actor=entry.actor,
            action=entry.action,
            visit_reference=entry.visit_reference,
            detail=entry.detail,
        )
    except (TypeError, ValueError):  # e.g. a blob written by hand into a text column
        return None


def _problem(kind: ProblemKind, entry: LogEntry, message: str) -> Problem:
    return Problem(kind, entry.id, entry.at, message)
