"""The supervisor page (pytest-qt, offscreen) over a real SQLite store and real accounts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QTableWidget, QWidget

from kiosk.i18n import Translations
from kiosk.staff import Locked, WrongPin
from kiosk.storage import HealthCheck
from kiosk.ui.counter.charts import BarChart, Series
from kiosk.ui.counter.supervisor import SupervisorPanel
from kiosk.ui.counter.supervisor_staff import NewStaff, PinDialog, StaffDialog
from kiosk.ui.tasks import TaskRunner
from tests.test_supervision import TOKYO, Office, day_of_tickets, open_office

LOAD_MS = 10_000


@pytest.fixture
def office(tmp_path: Path) -> Iterator[Office]:
    opened = open_office(f"sqlite:///{tmp_path / 'kiosk.db'}", tmp_path / "keys" / "kiosk.key")
    try:
        yield opened
    finally:
        opened.store.close()


@pytest.fixture
def texts() -> Translations:
    return Translations.load("ja")


@pytest.fixture
def panel(qtbot: Any, office: Office, texts: Translations) -> Iterator[SupervisorPanel]:
    runner = TaskRunner()
    widget = SupervisorPanel(office.supervision, runner, texts)
    qtbot.addWidget(widget)
    widget.resize(1366, 768)
    widget.show()
    try:
        yield widget
    finally:
        widget.set_member(None)
        assert runner.wait(5_000), "a worker thread outlived the test"


def settle(qtbot: Any, panel: SupervisorPanel) -> None:
    qtbot.waitUntil(lambda: not panel.busy, timeout=LOAD_MS)


def show_tab(qtbot: Any, panel: SupervisorPanel, tab: QWidget) -> None:
    panel.setCurrentWidget(tab)
    settle(qtbot, panel)


def cells(table: QTableWidget) -> list[list[str]]:
    return [
        [item.text() if (item := table.item(r, c)) else "" for c in range(table.columnCount())]
        for r in range(table.rowCount())
    ]


def shown_texts(widget: QWidget) -> list[str]:
    """Every text a widget tree holds: labels, table cells, fields, chart contents."""
    found = [label.text() for label in widget.findChildren(QLabel)]
    found += [v for table in widget.findChildren(QTableWidget) for row in cells(table) for v in row]
    found += [edit.text() for edit in widget.findChildren(QLineEdit)]
    for chart in widget.findChildren(BarChart):
        found += [chart.title, *chart.labels, *(s.name for s in chart.series)]
        found += [str(v) for s in chart.series for v in s.values]
    return [text for text in found if text]


def values(chart: BarChart) -> list[tuple[str, tuple[float | None, ...]]]:
    return [(s.name, s.values) for s in chart.series]


def signed_in(qtbot: Any, panel: SupervisorPanel, office: Office) -> SupervisorPanel:
    panel.setCurrentWidget(panel.counters_tab)  # these tests start there (calls come first)
    panel.set_member(office.boss)
    settle(qtbot, panel)
    return panel


# -- every tab with real data ---------------------------------------------------------------


def test_every_tab_loads_real_data(qtbot, panel, office):
    day_of_tickets(office)
    office.store.record_heartbeat(
        "kita-1f-01",
        [
            HealthCheck("card_reader", "ok", "Virtual PCD"),
            HealthCheck("forms_printer", "error", ""),
        ],
        version="1.4.0",
    )
    office.clock.advance(timedelta(minutes=7))
    signed_in(qtbot, panel, office)

    counters = cells(panel.counters_tab.table)
    assert counters[[r[0] for r in counters].index("2番 住民登録")][:3] == [
        "2番 住民登録",
        "1",
        "住民登録・証明",
    ]
    assert all(row[3].startswith("● 受付中") for row in counters)

    show_tab(qtbot, panel, panel.staff_tab)
    assert [row[:4] for row in cells(panel.staff_tab.table)] == [
        ["BOSS", "監督 一郎", "監督者", "有効"],
        ["S001", "窓口 花子", "職員", "有効"],
    ]

    show_tab(qtbot, panel, panel.log_tab)
    log = cells(panel.log_tab.table)
    assert log[0][1:3] == ["BOSS", "アクセスログの閲覧"]
    assert log[1][1:3] == ["BOSS", "職員一覧の閲覧"]

    show_tab(qtbot, panel, panel.kiosks_tab)
    shown = panel.kiosks_tab.texts_shown()
    assert "kita-1f-01" in shown
    assert any(text.endswith("（7分前）") for text in shown)
    assert "● 正常" in shown and "✖ 異常" in shown and "カードリーダー" in shown
    assert any(text.startswith("⚠") for text in shown)  # 7 minutes: more than 3 intervals

    show_tab(qtbot, panel, panel.today_tab)
    assert panel.today_tab.heading.text() == "2024-04-01 の統計"


def test_the_today_charts_get_the_days_numbers(qtbot, panel, office, monkeypatch):
    # the page asks for the machine's zone: make that the ward's for the test data
    supervision = office.supervision
    today = supervision.today
    monkeypatch.setattr(supervision, "today", lambda by, zone=None: today(by, TOKYO))
    day_of_tickets(office)
    signed_in(qtbot, panel, office)
    show_tab(qtbot, panel, panel.today_tab)
    tab = panel.today_tab
    assert tab.by_hour.labels == ("9時", "10時")
    assert values(tab.by_hour) == [("住民登録・証明", (6, 3)), ("国民健康保険", (0, None))]
    assert tab.by_category.labels == ("住民登録・証明", "国民健康保険")
    assert values(tab.by_category) == [("発券", (9, None)), ("不在", (3, None))]
    assert tab.waits.labels == ("住民登録・証明",)
    assert values(tab.waits) == [("中央値", (35.0,)), ("90パーセンタイル", (48.0,))]
    assert values(tab.services) == [("中央値", (8.0,)), ("90パーセンタイル", (11.2,))]
    assert tab.visits.title == "キオスクの利用（本日 7 件）"
    assert dict(zip(tab.visits.labels, tab.visits.series[0].values, strict=True)) == {
        "最後まで完了": 4,
        "途中で終了": 3,
        "操作中": 0,
        "カードあり": 4,
        "カードなし": 3,
        "音声を利用": 3,
        "音声なし": 4,
    }
    assert tab.languages.labels == ("英語", "日本語")
    assert values(tab.languages)[0][1] == (3, 4)
    assert tab.waits.value_text(None) == "x" and tab.waits.value_text(35.0) == "35.0"


# -- counters ---------------------------------------------------------------------------------


def test_closing_a_counter_asks_first_then_changes_the_database_and_the_log(qtbot, panel, office):
    signed_in(qtbot, panel, office)
    answers: list[str] = []
    panel.confirm = lambda parent, title, question: answers.append(question) or False
    close = panel.counters_tab.button_for("resident")
    assert close.text() == "受付を終了"
    with qtbot.waitSignal(panel.activity):
        close.click()
    assert answers == [
        "2番 住民登録窓口の受付を終了しますか？\n"
        "終了すると、この窓口では番号を呼び出せなくなります。"
    ]
    assert office.store.counter_states() == {}

    panel.confirm = lambda parent, title, question: True
    close.click()
    settle(qtbot, panel)
    assert not office.store.counter_states()["resident"].open
    assert panel.counters_tab.banner.text() == "2番 住民登録窓口の受付を終了しました。"
    row = next(r for r in cells(panel.counters_tab.table) if r[0] == "2番 住民登録")
    assert row[3].startswith("■ 受付終了") and "BOSS" in row[3]
    reopen = panel.counters_tab.button_for("resident")
    assert reopen.text() == "受付を開始"
    reopen.click()  # opening needs no confirmation
    settle(qtbot, panel)
    assert office.store.counter_states()["resident"].open
    logged = [(e.actor, e.action) for e in office.store.access_events(limit=10)]
    assert logged[:2] == [("staff:BOSS", "counter_opened"), ("staff:BOSS", "counter_closed")]


# -- staff ------------------------------------------------------------------------------------


def test_adding_resetting_promoting_unlocking_and_deactivating_staff(qtbot, panel, office):
    signed_in(qtbot, panel, office)
    show_tab(qtbot, panel, panel.staff_tab)
    tab = panel.staff_tab
    panel.confirm = lambda parent, title, question: True

    tab.ask_new_staff = lambda: NewStaff("S002", "佐藤 花子", "staff", "4826")
    tab.add_button.click()
    settle(qtbot, panel)
    assert tab.banner.text() == "職員ID S002 を登録しました。"
    assert ["S002", "佐藤 花子", "職員", "有効", "なし"] in cells(tab.table)

    tab.select("S002")
    tab.ask_pin = lambda staff_id: "7391"
    tab.pin_button.click()
    settle(qtbot, panel)
    assert office.accounts.authenticate("S002", "7391").staff_id == "S002"

    for _ in range(5):
        with pytest.raises((WrongPin, Locked)):
            office.accounts.authenticate("S002", "9999")
    tab.refresh_button.click()
    settle(qtbot, panel)
    tab.select("S002")
    assert cells(tab.table)[2][4].endswith("までロック中")
    assert tab.unlock_button.isEnabled()
    tab.unlock_button.click()
    settle(qtbot, panel)
    assert office.accounts.get("S002").locked_until is None

    tab.select("S002")
    assert tab.role_button.text() == "監督者にする"
    tab.role_button.click()
    settle(qtbot, panel)
    assert office.accounts.get("S002").is_supervisor
    tab.select("S002")
    assert tab.role_button.text() == "職員に戻す"

    tab.select("S002")
    tab.deactivate_button.click()
    settle(qtbot, panel)
    assert not office.accounts.get("S002").active
    assert tab.banner.text() == "職員ID S002 のアカウントを無効にしました。"
    actions = [e.action for e in office.store.access_events(limit=20) if e.actor == "staff:BOSS"]
    for action in ("staff_added", "staff_pin_changed", "staff_unlocked", "staff_deactivated"):
        assert action in actions


def test_refusals_are_messages_in_the_apps_language(qtbot, panel, office):
    signed_in(qtbot, panel, office)
    show_tab(qtbot, panel, panel.staff_tab)
    tab = panel.staff_tab
    tab.ask_new_staff = lambda: NewStaff("S001", "別人", "staff", "4826")
    tab.add_button.click()
    settle(qtbot, panel)
    assert tab.banner.text() == "この職員IDはすでに登録されています。別のIDを入力してください。"
    assert tab.banner.property("error") is True
    tab.ask_new_staff = lambda: NewStaff("S003", "新人", "staff", "1111")  # not checked here
    tab.add_button.click()
    settle(qtbot, panel)
    assert tab.banner.text().startswith("この暗証番号は使えません。")
    assert "Traceback" not in " ".join(shown_texts(panel))


def test_pin_dialogs_check_before_anything_is_sent(qtbot, panel, office):
    dialog = StaffDialog(panel.host, panel)
    qtbot.addWidget(dialog)
    dialog.staff_id.setText("s004")
    dialog.name.setText("  田中 一郎 ")
    dialog.pin.setText("4826")
    dialog.pin_again.setText("4827")
    assert dialog.pin.echoMode() == QLineEdit.EchoMode.Password
    dialog.try_accept()
    assert dialog.error.text().startswith("2回入力した暗証番号が一致しません")
    assert dialog.result() == 0
    dialog.pin.setText("1234")
    dialog.pin_again.setText("1234")
    dialog.try_accept()
    assert dialog.error.text().startswith("この暗証番号は使えません。")
    assert dialog.pin.text() == ""  # a refused PIN is not left in the field
    dialog.pin.setText("4826")
    dialog.pin_again.setText("4826")
    dialog.try_accept()
    assert dialog.result() == 1
    assert dialog.value() == NewStaff("S004", "田中 一郎", "staff", "4826")

    bad_id = StaffDialog(panel.host, panel)
    qtbot.addWidget(bad_id)
    bad_id.staff_id.setText("1234 5678 9012")
    bad_id.try_accept()
    assert bad_id.error.text().startswith("職員IDは半角英数字")

    pin = PinDialog(panel.host, panel, "S001")
    qtbot.addWidget(pin)
    qtbot.keyClicks(pin.pin, "S0a1")
    assert pin.pin.text() == "01"  # typing takes digits only
    pin.pin.setText("0000")
    pin.pin_again.setText("0000")
    pin.try_accept()
    assert pin.result() == 0 and pin.error.text().startswith("この暗証番号は使えません。")


# -- who sees what ----------------------------------------------------------------------------


def test_a_member_who_is_not_a_supervisor_is_refused(qtbot, panel, office):
    panel.setCurrentWidget(panel.counters_tab)
    panel.set_member(office.clerk)
    settle(qtbot, panel)
    refused = "この操作は監督者のみ行えます。監督者のアカウントでサインインしてください。"
    assert panel.counters_tab.banner.text() == refused
    assert panel.counters_tab.table.rowCount() == 0
    panel.refresh()  # the database refuses as well
    settle(qtbot, panel)
    assert panel.counters_tab.banner.text() == refused
    assert panel.counters_tab.table.rowCount() == 0


def test_a_supervisor_demoted_meanwhile_is_refused_by_the_database(qtbot, panel, office):
    signed_in(qtbot, panel, office)
    office.accounts.set_role("BOSS", "staff", by="cli:it")
    show_tab(qtbot, panel, panel.staff_tab)
    assert panel.staff_tab.table.rowCount() == 0
    assert panel.staff_tab.banner.text().startswith("この操作は監督者のみ行えます。")


def test_signing_out_leaves_no_data_in_any_widget(qtbot, panel, office):
    day_of_tickets(office)
    office.store.record_heartbeat("kita-1f-01", [HealthCheck("card_reader", "ok", "")], version="1")
    signed_in(qtbot, panel, office)
    for tab in panel.tabs:
        show_tab(qtbot, panel, tab)
    panel.staff_tab.select("S001")
    before = " ".join(shown_texts(panel))
    assert "窓口 花子" in before and "kita-1f-01" in before and "S001" in before

    panel.set_member(None)
    after = " ".join(shown_texts(panel))
    for secret in ("窓口 花子", "監督 一郎", "S001", "BOSS", "kita-1f-01", "counter=", "staff"):
        assert secret not in after, secret
    assert all(not chart.series for chart in panel.findChildren(BarChart))
    assert all(t.rowCount() == 0 for t in panel.findChildren(QTableWidget))
    panel.refresh()  # nothing to load for nobody
    assert not panel.busy


def test_results_arriving_after_sign_out_are_dropped(qtbot, panel, office):
    signed_in(qtbot, panel, office)
    panel.setCurrentWidget(panel.staff_tab)  # starts loading the staff list
    assert panel.busy
    panel.set_member(None)
    assert panel.host.runner.wait(5_000)
    qtbot.wait(50)  # let the queued result reach the GUI thread, which must drop it
    assert panel.staff_tab.table.rowCount() == 0
    assert "窓口 花子" not in " ".join(shown_texts(panel))


def test_every_action_reports_activity(qtbot, panel, office):
    signed_in(qtbot, panel, office)
    with qtbot.waitSignal(panel.activity, timeout=1_000):
        panel.counters_tab.refresh_button.click()
    bar = panel.tabBar()
    with qtbot.waitSignal(panel.activity, timeout=1_000):
        qtbot.mouseClick(
            bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(panel.indexOf(panel.staff_tab)).center()
        )
    settle(qtbot, panel)
    assert panel.currentWidget() is panel.staff_tab
    panel.staff_tab.select("S001")
    panel.confirm = lambda parent, title, question: False
    with qtbot.waitSignal(panel.activity, timeout=1_000):
        panel.staff_tab.deactivate_button.click()  # even one answered "no"
    assert office.accounts.get("S001").active


# -- the chart --------------------------------------------------------------------------------


def test_bar_chart_checks_and_draws_its_data(qtbot):
    chart = BarChart("発券数", empty_text="データなし")
    qtbot.addWidget(chart)
    chart.resize(600, 320)
    with pytest.raises(ValueError, match="has 1 values for 2 labels"):
        chart.set_data(["9時", "10時"], [Series("住民", (1.0,))])
    chart.set_data(["9時", "10時"], [Series("住民", (12, None)), Series("保険", (4, 0))])
    image = chart.grab().toImage()
    colours = {image.pixel(x, y) for x in range(0, 600, 7) for y in range(0, 320, 7)}
    assert len(colours) > 4  # bars in two colours, text, grid
    assert [chart.value_text(v) for v in (12, None, 0)] == ["12", "x", "0"]
