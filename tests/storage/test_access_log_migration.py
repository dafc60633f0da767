"""Revision 0009 chains the entries already logged, in id order, then locks the table."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, inspect, text

from kiosk.storage import alembic_config, create_kiosk_engine
from tests.audit_tools import append_entries, verdict

LEGACY = [  # ids with gaps and client clocks out of step, as before revision 0009
    (2, "2024-04-01 03:00:05", "kiosk:a", "individual_number_read", "ABCD2345", ""),
    (5, "2024-04-01 03:00:01", "staff:S1", "visit_opened", None, "procedure=kokuho"),
    (9, "2024-04-01 03:10:00", "cli:it", "counter_closed", None, "counter=3"),
]


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database (no schema yet) on each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'kiosk.db'}"
    else:
        url = str(request.getfixturevalue("pg_empty_url"))
    engine = create_kiosk_engine(url)
    yield engine
    engine.dispose()


def _migrate(engine: Engine, revision: str, *, down: bool = False) -> None:
    with engine.begin() as conn:
        cfg = alembic_config(connection=conn)
        (command.downgrade if down else command.upgrade)(cfg, revision)


def _seed_legacy_log(engine: Engine) -> None:
    _migrate(engine, "0008")
    with engine.begin() as conn:
        for row in LEGACY:
            conn.execute(
                text(
                    "INSERT INTO access_log (id, at, actor, action, visit_reference, detail) "
                    "VALUES (:id, :at, :actor, :action, :ref, :detail)"
                ),
                dict(zip(("id", "at", "actor", "action", "ref", "detail"), row, strict=True)),
            )


def test_existing_entries_are_chained_in_id_order(engine: Engine) -> None:
    _seed_legacy_log(engine)
    _migrate(engine, "0009")
    result = verdict(engine)
    assert result.intact, result.problem
    assert (result.head.entries, result.head.last_id) == (3, 9)
    assert append_entries(engine, 1) == [10]
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, prev_hash, entry_hash FROM access_log ORDER BY id"))
        chain = [(r.id, r.prev_hash, r.entry_hash) for r in rows]
    assert [c[0] for c in chain] == [2, 5, 9, 10]
    assert [c[1] for c in chain[1:]] == [c[2] for c in chain[:-1]]
    assert verdict(engine).intact


def test_downgrade_drops_the_triggers_and_hashes_and_keeps_entries(engine: Engine) -> None:
    _seed_legacy_log(engine)
    _migrate(engine, "0009")
    _migrate(engine, "0008", down=True)
    with engine.begin() as conn:
        conn.execute(text("UPDATE access_log SET detail = 'now allowed' WHERE id = 2"))
        columns = {c["name"] for c in inspect(conn).get_columns("access_log")}
        assert not inspect(conn).has_table("access_log_head")
        count = conn.execute(text("SELECT count(*) FROM access_log")).scalar_one()
    assert count == 3
    assert {"prev_hash", "entry_hash"}.isdisjoint(columns)
    _migrate(engine, "0009")  # and up again: the changed text is simply chained
    assert verdict(engine).intact
