"""The packaged Alembic migrations build the schema from nothing and match the models."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from kiosk.storage import Store, alembic_config, upgrade_database
from kiosk.storage.models import Base
from kiosk.storage.store import create_kiosk_engine

TABLES = {"alembic_version", "visits", "tickets", "ticket_counters"}


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
    Store.open(db_url, key_file).close()
    engine = create_engine(db_url)
    try:
        assert set(inspect(engine).get_table_names()) == TABLES
    finally:
        engine.dispose()
    assert _revision(db_url) == _head()


def test_upgrade_is_idempotent(db_url: str, key_file: Path) -> None:
    Store.open(db_url, key_file).close()
    Store.open(db_url, key_file).close()
    engine = create_kiosk_engine(db_url)
    try:
        upgrade_database(engine)
        with engine.connect() as conn:
            versions = conn.execute(text("SELECT version_num FROM alembic_version")).all()
    finally:
        engine.dispose()
    assert versions == [(_head(),)]


def test_migrations_match_models(db_url: str, key_file: Path) -> None:
    Store.open(db_url, key_file).close()
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        engine.dispose()
    assert diff == []


def test_downgrade_to_base_and_back(db_url: str, key_file: Path) -> None:
    Store.open(db_url, key_file).close()
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
