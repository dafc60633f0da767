"""access log chain: hash columns, the chain head, and triggers that refuse UPDATE/DELETE.

Existing entries are chained in id order with their stored times. The triggers allow
one update: ``visit_id`` set to NULL with nothing else changed, which is what the
foreign key's ON DELETE SET NULL does (``visit_id`` is not hashed). Downgrade drops
the triggers, the head and the hashes; the entries stay.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kiosk.storage.audit import GENESIS, entry_hash
from kiosk.storage.models import UtcDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
expand_only: bool = False
"""Contract: ``prev_hash`` and ``entry_hash`` become NOT NULL and the chain head must move
with every entry, so software before it cannot write the access log at all (its
INSERT fails); the previous release must stop before this runs."""

_HASHED = ("id", "at", "actor", "action", "visit_reference", "detail", "prev_hash", "entry_hash")
_REFUSED = "access_log is append-only"

_SQLITE_TRIGGERS = (
    f"""CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
    WHEN NEW.visit_id IS NOT NULL OR {" OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in _HASHED)}
    BEGIN SELECT RAISE(ABORT, '{_REFUSED}: UPDATE refused'); END""",
    f"""CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log
    BEGIN SELECT RAISE(ABORT, '{_REFUSED}: DELETE refused'); END""",
)
_POSTGRESQL_TRIGGERS = (
    f"""CREATE FUNCTION ward_kiosk_access_log_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' AND NEW.visit_id IS NULL
                AND to_jsonb(NEW) - 'visit_id' = to_jsonb(OLD) - 'visit_id' THEN
            RETURN NEW;  -- ON DELETE SET NULL of the visit link; nothing hashed changes
        END IF;
        RAISE EXCEPTION '{_REFUSED}: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END $$""",
    """CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE ON access_log
    FOR EACH ROW EXECUTE FUNCTION ward_kiosk_access_log_append_only()""",
    """CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON access_log
    FOR EACH STATEMENT EXECUTE FUNCTION ward_kiosk_access_log_append_only()""",
)
_DROP = {
    "sqlite": (
        "DROP TRIGGER IF EXISTS access_log_no_update",
        "DROP TRIGGER IF EXISTS access_log_no_delete",
    ),
    "postgresql": (
        "DROP TRIGGER IF EXISTS access_log_no_truncate ON access_log",
        "DROP TRIGGER IF EXISTS access_log_append_only ON access_log",
        "DROP FUNCTION IF EXISTS ward_kiosk_access_log_append_only()",
    ),
}


def upgrade() -> None:
    with op.batch_alter_table("access_log") as batch:
        batch.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("entry_hash", sa.String(length=64), nullable=True))
    op.create_table(
        "access_log_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_access_log_head_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_log_head")),
    )
    last_id, last_hash = _chain_existing_entries()
    op.execute(
        sa.text(
            "INSERT INTO access_log_head (id, last_id, last_hash) VALUES (1, :i, :h)"
        ).bindparams(i=last_id, h=last_hash)
    )
    with op.batch_alter_table("access_log") as batch:
        batch.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=False)
        batch.alter_column("entry_hash", existing_type=sa.String(length=64), nullable=False)
    dialect = op.get_bind().dialect.name
    for statement in _SQLITE_TRIGGERS if dialect == "sqlite" else _POSTGRESQL_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    for statement in _DROP.get(op.get_bind().dialect.name, ()):
        op.execute(statement)
    op.drop_table("access_log_head")
    with op.batch_alter_table("access_log") as batch:
        batch.drop_column("entry_hash")
        batch.drop_column("prev_hash")


def _chain_existing_entries() -> tuple[int, str]:
    """Hash every entry in id order; return the last id and hash (0 and GENESIS if none)."""
    log = sa.table(
        "access_log",
        sa.column("id", sa.Integer()),
        sa.column("at", UtcDateTime()),
        sa.column("actor", sa.String()),
        sa.column("action", sa.String()),
        sa.column("visit_reference", sa.String()),
        sa.column("detail", sa.String()),
        sa.column("prev_hash", sa.String()),
        sa.column("entry_hash", sa.String()),
    )
    bind = op.get_bind()
    rows = bind.execute(sa.select(*log.c[:6]).order_by(log.c.id)).all()
    last_id, last_hash = 0, GENESIS
    updates = []
    for row in rows:
        fields = dict(row._mapping)
        digest = entry_hash(prev_hash=last_hash, entry_id=fields.pop("id"), **fields)
        updates.append({"key": row.id, "prev": last_hash, "digest": digest})
        last_id, last_hash = row.id, digest
    if updates:
        stmt = (
            sa.update(log)
            .where(log.c.id == sa.bindparam("key"))
            .values(prev_hash=sa.bindparam("prev"), entry_hash=sa.bindparam("digest"))
        )
        bind.execute(stmt, updates)
    return last_id, last_hash
