"""Web fixtures: settings on a temporary SQLite database, the app, a queue to issue from."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from kiosk.catalog import Catalog
from kiosk.config import Settings
from kiosk.queue import QueueService
from kiosk.storage import Store
from kiosk.web.app import create_app
from tests.keys import open_store

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
HISTORY = re.compile(r'name="h" value="([^"]+)"')


@pytest.fixture
def web_settings(tmp_path: Path) -> Settings:
    return Settings(database={"url": f"sqlite:///{tmp_path / 'kiosk.db'}"})


@pytest.fixture
def queue_store(web_settings: Settings, tmp_path: Path) -> Iterator[Store]:
    with open_store(web_settings.database_url(), tmp_path / "keys" / "ward.key") as store:
        yield store


@pytest.fixture
def queue(queue_store: Store, web_settings: Settings) -> QueueService:
    return QueueService(queue_store, Catalog.load(), web_settings.counters)


@pytest.fixture
def client(web_settings: Settings, queue_store: Store) -> Iterator[TestClient]:
    """The app on the queue's database (made by ``queue_store`` first)."""
    with TestClient(create_app(web_settings), base_url="http://testserver") as test_client:
        yield test_client


def form_fields(html: str) -> dict[str, object]:
    """The CSRF token and the hidden answers of the first form on a page."""
    first = html.split("</form>", 1)[0]
    token = CSRF.search(first)
    assert token is not None, "every form carries the CSRF token"
    return {"csrf": token.group(1), "h": HISTORY.findall(first)}
