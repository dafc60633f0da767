"""Fixtures for the storage tests: a fresh SQLite file, key file and fake clock per test."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from kiosk.person import Person
from kiosk.storage import Store
from tests.keys import open_store


class FakeClock:
    """A settable clock; starts at local noon so that +/- hours stay on the same day."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime(2024, 4, 1, 12, 0).astimezone()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "kiosk.db"


@pytest.fixture
def db_url(db_path: Path) -> str:
    return f"sqlite:///{db_path}"


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    return tmp_path / "secrets" / "kiosk.key"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(db_url: str, key_file: Path, clock: FakeClock) -> Iterator[Store]:
    with open_store(db_url, key_file, clock=clock) as opened:
        yield opened


@pytest.fixture
def person() -> Person:
    return Person(
        name="大阪 花子",
        name_kana="オオサカ ハナコ",
        address="大阪府大阪市北区中之島一丁目3番20号",
        birth_date=date(1985, 7, 14),
        sex="female",
    )
