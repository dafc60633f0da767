"""The packaged Alembic migrations build the schema from nothing and match the models."""

from __future__ import annotations

import json
import os
import secrets
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import create_engine, inspect, text

from kiosk.person import Person
from kiosk.storage import Store, alembic_config, upgrade_database
from kiosk.storage.crypto import load_legacy_key
from kiosk.storage.data_keys import Keyring
from kiosk.storage.models import Base
from kiosk.storage.store import create_kiosk_engine
from kiosk.visit import Visit
from tests.keys import counter_keys, open_store

TABLES = {
    "alembic_version",
    "visits",
    "tickets",
    "ticket_counters",
    "access_log",
    "ticket_events",
    "staff",
    "counter_states",
    "kiosk_heartbeats",
    "access_log_head",
    "ward_keys",
    "data_keys",
    "schema_compatibility",
    "staff_calls",
    "pre_entries",
}


def _head() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def _revision(url: str) -> str | None:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def test_open_creates_schema_and_parent_folder(db_path: Path, db_url: str, key_file: Path) -> None:
    assert not db_path.parent.exists()
    open_store(db_url, key_file).close()
    engine = create_engine(db_url)
    try:
        assert set(inspect(engine).get_table_names()) == TABLES
    finally:
        engine.dispose()
    assert _revision(db_url) == _head()


def test_upgrade_is_idempotent(db_url: str, key_file: Path) -> None:
    open_store(db_url, key_file).close()
    open_store(db_url, key_file).close()
    engine = create_kiosk_engine(db_url)
    try:
        upgrade_database(engine)
        with engine.connect() as conn:
            versions = conn.execute(text("SELECT version_num FROM alembic_version")).all()
    finally:
        engine.dispose()
    assert versions == [(_head(),)]


def test_migrations_match_models(db_url: str, key_file: Path) -> None:
    open_store(db_url, key_file).close()
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        engine.dispose()
    assert diff == []


def test_downgrade_to_base_and_back(db_url: str, key_file: Path) -> None:
    open_store(db_url, key_file).close()
    command.downgrade(alembic_config(db_url), "base")
    assert _revision(db_url) is None
    command.upgrade(alembic_config(db_url), "head")
    assert _revision(db_url) == _head()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(db_url: str) -> None:
    engine = create_kiosk_engine(db_url)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()


def test_migrations_ship_inside_the_package() -> None:
    location = Path(alembic_config().get_main_option("script_location") or "")
    assert location.parts[-3:] == ("kiosk", "storage", "migrations")
    assert (location / "env.py").is_file()
    assert (location / "script.py.mako").is_file()
    assert (location / "versions" / "__init__.py").is_file()  # so setuptools ships it


# -- 0002: individual number and access log -----------------------------------

_V1_PERSON_AD = b"ward-kiosk/person/v1\x00"  # frozen: blobs written by revision 0001 code


def _seed_0001_database(db_url: str, key_file: Path, person: Person) -> str:
    """A database at 0001 with a visit (Person encrypted as in 0001) and a linked ticket."""
    engine = create_kiosk_engine(db_url)  # also creates the folder and file
    try:
        with engine.begin() as conn:
            command.upgrade(alembic_config(connection=conn), "0001")
    finally:
        engine.dispose()
    legacy = _legacy_key_file(key_file)
    reference = "OLD2VST3"
    nonce = b"\x11" * 12
    plaintext = json.dumps(person.to_dict(), ensure_ascii=False).encode("utf-8")
    sealed = AESGCM(legacy.read_bytes()).encrypt(
        nonce, plaintext, _V1_PERSON_AD + b"\x01" + reference.encode()
    )
    started = "2024-03-31 01:00:00.000000"  # UTC, as SQLAlchemy writes it to SQLite
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO visits (id, reference, kiosk_id, language, used_card, answers, "
                    "procedures, person_ciphertext, started_at, finished_at, status) VALUES "
                    "(7, :r, 'k', 'ja', 1, :a, :p, :c, :s, :s, 'completed')"
                ),
                {
                    "r": reference,
                    "a": json.dumps({"purpose": "move_in"}),
                    "p": json.dumps(["juminhyo"]),
                    "c": b"\x01" + nonce + sealed,
                    "s": started,
                },
            )
            conn.execute(
                text(
                    "INSERT INTO tickets (visit_id, service_day, category, number, code, "
                    "counter, status, waiting_ahead, issued_at) VALUES "
                    "(7, '2024-03-31', 'resident', 1, 'A-001', '3', 'waiting', 0, :s)"
                ),
                {"s": started},
            )
    finally:
        engine.dispose()
    assert _revision(db_url) == "0001"
    return reference


