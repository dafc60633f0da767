"""The counter app's defences (pytest-qt, offscreen): the supervisor's code, the number
that hides itself, the scan field a wedge scanner types into, confirmed corrections,
reasons for other counters' visits, and sessions that end."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from kiosk.staff_totp import code_at
from kiosk.ui.counter.scan_field import swallowed
from tests.counter_fixture import CLI, SUPERVISOR_PIN
from tests.ui.counter.test_desk import WAIT_MS, at_counter, click, sign_in

NAME = "大阪 太郎"
REASON = "本人が保険年金課に来庁"


def open_by_scan(qtbot: Any, desk: Any, reference: str) -> None:
    qtbot.keyClicks(desk.scan, f"WK:{reference}")
    qtbot.keyClick(desk.scan, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: desk.visit.view is not None and not desk.pending, timeout=WAIT_MS)


def logged(world: Any, reference: str) -> list[tuple[str, str]]:
    return [(e.action, e.detail) for e in world.store.access_events(visit_reference=reference)]


def test_a_supervisor_signs_in_with_pin_and_authenticator_code(qtbot, window, world):
    sign_in(qtbot, window, "SV01", SUPERVISOR_PIN)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.code_page, timeout=WAIT_MS)
    assert window.session is None and window.signin.pin.text() == ""
    page = window.code_page
    world.next_code()
    page.code.setText(code_at(world.totp_secret, world.clock.now.replace(year=2030)))
    click(qtbot, page.button)
    qtbot.waitUntil(lambda: "確認コードが違います" in page.message.text(), timeout=WAIT_MS)
    assert window.session is None and page.code.text() == ""
    page.code.setText(code_at(world.totp_secret, world.clock.now))
    click(qtbot, page.button)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.pick, timeout=WAIT_MS)
    assert window.session is not None and window.session.member.staff_id == "SV01"


def test_a_used_code_is_refused_and_back_goes_to_the_pin(qtbot, window, world):
    at_counter(qtbot, window, "SV01", SUPERVISOR_PIN, code=world.next_code())
    used = code_at(world.totp_secret, world.clock.now)
    click(qtbot, window.sign_out_button)
    sign_in(qtbot, window, "SV01", SUPERVISOR_PIN)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.code_page, timeout=WAIT_MS)
    window.code_page.code.setText(used)
    click(qtbot, window.code_page.button)
    qtbot.waitUntil(lambda: "使用済み" in window.code_page.message.text(), timeout=WAIT_MS)
    click(qtbot, window.code_page.cancel)
    assert window.stack.currentWidget() is window.signin and window.challenge is None


def test_the_revealed_number_hides_itself_and_cannot_be_selected(qtbot, window, world):
    reference = world.visit()
    desk = at_counter(qtbot, window, "SV01", SUPERVISOR_PIN, code=world.next_code())
    panel = desk.visit
    panel.reveal_ms = 300  # 30 s in the app
    open_by_scan(qtbot, desk, reference)
    number = panel.person_fields["number"]
    assert number.textInteractionFlags() == Qt.TextInteractionFlag.NoTextInteraction
    assert number.contextMenuPolicy() == Qt.ContextMenuPolicy.NoContextMenu
    click(qtbot, panel.reveal_button)
    qtbot.waitUntil(lambda: "123456789018" in number.text(), timeout=WAIT_MS)
    assert number.textInteractionFlags() == Qt.TextInteractionFlag.NoTextInteraction
    assert not number.hasSelectedText()
    qtbot.waitUntil(lambda: "123456789018" not in panel.shown_text(), timeout=2_000)
    assert number.text() == "•••• •••• 9018"
    assert panel.view is not None and not panel.view.number_revealed
    assert panel.view.number == "•••• •••• 9018"  # not kept behind the mask either
    assert panel.reveal_button.isVisible()  # reveal again (logged again) to see it


def wedge(qtbot: Any, keys: list[str | Qt.Key], modifier: Any = Qt.KeyboardModifier.NoModifier):
    """Type like a keyboard-wedge scanner: every key to whatever widget has the focus
    (characters QTest cannot type, such as kanji or control characters, as key events
    that carry the text)."""
    for key in keys:
        for one in [key] if isinstance(key, Qt.Key) else list(key):
            target = QApplication.focusWidget()
            assert target is not None
            if isinstance(one, Qt.Key) or (one.isascii() and one.isprintable()):
                qtbot.keyClick(target, one, modifier)
                continue
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QApplication.sendEvent(target, QKeyEvent(kind, Qt.Key.Key_unknown, modifier, one))


def test_a_crafted_wedge_scan_changes_nothing(qtbot, window, world):
    reference = world.visit()
    desk = at_counter(qtbot, window)
    open_by_scan(qtbot, desk, reference)
    panel = desk.visit
    asked: list[tuple[str, str, str]] = []
    panel.confirm_correction = lambda *values: asked.append(values) or True  # the worst case
    window.activateWindow()
    desk.scan.setFocus()
    qtbot.waitUntil(desk.scan.hasFocus, timeout=WAIT_MS)
    payload: list[str | Qt.Key] = [f"WK:{reference}"]
    payload += [Qt.Key.Key_Tab] * 12 + ["\x01\x1b", "偽 名前", Qt.Key.Key_Return]
    payload += [Qt.Key.Key_Backtab] * 3 + ["改ざん", Qt.Key.Key_Enter]
    wedge(qtbot, payload)
    wedge(qtbot, ["s", Qt.Key.Key_Return], Qt.KeyboardModifier.AltModifier)  # mnemonics
    qtbot.waitUntil(lambda: not desk.pending, timeout=WAIT_MS)
    assert desk.scan.hasFocus()
    assert asked == []
    assert panel.correct_value.text() == NAME  # the correction field was never reached
    assert world.store.load_visit(reference).person.name == NAME
    assert all(action != "visit_corrected" for action, _ in logged(world, reference))


def test_the_scan_field_swallows_control_keys():
    def key(k: Qt.Key, text: str = "", mods: Any = Qt.KeyboardModifier.NoModifier) -> QKeyEvent:
        return QKeyEvent(QKeyEvent.Type.KeyPress, k, mods, text)

    assert swallowed(key(Qt.Key.Key_Tab, "\t"))
    assert swallowed(key(Qt.Key.Key_Backtab))
    assert swallowed(key(Qt.Key.Key_S, "s", Qt.KeyboardModifier.AltModifier))
    assert swallowed(key(Qt.Key.Key_Escape, "\x1b"))
    assert swallowed(key(Qt.Key.Key_unknown, "\x1d"))  # a GS separator from the code
    assert not swallowed(key(Qt.Key.Key_Return, "\r"))
    assert not swallowed(key(Qt.Key.Key_K, "K"))
    assert not swallowed(key(Qt.Key.Key_A, "\x01", Qt.KeyboardModifier.ControlModifier))


def test_a_correction_is_saved_only_when_confirmed_with_old_and_new_value(qtbot, window, world):
    reference = world.visit()
    desk = at_counter(qtbot, window)
    open_by_scan(qtbot, desk, reference)
    panel = desk.visit
    answers = [False, True]
    asked: list[tuple[str, str, str]] = []

    def confirm(field: str, old: str, new: str) -> bool:
        asked.append((field, old, new))
        return answers.pop(0)

    panel.confirm_correction = confirm
    panel.correct_field.setCurrentIndex(panel.correct_field.findData("name"))
    panel.correct_value.setText("大阪 次郎")
    click(qtbot, panel.correct_button)
    assert asked == [("氏名", NAME, "大阪 次郎")]
    assert not desk.pending and world.store.load_visit(reference).person.name == NAME
    click(qtbot, panel.correct_button)
    qtbot.waitUntil(lambda: "訂正しました" in desk.message.text(), timeout=WAIT_MS)
    assert world.store.load_visit(reference).person.name == "大阪 次郎"


def test_another_counters_visit_opens_after_a_reason_that_is_logged(qtbot, window, world):
    reference = world.visit()  # a resident counter visit
    desk = at_counter(qtbot, window, counter="insurance")
    answers: list[str | None] = [None, REASON]
    asked: list[str] = []

    def ask(why: str) -> str | None:
        asked.append(why)
        return answers.pop(0)

    desk.visits.ask_reason = ask
    qtbot.keyClicks(desk.scan, f"WK:{reference}")
    qtbot.keyClick(desk.scan, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "開いていません" in desk.message.text(), timeout=WAIT_MS)
    assert asked == ["other_counter"] and desk.visit.view is None
    assert all(action != "visit_viewed" for action, _ in logged(world, reference))
    open_by_scan(qtbot, desk, reference)
    assert desk.visit.view.reference == reference and NAME in desk.visit.shown_text()
    detail = f"via=scan why=other_counter reason={REASON}"
    assert ("visit_viewed", detail) in logged(world, reference)
    desk.visit.confirm_correction = lambda *_: True
    desk.visit.correct_field.setCurrentIndex(desk.visit.correct_field.findData("name_kana"))
    desk.visit.correct_value.setText("オオサカ タロウ")
    click(qtbot, desk.visit.correct_button)
    qtbot.waitUntil(lambda: "訂正しました" in desk.message.text(), timeout=WAIT_MS)
    corrected = f"field=name_kana why=other_counter reason={REASON}"
    assert ("visit_corrected", corrected) in logged(world, reference)


def test_the_window_signs_out_when_the_session_reaches_its_limit(qtbot, window, world, app_clock):
    at_counter(qtbot, window)
    assert window.session is not None
    app_clock.now = window.session.expires_at
    window._check_idle()
    assert window.session is None and window.stack.currentWidget() is window.signin
    assert "上限" in window.signin.message.text()


def test_a_member_deactivated_meanwhile_is_signed_out_at_the_next_action(qtbot, window, world):
    reference = world.visit()
    desk = at_counter(qtbot, window)
    open_by_scan(qtbot, desk, reference)
    world.accounts.deactivate("S001", by=CLI)
    click(qtbot, desk.call_next_button)
    qtbot.waitUntil(lambda: window.session is None, timeout=WAIT_MS)
    assert "使えなくなった" in window.signin.message.text()
    assert NAME not in desk.visit.shown_text()
    assert world.store.find_ticket("A-001").status == "waiting"  # the call was refused


def test_the_code_page_gives_up_when_the_code_would_come_too_late(qtbot, window):
    window.code_timer.setInterval(200)  # two minutes in the app, as in the core
    sign_in(qtbot, window, "SV01", SUPERVISOR_PIN)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.code_page, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.signin, timeout=WAIT_MS)
    assert window.challenge is None and "時間が過ぎました" in window.signin.message.text()
