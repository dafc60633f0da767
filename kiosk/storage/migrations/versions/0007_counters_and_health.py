"""counters and health: which counters are open, and each kiosk's latest heartbeat.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


# New tables only: plain CREATE TABLE, no batch mode on existing tables.


def upgrade() -> None:
    op.create_table(
        "counter_states",
        sa.Column("counter", sa.String(length=32), nullable=False),
        sa.Column("open", sa.Boolean(), nullable=False),
        sa.Column("changed_at", _utc(), nullable=False),
        sa.Column("changed_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("counter", name=op.f("pk_counter_states")),
    )
    op.create_table(
        "kiosk_heartbeats",
        sa.Column("kiosk_id", sa.String(length=64), nullable=False),
        sa.Column("at", _utc(), nullable=False),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("checks", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("kiosk_id", name=op.f("pk_kiosk_heartbeats")),
    )


def downgrade() -> None:
    op.drop_table("kiosk_heartbeats")
    op.drop_table("counter_states")
