"""visits.used_voice: whether the visitor answered by speaking (for the statistics).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE, not batch mode: on SQLite batch mode copies the visits table, and
# dropping the old one would null the tickets' references to it.


def upgrade() -> None:
    op.add_column(
        "visits", sa.Column("used_voice", sa.Boolean(), nullable=False, server_default=sa.false())
    )


def downgrade() -> None:
    op.drop_column("visits", "used_voice")
