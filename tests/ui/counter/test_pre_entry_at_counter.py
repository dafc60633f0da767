"""A visit prepared at home, opened at the counter by scanning its code."""

from __future__ import annotations

import re
from datetime import date

from PySide6.QtCore import Qt

from kiosk.pre_entry import PreEntry, format_code, qr_payload
from kiosk.storage.for_web import open_web_store
from tests.counter_fixture import CounterWorld
from tests.pre_entries import MOVING_IN, home_details
from tests.ui.counter.test_desk import WAIT_MS, at_counter, click

HISTORY = MOVING_IN
HOME = home_details(date(2024, 3, 28))


def prepare(world: CounterWorld) -> str:
    store = open_web_store(world.context.settings, clock=world.clock)
    try:
        now = world.clock()
        entry = PreEntry("vi", list(HISTORY), [], HOME, now, now)
        return store.save_pre_entry(entry)
    finally:
        store.close()


def scan(qtbot, desk, text: str) -> None:
    qtbot.keyClicks(desk.scan, text)
    qtbot.keyClick(desk.scan, Qt.Key.Key_Return)


def test_a_scanned_pre_entry_shows_what_was_prepared_and_is_logged(qtbot, window, world):
    code = prepare(world)
    desk = at_counter(qtbot, window)
    scan(qtbot, desk, qr_payload(code))
    actions = desk.visits.pre_entries
    qtbot.waitUntil(
        lambda: actions.dialog is not None and actions.dialog.isVisible(), timeout=WAIT_MS
    )
    shown = actions.dialog.body.text()
    assert "ベトナム語" in shown
    assert "転入届" in shown and "国民健康保険" in shown
    assert "〒530-0001 大阪府大阪市北区梅田1丁目2番3号 梅田ハイツ405" in shown
    assert "令和6年3月28日" in shown
    assert "まだ印刷されていません" in shown
    assert not actions.dialog.release_button.isVisible()
    events = [(e.action, e.detail) for e in world.store.access_events()]
    [viewed] = [d for a, d in events if a == "pre_entry_viewed"]
    assert re.fullmatch(r"pre_entry=\d+ counter=resident", viewed), "which row, never the code"
    assert all(code not in f"{e.action} {e.detail}" for e in world.store.access_events())


def test_a_printed_pre_entry_can_be_released_for_one_more_print(qtbot, window, world):
    code = prepare(world)
    world.store.mark_pre_entry_used(code, kiosk_id="kiosk-1")
    desk = at_counter(qtbot, window)
    scan(qtbot, desk, format_code(code))  # typed by hand, with its hyphens
    actions = desk.visits.pre_entries
    qtbot.waitUntil(
        lambda: actions.dialog is not None and actions.dialog.isVisible(), timeout=WAIT_MS
    )
    assert "キオスクで印刷済み" in actions.dialog.body.text()
    click(qtbot, actions.dialog.release_button)
    qtbot.waitUntil(
        lambda: "もう一度印刷できるように" in actions.dialog.status.text(), timeout=WAIT_MS
    )
    assert "まだ印刷されていません" in actions.dialog.body.text()
    assert world.store.load_pre_entry(code, source="test").used_at is None
    actions.dialog.reject()
    assert actions.dialog.body.text() == "", "nothing personal stays in the closed dialog"


def test_an_unknown_code_says_so(qtbot, window, world):
    desk = at_counter(qtbot, window)
    scan(qtbot, desk, qr_payload("ABCDEFGHJKLM"))
    qtbot.waitUntil(
        lambda: "事前準備コードは見つかりません" in desk.message.text(), timeout=WAIT_MS
    )
