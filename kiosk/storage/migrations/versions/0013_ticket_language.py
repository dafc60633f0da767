"""The visitor's language on each queue ticket, so the board calls the number in it.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
expand_only: bool = True
"""A column with a server default that older software never names."""

# Plain ALTER TABLE, not batch mode (see 0005): SQLite would copy the tickets table.


def upgrade() -> None:
    op.add_column(
        "tickets",
        sa.Column("language", sa.String(length=16), nullable=False, server_default=""),
    )


def downgrade() -> None:
    op.drop_column("tickets", "language")
