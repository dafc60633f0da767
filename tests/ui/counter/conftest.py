"""Fixtures of the counter app's window tests: a SQLite world, the app's clock, the window."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from kiosk.queue import PollingEvents
from kiosk.supervision import Supervision
from kiosk.ui.counter.window import CounterWindow
from tests.counter_fixture import CounterWorld


@pytest.fixture
def world(tmp_path, counter_clock) -> Iterator[CounterWorld]:
    opened = CounterWorld(f"sqlite:///{tmp_path / 'db' / 'kiosk.db'}", tmp_path, counter_clock)
    try:
        yield opened
    finally:
        opened.close()


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2024, 4, 1, 3, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def app_clock() -> Clock:
    return Clock()


@pytest.fixture
def window(qtbot: Any, world: CounterWorld, app_clock: Clock) -> Iterator[CounterWindow]:
    supervision = Supervision(world.store, world.accounts, world.queue, world.context.settings)
    shown = CounterWindow(
        world.desk,
        world.accounts,
        PollingEvents(world.store, interval=0.05),
        idle_seconds=300,
        supervision=supervision,
        clock=app_clock,
    )
    qtbot.addWidget(shown)
    shown.resize(1366, 768)
    shown.show()
    yield shown
    shown.shutdown()
