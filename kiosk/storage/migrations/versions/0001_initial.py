"""Initial schema: visits, tickets, ticket_counters.

Revision ID: 0001
Revises:
Create Date: 2024-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies: a migration must not change when the models do.
_VISIT_STATUSES = "status IN ('in_progress', 'completed', 'abandoned')"
_TICKET_STATUSES = "status IN ('waiting', 'called', 'served', 'no_show', 'cancelled')"


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=16), nullable=False),
        sa.Column("kiosk_id", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("used_card", sa.Boolean(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("procedures", sa.JSON(), nullable=False),
        sa.Column("person_ciphertext", sa.LargeBinary(), nullable=True),
        sa.Column("started_at", _utc(), nullable=False),
        sa.Column("finished_at", _utc(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("personal_data_purged_at", _utc(), nullable=True),
        sa.CheckConstraint(_VISIT_STATUSES, name=op.f("ck_visits_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visits")),
        sa.UniqueConstraint("reference", name=op.f("uq_visits_reference")),
    )
    op.create_index(op.f("ix_visits_started_at"), "visits", ["started_at"])
    op.create_table(
        "tickets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=True),
        sa.Column("service_day", sa.Date(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("counter", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("waiting_ahead", sa.Integer(), nullable=False),
        sa.Column("issued_at", _utc(), nullable=False),
        sa.CheckConstraint(_TICKET_STATUSES, name=op.f("ck_tickets_status")),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["visits.id"],
            name=op.f("fk_tickets_visit_id_visits"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tickets")),
        sa.UniqueConstraint(
            "service_day",
            "category",
            "number",
            name=op.f("uq_tickets_service_day_category_number"),
        ),
    )
    op.create_index("ix_tickets_queue", "tickets", ["service_day", "category", "status"])
    op.create_index(op.f("ix_tickets_visit_id"), "tickets", ["visit_id"])
    op.create_table(
        "ticket_counters",
        sa.Column("service_day", sa.Date(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("service_day", "category", name=op.f("pk_ticket_counters")),
    )


def downgrade() -> None:
    op.drop_table("ticket_counters")
    op.drop_index(op.f("ix_tickets_visit_id"), table_name="tickets")
    op.drop_index("ix_tickets_queue", table_name="tickets")
    op.drop_table("tickets")
    op.drop_index(op.f("ix_visits_started_at"), table_name="visits")
    op.drop_table("visits")
