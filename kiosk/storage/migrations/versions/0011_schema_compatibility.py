"""schema compatibility: the oldest revision whose software may still use this schema.

One row, written after every migration run by ``kiosk.storage.compat`` from the
revisions' ``expand_only`` flags. Software from this revision on reads it when the
database is ahead of it: a schema ahead only by expand-only revisions still serves it
(docs/storage.md, Migrations). Never dropped or renamed by a later revision: older
software reads it.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
expand_only: bool = True
"""A new table nobody older reads or writes."""


def upgrade() -> None:
    op.create_table(
        "schema_compatibility",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("revision", sa.String(length=32), nullable=False),
        sa.Column("serves_from", sa.String(length=32), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_schema_compatibility_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schema_compatibility")),
    )


def downgrade() -> None:
    op.drop_table("schema_compatibility")
