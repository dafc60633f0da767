"""Tampering with the access log through the database's own tools (``sqlite3``, ``psql``):
refused while the triggers are there; found by verification once they are switched off."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from kiosk.storage import audit
from kiosk.storage.audit_check import compare_export, verify
from kiosk.storage.models import AccessLogRow
from tests.audit_tools import SWAP_2_AND_3, DatabaseTool, append_entries, migrated_engine, verdict


@pytest.fixture
def engine(any_db_url: str) -> Iterator[Engine]:
    engine = migrated_engine(any_db_url)
    append_entries(engine, 5)
    yield engine
    engine.dispose()


@pytest.fixture
def tool(any_db_url: str) -> DatabaseTool:
    return DatabaseTool(any_db_url)


def _time_of(engine: Engine, entry_id: int) -> str:
    with Session(engine) as session:
        at = session.scalar(select(AccessLogRow.at).where(AccessLogRow.id == entry_id))
    assert at is not None
    return at.astimezone().isoformat(timespec="seconds")


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE access_log SET detail = 'nothing to see' WHERE id = 3;",
        "DELETE FROM access_log WHERE id = 3;",
        "DELETE FROM access_log;",
        SWAP_2_AND_3,
    ],
)
def test_with_the_triggers_in_place_the_tool_is_refused(
    engine: Engine, tool: DatabaseTool, sql: str
) -> None:
    result = tool.run(sql)
    assert result.returncode != 0
    assert "append-only" in result.stderr
    assert verdict(engine).intact


def test_an_update_is_named_by_id_and_time(engine: Engine, tool: DatabaseTool) -> None:
    at = _time_of(engine, 3)
    tool.tamper("UPDATE access_log SET action = 'visit_opened', detail = '' WHERE id = 3;")
    problem = verdict(engine).problem
    assert problem is not None
    assert (problem.kind, problem.entry_id) == ("changed", 3)
    assert f"entry id=3 (at {at}) was changed" in problem.message


def test_a_changed_time_is_found(engine: Engine, tool: DatabaseTool) -> None:
    tool.tamper("UPDATE access_log SET at = '2020-01-01 00:00:00' WHERE id = 4;")
    problem = verdict(engine).problem
    assert problem is not None
    assert (problem.kind, problem.entry_id) == ("changed", 4)


def test_a_deleted_entry_is_found(engine: Engine, tool: DatabaseTool) -> None:
    at = _time_of(engine, 4)
    tool.tamper("DELETE FROM access_log WHERE id = 3;")
    result = verdict(engine)
    assert result.problem is not None
    assert (result.problem.kind, result.problem.entry_id) == ("removed", 4)
    assert f"between entry id=2 and entry id=4 (at {at}) were removed" in result.problem.message
    assert result.head.entries == 4


def test_a_reorder_is_found(engine: Engine, tool: DatabaseTool) -> None:
    tool.tamper(SWAP_2_AND_3)
    problem = verdict(engine).problem
    assert problem is not None
    assert (problem.kind, problem.entry_id) == ("reordered", 2)
    assert "was written as entry id=3" in problem.message


def test_a_deleted_last_entry_is_found_by_the_head(engine: Engine, tool: DatabaseTool) -> None:
    tool.tamper("DELETE FROM access_log WHERE id = 5;")
    problem = verdict(engine).problem
    assert problem is not None
    assert (problem.kind, problem.entry_id) == ("removed", 5)
    assert "the last entries were removed" in problem.message


def test_a_rewritten_tail_shows_only_against_the_last_export(
    engine: Engine, tool: DatabaseTool
) -> None:
    """The limit of a keyless chain: whoever deletes the last entry and rewrites the head
    leaves a valid chain; the head (entries, last hash) differs from the last review's."""
    with engine.connect() as conn, conn.begin():
        exported = [(e.id, "", e.entry_hash) for e in audit.entries(conn)]
        before = verify(conn).head
    tool.tamper(
        "DELETE FROM access_log WHERE id = 5; UPDATE access_log_head SET last_id = 4, "
        "last_hash = (SELECT entry_hash FROM access_log WHERE id = 4);"
    )
    result = verdict(engine)
    assert result.intact
    assert (result.head.entries, result.head.last_hash) != (before.entries, before.last_hash)
    with engine.connect() as conn, conn.begin():
        problem = compare_export(conn, exported)
    assert problem is not None
    assert (problem.kind, problem.entry_id) == ("removed", 5)
