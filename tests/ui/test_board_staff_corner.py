"""The board's staff corner (``[board] show_staff_calls``) on a real SQLite store.

A call raised through the store is on the board within 2 s (the polling watch), and
leaves it when acknowledged; with the setting off there is no corner at all.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.catalog import Catalog
from kiosk.config import BoardSettings, Settings
from kiosk.i18n import Translations
from kiosk.queue import QueueService
from kiosk.storage import Store
from tests.keys import open_store

SHOWN_MS = 2_000
LOAD_MS = 5_000


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(f"sqlite:///{tmp_path / 'db' / 'kiosk.db'}", tmp_path / "k" / "key") as s:
        yield s


def _board(qtbot: Any, qapp: Any, store: Store, *, show: bool) -> Any:
    from kiosk.ui.app import apply_theme
    from kiosk.ui.board.window import BoardWindow

    apply_theme(qapp)  # the board's fonts, as tests/ui/test_board.py

    settings = Settings(board=BoardSettings(show_staff_calls=show))
    service = QueueService(store, Catalog.load(), settings.counters)
    texts = {code: Translations.load(code) for code in ("ja", "en")}
    window = BoardWindow(settings, service, None, texts)
    qtbot.addWidget(window)
    window.resize(1920, 1080)
    window.show()
    qtbot.waitUntil(lambda: window.model.waiting != [], timeout=LOAD_MS)
    return window


def _close(window: Any) -> None:
    window.shutdown()
    assert window.runner.wait(5_000), "a worker thread outlived the test"
    assert not [t for t in threading.enumerate() if t.name == "staff-call-poll"], "watch leaked"


def test_an_open_staff_call_is_shown_until_acknowledged(
    qtbot: Any, qapp: Any, store: Store
) -> None:
    window = _board(qtbot, qapp, store, show=True)
    try:
        corner = window.staff_corner
        assert corner is not None
        assert corner.isHidden()
        qtbot.waitUntil(lambda: corner._watch is not None, timeout=LOAD_MS)
        store.raise_staff_call(kiosk_id="kiosk-3", screen="welcome", language="en")
        qtbot.waitUntil(corner.isVisible, timeout=SHOWN_MS)
        assert corner.text() == "スタッフ呼び出し: 受付機 kiosk-3 / Staff call: kiosk kiosk-3"
        hint = window.centralWidget().minimumSizeHint()  # outside the layout: still fits
        assert hint.width() <= 1920 and hint.height() <= 1080, hint
        board = window.centralWidget().rect()
        assert board.contains(corner.geometry()), corner.geometry()  # in the bottom right
        assert corner.geometry().right() > board.width() - 40
        assert corner.geometry().bottom() > board.height() - 40
        (call,) = store.open_staff_calls()
        assert store.acknowledge_staff_call(call.id, actor="staff-1")
        qtbot.waitUntil(corner.isHidden, timeout=SHOWN_MS)
        assert corner.text() == ""
    finally:
        _close(window)


def test_two_kiosks_calling_are_named_once_each(qtbot: Any, qapp: Any, store: Store) -> None:
    for kiosk in ("kiosk-1", "kiosk-2", "kiosk-1"):
        store.raise_staff_call(kiosk_id=kiosk, screen="done", language="ja")
    window = _board(qtbot, qapp, store, show=True)
    try:
        corner = window.staff_corner
        assert corner is not None
        qtbot.waitUntil(corner.isVisible, timeout=SHOWN_MS)
        assert "受付機 kiosk-1, kiosk-2 /" in corner.text()
    finally:
        _close(window)


def test_off_by_default_there_is_no_corner(qtbot: Any, qapp: Any, store: Store) -> None:
    from kiosk.ui.board.staff_corner import StaffCorner

    assert Settings().board.show_staff_calls is False
    window = _board(qtbot, qapp, store, show=False)
    try:
        store.raise_staff_call(kiosk_id="kiosk-3", screen="welcome", language="en")
        assert window.staff_corner is None
        assert window.findChildren(StaffCorner) == []
        assert not [t for t in threading.enumerate() if t.name == "staff-call-poll"]
    finally:
        _close(window)
