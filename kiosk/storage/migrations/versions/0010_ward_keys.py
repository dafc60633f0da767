"""ward keys: one-way encryption at kiosks, per-day data keys, sealed answers.

The ward's key pair is registered by ``ward-kiosk key init`` (never here: the
migration role holds no keys). Day keys are created by whoever seals first on a
service day. Rows written before this revision keep their old ciphertext (read
with the legacy key file until the retention period clears them).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
expand_only: bool = False
"""Additive in the schema, but software before it seals with the shared symmetric key
every kiosk holds, which is what this revision ends (kiosks hold only the public key):
it must not keep writing, so it counts as a contract."""


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "ward_keys",
        sa.Column("fingerprint", sa.String(length=32), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("retired_at", _utc(), nullable=True),
        sa.PrimaryKeyConstraint("fingerprint", name=op.f("pk_ward_keys")),
    )
    op.create_table(
        "data_keys",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("service_day", sa.Date(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("wrapped_private", sa.LargeBinary(), nullable=True),
        sa.Column("ward_fingerprint", sa.String(length=32), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("destroyed_at", _utc(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_keys")),
    )
    op.create_index(op.f("ix_data_keys_service_day"), "data_keys", ["service_day"])
    # Plain ALTER TABLE, not batch mode: on SQLite batch mode copies the visits table,
    # and dropping the old one would null the tickets' references to it.
    op.add_column("visits", sa.Column("answers_ciphertext", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    live = op.get_bind().execute(
        sa.text("SELECT count(*) FROM data_keys WHERE wrapped_private IS NOT NULL")
    )
    if live.scalar_one():
        raise RuntimeError(
            "Revision 0010 cannot be downgraded while day keys are live: releases before it "
            "cannot read sealed personal data, and dropping the keys would destroy it. "
            "Wait until the retention period has passed (ward-kiosk data purge), then retry."
        )
    op.drop_column("visits", "answers_ciphertext")
    op.drop_index(op.f("ix_data_keys_service_day"), table_name="data_keys")
    op.drop_table("data_keys")
    op.drop_table("ward_keys")
