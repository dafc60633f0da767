"""staff calls and the visitor's "something is wrong" flag.

``staff_calls``: a visitor touched "職員を呼ぶ" at a kiosk; the supervisor page shows the
call until a member acknowledges it. ``visits.details_to_correct``: the visitor said the
card details shown on the confirm screen are wrong; the counter corrects them.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
expand_only: bool = True
"""A new table, and a column with a server default that older software never names."""


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


# Plain ALTER TABLE, not batch mode (see 0005): SQLite would copy the visits table.


def upgrade() -> None:
    op.create_table(
        "staff_calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kiosk_id", sa.String(length=64), nullable=False),
        sa.Column("screen", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("raised_at", _utc(), nullable=False),
        sa.Column("acknowledged_at", _utc(), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_calls")),
    )
    op.create_index(
        op.f("ix_staff_calls_acknowledged_at"), "staff_calls", ["acknowledged_at"], unique=False
    )
    op.add_column(
        "visits",
        sa.Column("details_to_correct", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    op.drop_column("visits", "details_to_correct")
    op.drop_index(op.f("ix_staff_calls_acknowledged_at"), table_name="staff_calls")
    op.drop_table("staff_calls")
