"""The waiting-room board on PostgreSQL: a call made at another PC arrives by LISTEN/NOTIFY.

The board has its own Store, as on the board PC; the ticket is issued and called
through a second Store and QueueService, as a kiosk and a counter PC would. The
board's periodic reload is set to a minute, so only the notification can bring the
call to the screen within the second.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.catalog import Catalog
from kiosk.config import Settings
from kiosk.i18n import Translations
from kiosk.queue import PgNotifyEvents, QueueService, open_events
from kiosk.speech.tts import RecordingSpeaker
from tests.keys import open_store

CALL_MS = 1_000  # a call is on the board within a second
LOAD_MS = 5_000
NO_RELOAD_MS = 60_000


def _service(url: str, key_file: Path) -> QueueService:
    return QueueService(open_store(url, key_file), Catalog.load(), Settings().counters)


@pytest.fixture
def board_service(pg_url: str, tmp_path: Path) -> Iterator[QueueService]:
    service = _service(pg_url, tmp_path / "k" / "key")
    yield service
    service.store.close()


@pytest.fixture
def counter_pc(pg_url: str, tmp_path: Path, board_service: QueueService) -> Iterator[QueueService]:
    """Another PC on the same database (opened after the board's Store made the schema)."""
    service = _service(pg_url, tmp_path / "k" / "key")
    yield service
    service.store.close()


@pytest.fixture
def board(qtbot: Any, qapp: Any, board_service: QueueService) -> Iterator[Any]:
    from kiosk.ui.app import apply_theme
    from kiosk.ui.board.window import BoardWindow

    apply_theme(qapp)
    events = open_events(board_service.store)
    assert isinstance(events, PgNotifyEvents)
    texts = {code: Translations.load(code) for code in ("ja", "en")}
    window = BoardWindow(
        Settings(),
        board_service,
        events,
        texts,
        speaker=RecordingSpeaker(),
        refresh_ms=NO_RELOAD_MS,
    )
    qtbot.addWidget(window)
    window.resize(1920, 1080)
    window.show()
    try:
        qtbot.waitUntil(lambda: window.model.waiting != [], timeout=LOAD_MS)
        yield window
    finally:
        window.shutdown()
        events.close()
        assert window.runner.wait(5_000), "a worker thread outlived the test"
        assert not [t for t in threading.enumerate() if t.name == "queue-listen"], "listener leaked"


def test_a_call_from_a_counter_pc_is_on_the_board_within_a_second(
    board: Any, counter_pc: QueueService, qtbot: Any
) -> None:
    counter_pc.issue("resident")
    counter_pc.issue("resident")
    ticket = counter_pc.call_next("resident")
    called_at = time.monotonic()
    assert ticket is not None and ticket.code == "A-001"
    qtbot.waitUntil(lambda: board.shown_calls()[:1] == [("A-001", "2番窓口へ")], timeout=CALL_MS)
    assert time.monotonic() - called_at < CALL_MS / 1000
    assert board.main_counter.labels[1].text() == "Counter 2"
    # the waiting count follows the same notifications: one of two still waits
    qtbot.waitUntil(lambda: board.shown_waiting()["resident"] == "1人", timeout=CALL_MS)
