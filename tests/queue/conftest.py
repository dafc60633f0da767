"""Queue fixtures: a store on SQLite and on PostgreSQL, the real catalog, the service."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.catalog import Catalog
from kiosk.config import Settings
from kiosk.queue import QueueService
from kiosk.storage import Store
from tests.keys import open_store
from tests.storage.conftest import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def db_url(any_db_url: str) -> str:
    return any_db_url


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    return tmp_path / "secrets" / "kiosk.key"


@pytest.fixture
def store(db_url: str, key_file: Path, clock: FakeClock) -> Iterator[Store]:
    with open_store(db_url, key_file, clock=clock) as opened:
        yield opened


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return Catalog.load()


@pytest.fixture
def service(store: Store, catalog: Catalog) -> QueueService:
    return QueueService(store, catalog, Settings().counters, max_passes=2)
