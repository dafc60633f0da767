"""The supervisor's "職員呼び出し" tab: visitors who touched "職員を呼ぶ" at a kiosk.

The list reloads when the watcher (``kiosk.staff_calls``: LISTEN/NOTIFY on PostgreSQL,
polling on SQLite) says something changed, and every ``AGE_REFRESH_MS`` for the ages.
"対応する" clears a call for everyone; the store logs it with the member.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QHeaderView, QPushButton, QTableWidgetItem

from kiosk.i18n import language_name
from kiosk.storage import StaffCall
from kiosk.ui.counter.supervisor_base import Host, SupervisorTab, table

AGE_REFRESH_MS = 30_000


class StaffCallsTab(SupervisorTab):
    """Open calls, oldest first, each with its "対応する" button."""

    open_count = Signal(int)  # the panel shows it in the tab titles

    def __init__(self, host: Host) -> None:
        super().__init__(host, "calls.intro")
        t = host.t
        self.calls: list[StaffCall] = []
        self.table = table(
            [
                t("calls.kiosk"),
                t("calls.screen"),
                t("calls.language"),
                t("calls.ago"),
                t("calls.action"),
            ],
            stretch=1,
        )
        self.table.verticalHeader().setDefaultSectionSize(52)
        # A cell's button does not size its column: give it the button's width.
        width = QPushButton(t("calls.acknowledge")).sizeHint().width() + 32
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Fixed)
        self.table.setColumnWidth(4, max(width, self.table.columnWidth(4)))
        self.layout_.addWidget(self.table, 1)
        self.ages = QTimer(self)
        self.ages.setInterval(AGE_REFRESH_MS)
        self.ages.timeout.connect(self.load)

    def load(self) -> None:
        if self.host.member is None:
            return
        self.host.run(self.host.supervision.staff_calls, self.show_calls, self.fail)
        self.ages.start()

    def clear(self) -> None:
        super().clear()
        self.ages.stop()
        self.calls = []
        self.table.setRowCount(0)
        self.open_count.emit(0)

    def show_calls(self, calls: list[StaffCall]) -> None:
        self.calls = list(calls)
        self.table.setRowCount(0)
        self.table.setRowCount(len(self.calls))
        for row, call in enumerate(self.calls):
            values = (
                call.kiosk_id,
                self.host.t_or(f"supervisor.calls.screens.{call.screen}", call.screen),
                language_name(call.language, self.host.texts.language),
                self.ago_text(call.seconds_ago),
            )
            for column, value in enumerate(values):
                self.table.setItem(row, column, QTableWidgetItem(value))
            ack = QPushButton(self.host.t("calls.acknowledge"))
            ack.setObjectName(f"acknowledge_{call.id}")
            ack.clicked.connect(lambda _c=False, c=call: self.acknowledge(c))
            self.table.setCellWidget(row, 4, ack)
        nobody = self.host.t("calls.none")
        if not self.calls and self.banner.isHidden():
            self.say(nobody)
        elif self.calls and self.banner.text() == nobody:
            self.clear_banner()
        self.open_count.emit(len(self.calls))

    def ago_text(self, seconds: float) -> str:
        minutes = int(seconds // 60)
        if minutes < 1:
            return self.host.t("calls.just_now")
        return self.host.t("calls.minutes_ago", n=minutes)

    def acknowledge(self, call: StaffCall) -> None:
        self.host.activity.emit()

        def done(acknowledged: bool) -> None:
            if acknowledged:
                self.say(self.host.t("calls.acknowledged", kiosk=call.kiosk_id))
            else:
                self.fail(self.host.t("calls.already"))
            self.load()

        self.host.run(
            lambda member: self.host.supervision.acknowledge_staff_call(member, call.id),
            done,
            self.fail,
        )
