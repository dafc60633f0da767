"""Pytest fixtures for a private PostgreSQL server: started once per session, on demand.

``pg_server`` starts it the first time a test asks (SQLite-only runs never pay for
it); ``pg_url`` gives each test a fresh, empty database. Tests are skipped with the
reason when the server binaries are missing.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.pg_server import PgServer, unavailable_reason


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    reason = unavailable_reason()
    if reason is not None:
        pytest.skip(reason)
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.skip('psycopg is not installed (pip install "psycopg[binary]")')
    server = PgServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_server: PgServer) -> str:
    """A new database at the schema's head on the private server (SQLAlchemy URL, psycopg
    3 driver), as ``ward-kiosk db upgrade`` leaves it: on PostgreSQL nothing else migrates."""
    return pg_server.create_database(migrated=True)


@pytest.fixture
def pg_empty_url(pg_server: PgServer) -> str:
    """A new empty database on the private server (no schema yet)."""
    return pg_server.create_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The same test on SQLite (a new file) and on PostgreSQL (a new database)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'kiosk.db'}"
    return str(request.getfixturevalue("pg_url"))
