"""PostgreSQL: ``ward_kiosk_waiting_ahead()``, so issuing a ticket is one statement.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23

Issuing on PostgreSQL is a single autocommitted statement (``kiosk.storage.queueing``).
Its snapshot is taken before it waits for the day's counter row, so a plain subquery
would not see the tickets committed while it waited. A VOLATILE function takes a fresh
snapshot for each query it runs: called after the counter row is locked, it counts
every ticket ahead, exactly as the separate query did. SQLite needs nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copy: a migration must not change when the code does.
_CREATE = """
CREATE OR REPLACE FUNCTION ward_kiosk_waiting_ahead(
    p_day date, p_category text, p_number integer, p_priority boolean
) RETURNS integer LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    n integer;
BEGIN
    SELECT count(*) INTO n FROM tickets
    WHERE service_day = p_day AND category = p_category AND status = 'waiting'
      AND number < p_number AND (priority OR NOT p_priority);
    RETURN n;
END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_CREATE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS ward_kiosk_waiting_ahead(date, text, integer, boolean)")
