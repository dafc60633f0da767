"""スマート申請: pre-entries prepared at home, and a token per ticket for the phone page.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
expand_only: bool = True
"""A new table and a nullable column that older software never names."""


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


# Plain ALTER TABLE, not batch mode (see 0005): SQLite would copy the tickets table.


def upgrade() -> None:
    op.create_table(
        "pre_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lookup", sa.LargeBinary(length=32), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("expires_at", _utc(), nullable=False),
        sa.Column("used_at", _utc(), nullable=True),
        sa.Column("used_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pre_entries")),
        sa.UniqueConstraint("lookup", name=op.f("uq_pre_entries_lookup")),
    )
    op.create_index(op.f("ix_pre_entries_expires_at"), "pre_entries", ["expires_at"])
    op.add_column("tickets", sa.Column("token", sa.String(length=32), nullable=True))
    op.create_index(op.f("ix_tickets_token"), "tickets", ["token"], unique=True)


def downgrade() -> None:
    op.drop_index(op.f("ix_tickets_token"), table_name="tickets")
    op.drop_column("tickets", "token")
    op.drop_index(op.f("ix_pre_entries_expires_at"), table_name="pre_entries")
    op.drop_table("pre_entries")
