"""Encrypted individual number on visits, and the access log.

Revision ID: 0002
Revises: 0001
Create Date: 2024-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("visits", sa.Column("number_ciphertext", sa.LargeBinary(), nullable=True))
    op.create_table(
        "access_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=True),
        sa.Column("visit_reference", sa.String(length=16), nullable=True),
        sa.Column("detail", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["visits.id"],
            name=op.f("fk_access_log_visit_id_visits"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_log")),
    )
    op.create_index(op.f("ix_access_log_at"), "access_log", ["at"])
    op.create_index(op.f("ix_access_log_visit_id"), "access_log", ["visit_id"])
    op.create_index(op.f("ix_access_log_visit_reference"), "access_log", ["visit_reference"])


def downgrade() -> None:
    op.drop_index(op.f("ix_access_log_visit_reference"), table_name="access_log")
    op.drop_index(op.f("ix_access_log_visit_id"), table_name="access_log")
    op.drop_index(op.f("ix_access_log_at"), table_name="access_log")
    op.drop_table("access_log")
    # Native DROP COLUMN (SQLite >= 3.35), not batch mode: batch rebuilds "visits"
    # by dropping it, and with foreign keys on that sets every tickets.visit_id to NULL.
    op.drop_column("visits", "number_ciphertext")
