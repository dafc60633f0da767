"""The supervisor's page of the counter app: counters, staff, access log, kiosks, today.

A thin view over ``kiosk.supervision.Supervision``; every database call runs on the
TaskRunner's pool. ``set_member(None)`` (sign-out) empties every tab and drops results
still on their way, so nothing of the last member's view stays on screen.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont, QShowEvent
from PySide6.QtWidgets import QTabWidget, QWidget

from kiosk.i18n import Translations
from kiosk.staff import NotAllowed, StaffMember
from kiosk.staff_calls import StaffCallWatch
from kiosk.supervision import Supervision
from kiosk.ui.counter.supervisor_base import Confirm, Host, SupervisorTab
from kiosk.ui.counter.supervisor_calls import StaffCallsTab
from kiosk.ui.counter.supervisor_staff import StaffTab
from kiosk.ui.counter.supervisor_tabs import AccessLogTab, CountersTab, KiosksTab, TodayTab
from kiosk.ui.tasks import TaskRunner, ThreadBridge

BASE_PIXEL_SIZE = 18  # desk screens are read from arm's length
# Room round the words in tables (columns sized to their contents otherwise touch), and
# scroll bars that can be seen and grabbed whatever the app's theme does to QWidget.
PANEL_STYLE = """
QTableWidget::item { padding: 0 12px; }
QHeaderView::section { padding: 6px 12px; font-weight: bold; }
QScrollBar:vertical { background: #eef1f5; width: 18px; margin: 0; }
QScrollBar:horizontal { background: #eef1f5; height: 18px; margin: 0; }
QScrollBar::handle { background: #8a97a8; border-radius: 6px; margin: 3px; }
QScrollBar::handle:vertical { min-height: 48px; }
QScrollBar::handle:horizontal { min-width: 48px; }
QScrollBar::add-line, QScrollBar::sub-line { width: 0; height: 0; }
QScrollBar::add-page, QScrollBar::sub-page { background: none; }
"""
WatchCalls = Callable[[Callable[[], None]], StaffCallWatch]
"""Starts watching staff calls, e.g. ``lambda changed: open_staff_call_watch(store, changed)``."""


class SupervisorPanel(QTabWidget):
    """Tabs for a supervisor; ``activity`` fires on every user action (idle sign-out)."""

    activity = Signal()
    calls_open = Signal(int)  # open staff calls: the window shows the count in its tab

    def __init__(
        self,
        supervision: Supervision,
        runner: TaskRunner,
        texts: Translations,
        parent: QWidget | None = None,
        *,
        watch_calls: WatchCalls | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("supervisorPanel")
        font = QFont(self.font())
        font.setPixelSize(BASE_PIXEL_SIZE)
        self.setFont(font)
        # Room round the words in tables: columns sized to their contents otherwise touch.
        self.setStyleSheet(PANEL_STYLE)
        self.host = Host(supervision, runner, texts, self)
        self.host.activity.connect(self.activity)
        self.calls_tab = StaffCallsTab(self.host)
        self.calls_tab.open_count.connect(self._show_call_count)
        self.counters_tab = CountersTab(self.host)
        self.staff_tab = StaffTab(self.host)
        self.log_tab = AccessLogTab(self.host)
        self.kiosks_tab = KiosksTab(self.host)
        self.today_tab = TodayTab(self.host)
        for tab, key in (
            (self.calls_tab, "calls.tab"),
            (self.counters_tab, "tabs.counters"),
            (self.staff_tab, "tabs.staff"),
            (self.log_tab, "tabs.access_log"),
            (self.kiosks_tab, "tabs.kiosks"),
            (self.today_tab, "tabs.today"),
        ):
            self.addTab(tab, self.host.t(key))
        self.tabBar().tabBarClicked.connect(lambda _index: self.activity.emit())
        self.currentChanged.connect(lambda _index: self.refresh())
        self._bridge = ThreadBridge(self)
        self._bridge.arrived.connect(lambda _value: self.calls_tab.load())
        self._watch = watch_calls(lambda: self._bridge.arrived.emit(None)) if watch_calls else None

    @property
    def tabs(self) -> tuple[SupervisorTab, ...]:
        return (
            self.calls_tab,
            self.counters_tab,
            self.staff_tab,
            self.log_tab,
            self.kiosks_tab,
            self.today_tab,
        )

    @property
    def member(self) -> StaffMember | None:
        return self.host.member

    @property
    def busy(self) -> bool:
        """Work of the current member still running (tests wait on it)."""
        return self.host.pending > 0

    @property
    def confirm(self) -> Confirm:
        return self.host.confirm

    @confirm.setter
    def confirm(self, confirm: Confirm) -> None:
        """Replace the yes/no question (tests answer it without a modal dialog)."""
        self.host.confirm = confirm

    def set_member(self, member: StaffMember | None) -> None:
        """Show the page for ``member`` (a supervisor), or empty it (None, on sign-out)."""
        self.host.set_member(member)
        for tab in self.tabs:
            tab.clear()
        if member is not None and not member.is_supervisor:
            # The database has the last word on every call; this only saves a round trip.
            self.current_tab().fail(self.host.error_text(NotAllowed("not a supervisor")))
            return
        if member is not None:
            self.calls_tab.load()  # calls show up whichever tab or page is in view
        if member is not None and self.isVisible() and self.current_tab() is not self.calls_tab:
            self.refresh()

    def refresh(self) -> None:
        """Reload the visible tab off the GUI thread (nothing without a member)."""
        if self.host.member is None:
            return
        self.current_tab().load()

    def current_tab(self) -> SupervisorTab:
        return self.tabs[max(0, self.currentIndex())]

    def _show_call_count(self, count: int) -> None:
        key = "calls.tab_open" if count else "calls.tab"
        self.setTabText(self.indexOf(self.calls_tab), self.host.t(key, n=count))
        self.calls_open.emit(count)

    def shutdown(self) -> None:
        """Stop watching staff calls (the window's shutdown)."""
        if self._watch is not None:
            self._watch.close()
            self._watch = None

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()
