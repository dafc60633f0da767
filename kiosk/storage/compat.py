"""Which software may run on a schema: the marker behind rolling upgrades.

Every revision module declares ``expand_only``: True when software built for the
revision before it keeps working on the new schema (it only adds nullable columns or
tables, or backfills), False for anything else (a column made NOT NULL, dropped or
renamed, a changed meaning); a revision without the flag counts as False. After every
migration run ``record`` stores, in the one-row table ``schema_compatibility`` (revision
0011), the schema's revision and the oldest revision whose software it still serves.
Software ahead of which the database has moved reads that row (``serves``): it runs when
its own head is that revision or a later one. The row names the revision it was written
for, so a schema migrated by other means (a bare ``alembic upgrade``) serves nobody older.
"""

from __future__ import annotations

from dataclasses import dataclass

from alembic.script import ScriptDirectory
from sqlalchemy import Connection, delete, insert, inspect, select

from kiosk.storage.models import SchemaCompatibilityRow

TABLE = SchemaCompatibilityRow.__tablename__


@dataclass(frozen=True)
class Compatibility:
    """The marker as stored: the schema at ``revision`` serves software from ``serves_from``."""

    revision: str
    serves_from: str


def serves_from(script: ScriptDirectory) -> str:
    """The oldest revision whose software can use the schema at ``script``'s head.

    Walks down from the head while each revision is expand-only.
    """
    head = script.get_current_head()
    if head is None:
        raise ValueError("the migrations have no head revision")
    revision = script.get_revision(head)
    while revision is not None and _expand_only(revision.module) and revision.down_revision:
        down = revision.down_revision
        if not isinstance(down, str):  # a merge point: stop there, to be safe
            break
        revision = script.get_revision(down)
    if revision is None:
        raise ValueError("the migrations have no head revision")
    return revision.revision


def record(conn: Connection, script: ScriptDirectory) -> Compatibility:
    """Store the marker for ``script``'s head (after upgrading to it, same transaction)."""
    marker = Compatibility(str(script.get_current_head()), serves_from(script))
    conn.execute(delete(SchemaCompatibilityRow))
    conn.execute(
        insert(SchemaCompatibilityRow).values(
            id=1, revision=marker.revision, serves_from=marker.serves_from
        )
    )
    return marker


def read(conn: Connection) -> Compatibility | None:
    """The stored marker, or None (no table yet, or no row)."""
    if not inspect(conn).has_table(TABLE):
        return None
    row = conn.execute(
        select(SchemaCompatibilityRow.revision, SchemaCompatibilityRow.serves_from)
    ).first()
    return None if row is None else Compatibility(row.revision, row.serves_from)


def serves(marker: Compatibility | None, current: tuple[str, ...], script: ScriptDirectory) -> bool:
    """Whether a schema at ``current`` (ahead of ``script``'s head) serves this software.

    True only when the marker was written for exactly that revision and names this
    software's head, or a revision before it, as the oldest it serves.
    """
    if marker is None or current != (marker.revision,):
        return False
    head = script.get_current_head()
    if head is None:
        return False
    try:
        own_line = {r.revision for r in script.iterate_revisions(head, "base")}
    except Exception:  # noqa: BLE001 (alembic raises several kinds for unknown ids)
        return False
    return marker.serves_from in own_line


def _expand_only(module: object) -> bool:
    return getattr(module, "expand_only", False) is True
