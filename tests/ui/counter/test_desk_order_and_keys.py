"""The desk's waiting list in call order, its keyboard shortcuts, and the visitor's "details
to correct" flag, on the real counter window (pytest-qt, offscreen, SQLite)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from PySide6.QtCore import Qt

from kiosk.person import Person
from kiosk.ui.counter.window import CounterWindow
from kiosk.visit import Visit
from tests.counter_fixture import CounterWorld
from tests.ui.counter.test_desk import WAIT_MS, at_counter, wait_status

ROW = re.compile(r"(\d+)\. ([A-Z]-\d{3})( ［優先］)?　\d+分待ち")


def _shown(desk: Any) -> list[tuple[int, str, bool]]:
    """(position, code, priority mark) of every row, as the list shows them."""
    rows = []
    for index in range(desk.waiting_list.count()):
        match = ROW.fullmatch(desk.waiting_list.item(index).text())
        assert match, desk.waiting_list.item(index).text()
        rows.append((int(match[1]), match[2], match[3] is not None))
    return rows


def _key(qtbot: Any, window: CounterWindow, key: Qt.Key) -> None:
    """A function key typed into the window, wherever the focus is (the scan field here)."""
    window.desk_page.scan.setFocus()
    qtbot.keyClick(window.desk_page.scan, key)


def test_the_waiting_list_is_in_the_order_call_next_calls(qtbot, window, world):
    # N1 N2 P3 P4 P5 P6 N7 (P: priority). With max_passes 3, P5's call passes N1 and N2 a
    # third time, so they come before P6: neither issue order nor "all priority first".
    for priority in (False, False, True, True, True, True, False):
        world.queue.issue("resident", priority=priority)
    desk = at_counter(qtbot, window)
    qtbot.waitUntil(lambda: desk.waiting_list.count() == 7, timeout=WAIT_MS)
    shown = _shown(desk)
    expected = ["A-003", "A-004", "A-005", "A-001", "A-002", "A-006", "A-007"]
    assert [code for _, code, _ in shown] == expected
    assert [n for n, _, _ in shown] == list(range(1, 8))
    assert [p for _, _, p in shown] == [True, True, True, False, False, True, False]
    assert "呼び出し順" in desk.waiting_box.title()

    called = []
    for _ in expected:  # call next (F1), then no-show (F5) to free the desk
        qtbot.waitUntil(desk.call_next_button.isEnabled, timeout=WAIT_MS)
        _key(qtbot, window, Qt.Key.Key_F1)
        wait_status(qtbot, desk, "called")
        called.append(desk.current.code)
        _key(qtbot, window, Qt.Key.Key_F5)
        wait_status(qtbot, desk, "no_show")
    assert called == expected


def test_the_buttons_say_their_keys_and_the_keys_work(qtbot, window, world):
    world.queue.issue("resident")
    desk = at_counter(qtbot, window)
    assert desk.call_next_button.text() == "次の方を呼ぶ (F1)"
    assert [b.text() for b in (desk.call_again_button, desk.start_button)] == [
        "もう一度呼ぶ (F2)",
        "対応開始 (F3)",
    ]
    assert [b.text() for b in (desk.done_button, desk.no_show_button)] == [
        "対応終了 (F4)",
        "不在 (F5)",
    ]
    qtbot.waitUntil(lambda: desk.waiting_list.count() == 1, timeout=WAIT_MS)
    _key(qtbot, window, Qt.Key.Key_F4)  # nothing to finish: the disabled button ignores it
    _key(qtbot, window, Qt.Key.Key_F1)
    wait_status(qtbot, desk, "called")
    ticket = desk.current
    _key(qtbot, window, Qt.Key.Key_F2)
    qtbot.waitUntil(
        lambda: len([e for e in world.store.ticket_events(ticket.id) if e.status == "called"]) == 2,
        timeout=WAIT_MS,
    )
    wait_status(qtbot, desk, "called")
    _key(qtbot, window, Qt.Key.Key_F3)
    wait_status(qtbot, desk, "serving")
    _key(qtbot, window, Qt.Key.Key_F4)
    wait_status(qtbot, desk, "done")
    assert world.store.find_ticket(ticket.code).status == "done"


def _visit_to_correct(world: CounterWorld) -> str:
    answers = {"purpose": "certificate", "certificate_kind": "juminhyo"}
    procedures = [p.id for p in world.context.catalog.procedures_for(answers)]
    visit = Visit(language="ja", answers=answers, procedures=procedures, used_card=True)
    visit.person = Person(
        "大阪 太郎", "大阪府大阪市北区中之島1丁目3番20号", date(1980, 5, 17), "male"
    )
    visit.details_to_correct = True
    return world.checkout.complete(visit).reference


def test_the_visit_panel_shows_the_visitors_details_to_correct(qtbot, window, world):
    _visit_to_correct(world)
    desk = at_counter(qtbot, window)
    qtbot.waitUntil(lambda: desk.waiting_list.count() == 1, timeout=WAIT_MS)
    _key(qtbot, window, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: desk.visit.view is not None, timeout=WAIT_MS)
    assert desk.visit.view.details_to_correct
    assert desk.visit.to_correct.isVisible()
    assert desk.visit.to_correct.text().startswith("⚠ 本人確認：カードの内容に違うところがある")
    desk.visit.clear()
    assert not desk.visit.to_correct.isVisible()
