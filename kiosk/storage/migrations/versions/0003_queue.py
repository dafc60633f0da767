"""The queue: ticket states, priority, pass count, timestamps, and ticket_events.

Revision ID: 0003
Revises: 0002
Create Date: 2025-01-15
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies: a migration must not change when the models do.
_OLD_STATUSES = "status IN ('waiting', 'called', 'served', 'no_show', 'cancelled')"
_NEW_STATUSES = (
    "status IN ('waiting', 'called', 'serving', 'done', 'no_show', 'transferred', 'cancelled')"
)
_NEW_COLUMNS = ("priority", "passed", "queued_at", "status_at", "called_by", "serving_at")


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.drop_constraint(op.f("ck_tickets_status"), type_="check")
        batch.add_column(
            sa.Column("priority", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("passed", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("queued_at", _utc(), nullable=True))
        batch.add_column(sa.Column("status_at", _utc(), nullable=True))
        batch.add_column(sa.Column("called_by", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("serving_at", _utc(), nullable=True))
        batch.add_column(sa.Column("done_at", _utc(), nullable=True))
        batch.add_column(sa.Column("transferred_from_id", sa.Integer(), nullable=True))
    op.execute("UPDATE tickets SET status = 'done' WHERE status = 'served'")
    op.execute("UPDATE tickets SET queued_at = issued_at, status_at = issued_at")
    with op.batch_alter_table("tickets") as batch:
        batch.alter_column("queued_at", existing_type=_utc(), nullable=False)
        batch.alter_column("status_at", existing_type=_utc(), nullable=False)
        batch.create_check_constraint(op.f("ck_tickets_status"), sa.text(_NEW_STATUSES))
        batch.create_foreign_key(
            op.f("fk_tickets_transferred_from_id_tickets"),
            "tickets",
            ["transferred_from_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.create_table(
        "ticket_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("at", _utc(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("counter", sa.String(length=32), nullable=True),
        sa.Column("note", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_ticket_events_ticket_id_tickets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_events")),
    )
    op.create_index(op.f("ix_ticket_events_ticket_id"), "ticket_events", ["ticket_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_ticket_events_ticket_id"), table_name="ticket_events")
    op.drop_table("ticket_events")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_constraint(op.f("ck_tickets_status"), type_="check")
        batch.drop_constraint(op.f("fk_tickets_transferred_from_id_tickets"), type_="foreignkey")
    # States the old schema lacks fall back to their nearest old meaning.
    op.execute("UPDATE tickets SET status = 'served' WHERE status IN ('done', 'transferred')")
    op.execute("UPDATE tickets SET status = 'called' WHERE status = 'serving'")
    # Native DROP COLUMN (see 0002): batch mode would rebuild tickets.
    for column in (*_NEW_COLUMNS, "done_at", "transferred_from_id"):
        op.drop_column("tickets", column)
    with op.batch_alter_table("tickets") as batch:
        batch.create_check_constraint(op.f("ck_tickets_status"), sa.text(_OLD_STATUSES))