def _legacy_key_file(key_file: Path) -> Path:
    """The symmetric key file of releases before revision 0010."""
    path = key_file.with_name("data.key")
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.write(fd, secrets.token_bytes(32))
    os.close(fd)
    return path


def _with_legacy(db_url: str, key_file: Path) -> Store:
    private = counter_keys(key_file).private
    assert private is not None
    legacy = load_legacy_key(key_file.with_name("data.key"))
    return Store.open(db_url, Keyring.opening(private, legacy), register_key=True)


def _execute_sql(db_url: str, sql: str) -> None:
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(text(sql))
    finally:
        engine.dispose()


def _ticket_links(db_url: str) -> list[tuple[int | None]]:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return [(row[0],) for row in conn.execute(text("SELECT visit_id FROM tickets"))]
    finally:
        engine.dispose()


def test_upgrade_from_0001_keeps_stored_visits_readable(
    db_url: str, key_file: Path, person: Person
) -> None:
    reference = _seed_0001_database(db_url, key_file, person)
    with _with_legacy(db_url, key_file) as store:
        assert _revision(db_url) == _head() == "0014"
        loaded = store.load_visit(reference)
        assert loaded.person == person
        assert loaded.individual_number is None
        assert loaded.answers == {"purpose": "move_in"}
        assert loaded.started_at == datetime(2024, 3, 31, 1, 0, tzinfo=UTC)
        assert loaded.ticket is not None
        assert loaded.ticket.code == "A-001"
        loaded.individual_number = "123456789018"
        store.save_visit(loaded, kiosk_id="k", status="completed")
        store.log_access(actor="kiosk:k", action="visit_opened", visit_reference=reference)
        again = store.load_visit(reference)
        assert (again.person, again.individual_number) == (person, "123456789018")


def test_downgrade_to_0001_and_back_keeps_visits(
    db_url: str, key_file: Path, person: Person
) -> None:
    with open_store(db_url, key_file) as store:
        visit = Visit(language="ja", person=person, individual_number="123456789018")
        reference = store.save_visit(visit, kiosk_id="k", status="completed")
    engine = create_kiosk_engine(db_url)
    try:  # sealed data is live: going below 0010 would destroy it
        with pytest.raises(RuntimeError, match="cannot be downgraded"), engine.begin() as conn:
            command.downgrade(alembic_config(connection=conn), "0001")
    finally:
        engine.dispose()
    _execute_sql(db_url, "UPDATE data_keys SET wrapped_private = NULL")  # as a purge does
    with open_store(db_url, key_file) as store:
        visit = Visit(language="ja")
        reference = store.save_visit(visit, kiosk_id="k", status="completed")
        store.issue_ticket(category="resident", letter="A", counter="3", visit_reference=reference)
        store.log_access(actor="kiosk:k", action="visit_opened", visit_reference=reference)
    links = _ticket_links(db_url)
    # Through the kiosk's own engine, foreign keys on: ticket links must survive.
    engine = create_kiosk_engine(db_url)
    try:
        with engine.begin() as conn:
            command.downgrade(alembic_config(connection=conn), "0001")
    finally:
        engine.dispose()
    assert _revision(db_url) == "0001"
    assert _ticket_links(db_url) == links != [(None,)]
    engine = create_engine(db_url)
    try:
        inspector = inspect(engine)
        assert "access_log" not in inspector.get_table_names()
        assert "number_ciphertext" not in {c["name"] for c in inspector.get_columns("visits")}
    finally:
        engine.dispose()
    command.upgrade(alembic_config(db_url), "head")
    assert _revision(db_url) == _head()
    with open_store(db_url, key_file) as store:
        loaded = store.load_visit(reference)
        assert loaded.person is None and loaded.individual_number is None
        assert loaded.ticket is not None
        assert store.access_events() == []
