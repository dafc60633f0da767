"""The counter app (pytest-qt, offscreen) over a real SQLite store: sign in, call, view."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from PySide6.QtCore import Qt

from kiosk.supervision import Supervision
from kiosk.ui.counter.window import CounterWindow
from tests.counter_fixture import STAFF_PIN, SUPERVISOR_PIN, CounterWorld

WAIT_MS = 10_000


def sign_in(qtbot: Any, window: CounterWindow, staff_id: str, pin: str) -> None:
    window.signin.staff_id.setText(staff_id)
    window.signin.pin.setText(pin)
    qtbot.mouseClick(window.signin.button, Qt.MouseButton.LeftButton)


def at_counter(
    qtbot: Any,
    window: CounterWindow,
    staff_id: str = "S001",
    pin: str = STAFF_PIN,
    *,
    code: str | None = None,
    counter: str = "resident",
):
    """Signed in (with ``code`` for a supervisor's second step) at ``counter``'s desk."""
    sign_in(qtbot, window, staff_id, pin)
    if code is not None:
        qtbot.waitUntil(lambda: window.stack.currentWidget() is window.code_page, timeout=WAIT_MS)
        window.code_page.code.setText(code)
        qtbot.mouseClick(window.code_page.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.pick, timeout=WAIT_MS)
    qtbot.mouseClick(window.pick.buttons[counter], Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.tabs
    return window.desk_page


def click(qtbot: Any, button: Any) -> None:
    assert button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def wait_status(qtbot: Any, desk: Any, status: str) -> None:
    qtbot.waitUntil(
        lambda: not desk.pending and desk.current is not None and desk.current.status == status,
        timeout=WAIT_MS,
    )


def test_a_wrong_pin_says_how_many_tries_are_left_and_keeps_no_pin(qtbot, window):
    sign_in(qtbot, window, "S001", "9999")
    qtbot.waitUntil(lambda: "あと4回" in window.signin.message.text(), timeout=WAIT_MS)
    assert window.signin.pin.text() == ""
    assert window.session is None and window.stack.currentWidget() is window.signin


def test_calling_the_next_visitor_shows_what_they_entered_and_logs_the_view(qtbot, window, world):
    reference = world.visit()
    desk = at_counter(qtbot, window)
    qtbot.waitUntil(lambda: desk.waiting_list.count() == 1, timeout=WAIT_MS)
    click(qtbot, desk.call_next_button)
    wait_status(qtbot, desk, "called")
    qtbot.waitUntil(lambda: desk.visit.view is not None, timeout=WAIT_MS)
    shown = desk.visit.shown_text()
    assert "大阪 太郎" in shown and "住民票の写しの交付" in shown
    assert "•••• •••• 9018" in shown and "123456789018" not in shown
    assert not desk.visit.reveal_button.isVisible()  # staff cannot reveal the number
    log = world.store.access_events(visit_reference=reference)
    assert [(e.actor, e.action) for e in log][:1] == [("staff:S001", "visit_viewed")]
    assert desk.code.text().startswith("A-001")


def test_a_ticket_goes_from_called_to_serving_to_done(qtbot, window, world):
    world.visit()
    desk = at_counter(qtbot, window)
    click(qtbot, desk.call_next_button)
    wait_status(qtbot, desk, "called")
    assert not desk.call_next_button.isEnabled() and not desk.done_button.isEnabled()
    click(qtbot, desk.call_again_button)
    assert not desk.start_button.isEnabled()  # until the call is answered: no racing clicks
    wait_status(qtbot, desk, "called")
    click(qtbot, desk.start_button)
    wait_status(qtbot, desk, "serving")
    click(qtbot, desk.done_button)
    wait_status(qtbot, desk, "done")
    assert desk.call_next_button.isEnabled()
    statuses = [e.status for e in world.store.ticket_events(desk.current.id)]
    assert statuses == ["waiting", "called", "called", "serving", "done"]


def test_no_show_and_transfer(qtbot, window, world):
    world.visit()
    world.visit()
    desk = at_counter(qtbot, window)
    click(qtbot, desk.call_next_button)
    wait_status(qtbot, desk, "called")
    click(qtbot, desk.no_show_button)
    wait_status(qtbot, desk, "no_show")
    click(qtbot, desk.call_next_button)
    qtbot.waitUntil(
        lambda: not desk.pending and desk.current is not None and desk.current.code == "A-002"
    )
    desk.transfer_to.setCurrentIndex(desk.transfer_to.findData("insurance"))
    click(qtbot, desk.transfer_button)
    qtbot.waitUntil(lambda: desk.current is None, timeout=WAIT_MS)
    assert "B-001" in desk.message.text()
    assert world.store.find_ticket("B-001").status == "waiting"
    assert world.store.find_ticket("A-002").status == "transferred"


def test_a_specific_ticket_is_called_from_the_list_or_by_its_code(qtbot, window, world):
    for _ in range(3):
        world.queue.issue("resident")
    desk = at_counter(qtbot, window)
    qtbot.waitUntil(lambda: desk.waiting_list.count() == 3, timeout=WAIT_MS)
    desk.waiting_list.item(2).setSelected(True)
    click(qtbot, desk.call_selected_button)
    qtbot.waitUntil(
        lambda: not desk.pending and desk.current is not None and desk.current.code == "A-003"
    )
    assert "入力内容はありません" in desk.visit.heading.text() or desk.visit.view is None
    click(qtbot, desk.no_show_button)
    wait_status(qtbot, desk, "no_show")
    desk.call_code_input.setText("a-3")  # typed loosely: a no-show is called again
    click(qtbot, desk.findChild(type(desk.call_next_button), "desk_call_code"))
    qtbot.waitUntil(
        lambda: not desk.pending and desk.current is not None and desk.current.status == "called"
    )
    assert desk.current.code == "A-003"


def test_staff_mark_a_waiting_ticket_priority(qtbot, window, world):
    world.queue.issue("resident")
    world.queue.issue("resident")
    desk = at_counter(qtbot, window)
    qtbot.waitUntil(lambda: desk.waiting_list.count() == 2, timeout=WAIT_MS)
    desk.waiting_list.item(1).setSelected(True)
    click(qtbot, desk.priority_button)
    # The list is in call order: A-002 now goes first.
    qtbot.waitUntil(lambda: "A-002 ［優先］" in desk.waiting_list.item(0).text(), timeout=WAIT_MS)
    assert world.store.find_ticket("A-002").priority
    click(qtbot, desk.call_next_button)
    qtbot.waitUntil(
        lambda: not desk.pending and desk.current is not None and desk.current.code == "A-002"
    )


def test_a_scanned_cover_page_opens_the_visit(qtbot, window, world):
    reference = world.visit()
    desk = at_counter(qtbot, window)
    qtbot.keyClicks(desk.scan, f"WK:{reference}")
    qtbot.keyClick(desk.scan, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: desk.visit.view is not None, timeout=WAIT_MS)
    assert desk.visit.view.reference == reference
    actions = [(e.action, e.detail) for e in world.store.access_events(visit_reference=reference)]
    assert ("visit_viewed", "via=scan") in actions
    qtbot.keyClicks(desk.scan, "https://example.com")
    qtbot.keyClick(desk.scan, Qt.Key.Key_Return)
    assert "QRコードではありません" in desk.message.text()
    qtbot.keyClicks(desk.scan, "ZZZZZZZZ")
    qtbot.keyClick(desk.scan, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "見つかりません" in desk.message.text(), timeout=WAIT_MS)


def test_a_correction_is_saved_and_the_forms_printed_again(qtbot, window, world):
    reference = world.visit()
    desk = at_counter(qtbot, window)
    qtbot.keyClicks(desk.scan, reference)
    qtbot.keyClick(desk.scan, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: desk.visit.view is not None, timeout=WAIT_MS)
    panel = desk.visit
    panel.confirm_correction = lambda field, old, new: True
    panel.correct_field.setCurrentIndex(panel.correct_field.findData("name_kana"))
    panel.correct_value.setText("オオサカ タロウ")
    click(qtbot, panel.correct_button)
    qtbot.waitUntil(lambda: "訂正しました" in desk.message.text(), timeout=WAIT_MS)
    assert panel.person_fields["name_kana"].text() == "オオサカ タロウ"
    assert world.store.load_visit(reference).person.name_kana == "オオサカ タロウ"
    panel.correct_field.setCurrentIndex(panel.correct_field.findData("birth_date"))
    panel.correct_value.setText("17/05/1980")
    click(qtbot, panel.correct_button)
    qtbot.waitUntil(lambda: "1950-04-01" in desk.message.text(), timeout=WAIT_MS)
    before = set(world.printed.glob("*-forms-*.pdf"))
    click(qtbot, panel.reprint_button)
    qtbot.waitUntil(lambda: "印刷しました" in desk.message.text(), timeout=WAIT_MS)
    assert len(set(world.printed.glob("*-forms-*.pdf")) - before) == 1


def test_a_supervisor_reveals_the_number_and_sees_the_supervisor_tab(qtbot, window, world):
    reference = world.visit()
    desk = at_counter(qtbot, window, "SV01", SUPERVISOR_PIN, code=world.next_code())
    assert window.tabs.count() == 2
    qtbot.keyClicks(desk.scan, reference)
    qtbot.keyClick(desk.scan, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: desk.visit.view is not None, timeout=WAIT_MS)
    assert desk.visit.reveal_button.isVisible()
    click(qtbot, desk.visit.reveal_button)
    qtbot.waitUntil(lambda: "123456789018" in desk.visit.shown_text(), timeout=WAIT_MS)
    actions = [e.action for e in world.store.access_events(visit_reference=reference)]
    assert "individual_number_revealed" in actions
    click(qtbot, window.sign_out_button)
    assert window.tabs.count() == 1 and window.tabs.indexOf(window.supervisor) == -1


def test_idle_sign_out_wipes_the_visitor_from_the_screen(qtbot, window, world, app_clock):
    reference = world.visit()
    desk = at_counter(qtbot, window)
    qtbot.keyClicks(desk.scan, reference)
    qtbot.keyClick(desk.scan, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "大阪 太郎" in desk.visit.shown_text(), timeout=WAIT_MS)
    app_clock.now += timedelta(seconds=299)
    window._check_idle()
    assert window.session is not None
    app_clock.now += timedelta(seconds=2)
    qtbot.waitUntil(lambda: window.session is None, timeout=WAIT_MS)
    assert window.stack.currentWidget() is window.signin
    assert "操作がなかった" in window.signin.message.text()
    assert window.signin.staff_id.text() == "" and window.member_label.text() == ""
    for text in ("大阪 太郎", "北区中之島", reference, "9018"):
        assert text not in desk.visit.shown_text()
    assert desk.waiting_list.count() == 0
    qtbot.waitUntil(
        lambda: (
            ("staff:S001", "staff_signed_out", "reason=idle")
            in [(e.actor, e.action, e.detail) for e in world.store.access_events(limit=5)]
        ),
        timeout=WAIT_MS,
    )


def test_a_ticket_issued_at_a_kiosk_appears_within_a_second(qtbot, window, world):
    desk = at_counter(qtbot, window)
    qtbot.waitUntil(lambda: desk.waiting_box.title().endswith("（0人）"), timeout=WAIT_MS)
    world.queue.issue("resident")  # as another kiosk would, through the database
    qtbot.waitUntil(lambda: desk.waiting_list.count() == 1, timeout=1_000)


def test_run_counter_opens_the_window_on_the_configured_database_and_closes(qapp, tmp_path):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from kiosk.context import KioskContext
    from kiosk.ui.counter.app import run_counter
    from tests.counter_fixture import counter_settings
    from tests.keys import key_pair, open_store

    url = f"sqlite:///{tmp_path / 'kiosk.db'}"
    private, public = key_pair(tmp_path / "keys" / "ward-key.pem")  # a counter PC's keys
    open_store(url, private).close()
    database = {"url": url, "private_key_file": str(private), "public_key_file": str(public)}
    base = counter_settings(url, tmp_path)
    settings = base.model_copy(update={"database": base.database.model_copy(update=database)})
    context = KioskContext.load(settings=settings)
    seen: list[CounterWindow] = []

    def close_it() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, CounterWindow)]
        seen.extend(w for w in windows if w.isVisible())
        for shown in windows:
            shown.close()

    QTimer.singleShot(500, close_it)
    font, style = qapp.font(), qapp.styleSheet()
    try:
        assert run_counter(context, windowed=True) == 0
    finally:  # the counter's theme is the application's: give the next tests theirs
        qapp.setFont(font)
        qapp.setStyleSheet(style)
    (shown,) = seen
    assert shown.supervisor is not None and shown.stack.currentWidget() is shown.signin
    assert (tmp_path / "kiosk.db").exists()


def test_a_database_that_goes_down_is_said_and_the_open_record_stays(
    qtbot, pg_server, pg_url, tmp_path, counter_clock
):
    world = CounterWorld(pg_url, tmp_path, counter_clock)
    supervision = Supervision(world.store, world.accounts, world.queue, world.context.settings)
    shown = CounterWindow(
        world.desk, world.accounts, None, idle_seconds=300, supervision=supervision
    )
    qtbot.addWidget(shown)
    try:
        reference = world.visit()
        desk = at_counter(qtbot, shown)
        qtbot.keyClicks(desk.scan, reference)
        qtbot.keyClick(desk.scan, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: desk.visit.view is not None and not desk.pending, timeout=WAIT_MS)
        pg_server.allow_connections(pg_url, False)
        click(qtbot, desk.call_next_button)
        qtbot.waitUntil(
            lambda: "データベースにつながりません" in desk.message.text(), timeout=WAIT_MS
        )
        assert desk.message.text().startswith("⚠") and desk.message.property("error")
        assert desk.visit.view is not None and "大阪 太郎" in desk.visit.shown_text()
        qtbot.waitUntil(lambda: not desk.pending, timeout=WAIT_MS)
        pg_server.allow_connections(pg_url, True)  # the network is back: try again
        click(qtbot, desk.call_next_button)
        wait_status(qtbot, desk, "called")
        assert desk.current is not None and desk.current.code == "A-001"
    finally:
        shown.shutdown()
        world.close()


def test_an_empty_paper_tray_on_reprint_is_said_in_words(
    qtbot, window, world, fault_queue, cups_server
):
    from kiosk.printing import CupsPrinter
    from tests.cups_fixture import BACKEND_STOP

    reference = world.visit()
    queue = fault_queue("media-empty-error", status=BACKEND_STOP)
    world.checkout.forms_printer = CupsPrinter(queue, server=cups_server.server)
    desk = at_counter(qtbot, window)
    qtbot.keyClicks(desk.scan, reference)
    qtbot.keyClick(desk.scan, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: desk.visit.view is not None and not desk.pending, timeout=WAIT_MS)
    click(qtbot, desk.visit.reprint_button)
    empty = "用紙がありません"
    qtbot.waitUntil(lambda: empty in desk.message.text(), timeout=60_000)
    assert desk.message.property("error") is True
    assert desk.visit.view is not None  # the record stays for the next try
    actions = [e.action for e in world.store.access_events(visit_reference=reference)]
    assert "forms_reprinted" in actions  # the attempt is logged: the forms show card data
