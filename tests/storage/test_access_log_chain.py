"""The access log is one hash chain, timed by the database server, that writers on many
PCs extend without forking it, and that the database keeps append-only."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, exc, func, select, text
from sqlalchemy.orm import Session

from kiosk.storage import audit, create_kiosk_engine
from kiosk.storage.audit import GENESIS, AccessLogBroken
from kiosk.storage.models import AccessLogRow
from tests.audit_tools import append_entries, migrated_engine, verdict


@pytest.fixture
def engine(any_db_url: str) -> Iterator[Engine]:
    engine = migrated_engine(any_db_url)
    yield engine
    engine.dispose()


def _rows(engine: Engine) -> list[AccessLogRow]:
    with Session(engine) as session:
        return list(session.scalars(select(AccessLogRow).order_by(AccessLogRow.id)))


def test_an_untouched_log_verifies_and_names_its_head(engine: Engine) -> None:
    assert verdict(engine).head.entries == 0
    assert verdict(engine).head.last_hash == GENESIS
    append_entries(engine, 5)
    result = verdict(engine)
    rows = _rows(engine)
    assert result.intact, result.problem
    assert (result.head.entries, result.head.last_id) == (5, 5)
    assert result.head.last_hash == rows[-1].entry_hash
    assert [r.prev_hash for r in rows] == [GENESIS] + [r.entry_hash for r in rows[:-1]]


def test_the_hash_is_the_documented_canonical_encoding(engine: Engine) -> None:
    """docs/storage.md: SHA-256 of sorted-key JSON, UTC time with microseconds."""
    with Session(engine) as session, session.begin():
        audit.append(
            session,
            actor="staff:S1",
            action="visit_opened",
            visit_reference=" ab2c ",
            detail="窓口",
        )
    [row] = _rows(engine)
    document = {
        "action": "visit_opened",
        "actor": "staff:S1",
        "at": row.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "detail": "窓口",
        "id": 1,
        "prev_hash": "0" * 64,
        "v": 1,
        "visit_reference": "AB2C",
    }
    encoded = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert row.entry_hash == hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def test_times_come_from_the_database_server(engine: Engine) -> None:
    with engine.connect() as conn:
        before = audit.server_now(conn)
    append_entries(engine, 1)
    with engine.connect() as conn:
        after = audit.server_now(conn)
        if conn.dialect.name == "postgresql":  # the server's clock, read in SQL
            server = conn.execute(select(func.clock_timestamp())).scalar_one()
            assert after <= server
    [row] = _rows(engine)
    assert before <= row.at <= after


@pytest.mark.parametrize(
    "statement", ["UPDATE access_log SET detail = 'x'", "DELETE FROM access_log"]
)
def test_the_database_refuses_changes(engine: Engine, statement: str) -> None:
    append_entries(engine, 2)
    with pytest.raises(exc.DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text(statement))
    assert verdict(engine).intact


def test_postgresql_refuses_truncate(pg_url: str) -> None:
    engine = migrated_engine(pg_url)
    try:
        append_entries(engine, 1)
        with pytest.raises(exc.DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text("TRUNCATE access_log"))
    finally:
        engine.dispose()


def test_a_deleted_visit_only_unlinks_its_entries(engine: Engine) -> None:
    """ON DELETE SET NULL still works: visit_id is not hashed, nothing else may change."""
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO visits (id, reference, kiosk_id, language, used_card, used_voice, "
                "answers, procedures, started_at, status) VALUES (1, 'VIS23456', 'k', 'ja', "
                "false, false, '{}', '[]', '2024-04-01 00:00:00', 'completed')"
            )
        )
    with Session(engine) as session, session.begin():
        audit.append(session, actor="kiosk:k", action="visit_opened", visit_reference="VIS23456")
    with engine.begin() as conn:
        assert conn.execute(text("SELECT visit_id FROM access_log")).scalar_one() == 1
        conn.execute(text("DELETE FROM visits"))
        assert conn.execute(text("SELECT visit_id FROM access_log")).scalar_one() is None
    with pytest.raises(exc.DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text("UPDATE access_log SET visit_id = NULL, detail = 'x'"))
    assert verdict(engine).intact


def test_concurrent_writers_keep_one_chain(any_db_url: str, engine: Engine) -> None:
    """Eight PCs (own engines and connections) appending at once: no fork, no gap."""
    writers = [create_kiosk_engine(any_db_url) for _ in range(8)]
    errors: list[BaseException] = []
    start = threading.Barrier(len(writers))

    def write(writer: Engine, n: int) -> None:
        try:
            start.wait()
            append_entries(writer, 25, actor=f"kiosk:{n}")
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=write, args=(w, n)) for n, w in enumerate(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    for writer in writers:
        writer.dispose()
    assert errors == []
    result = verdict(engine)
    assert result.intact, result.problem
    assert (result.head.entries, result.head.last_id) == (200, 200)
    times = [row.at for row in _rows(engine)]
    assert times == sorted(times)  # the chain's order is the server's time order


def test_a_missing_chain_head_stops_logging_with_a_message(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM access_log_head"))
    with pytest.raises(AccessLogBroken, match="audit verify"), Session(engine) as session:
        audit.append(session, actor="kiosk:k", action="visit_opened", visit_reference=None)
    assert verdict(engine).problem is not None


def test_an_append_only_role_can_log_but_not_read_or_change(pg_url: str) -> None:
    """The grants this design needs for a kiosk: INSERT on access_log, SELECT and UPDATE
    on access_log_head, SELECT on visits (the visit link)."""
    engine = migrated_engine(pg_url)
    try:
        append_entries(engine, 1)
        with engine.begin() as conn:
            conn.execute(text("CREATE ROLE audit_kiosk LOGIN"))
            conn.execute(text("GRANT INSERT ON access_log TO audit_kiosk"))
            conn.execute(text("GRANT SELECT, UPDATE ON access_log_head TO audit_kiosk"))
            conn.execute(text("GRANT SELECT ON visits TO audit_kiosk"))
        kiosk = create_kiosk_engine(pg_url.replace("postgres@", "audit_kiosk@"))
        try:
            append_entries(kiosk, 2)
            with Session(kiosk) as session, session.begin():
                audit.append(session, actor="kiosk:k", action="x", visit_reference="NOSUCH23")
            for forbidden in ("SELECT detail FROM access_log", "DELETE FROM access_log"):
                with (
                    pytest.raises(exc.ProgrammingError, match="permission denied"),
                    kiosk.begin() as conn,
                ):
                    conn.execute(text(forbidden))
        finally:
            kiosk.dispose()
        result = verdict(engine)
        assert result.intact, result.problem
        assert result.head.entries == 4
        with engine.begin() as conn:  # the role is cluster-wide: leave none behind
            conn.execute(text("DROP OWNED BY audit_kiosk"))
            conn.execute(text("DROP ROLE audit_kiosk"))
    finally:
        engine.dispose()


def test_server_time_is_utc_whatever_the_session_zone(pg_url: str) -> None:
    engine = migrated_engine(pg_url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SET TIME ZONE 'Asia/Tokyo'"))
            now = audit.server_now(conn)
        assert now.utcoffset() is not None
        assert abs((now - datetime.now(UTC)).total_seconds()) < 60
    finally:
        engine.dispose()
