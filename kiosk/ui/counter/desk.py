"""The desk: call tickets for one counter, see who waits, open the called visitor's record.

Every database call runs on the TaskRunner's pool; the page only shows results. A visit
that is not this counter's today opens only after the member types a reason (logged).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kiosk.counter import CounterDesk
from kiosk.counter_scan import parse_scan
from kiosk.i18n import Translations
from kiosk.staff import Session, SessionEnded
from kiosk.storage import QueueTicket
from kiosk.ui.counter.desk_visit import VisitActions
from kiosk.ui.counter.messages import message_for
from kiosk.ui.counter.scan_field import ScanField
from kiosk.ui.counter.visit_panel import VisitPanel, label
from kiosk.ui.tasks import TaskRunner

ACTIVE = ("called", "serving")  # a ticket the desk is still busy with
# Function keys: a keyboard-wedge scanner never types them, so a scanned code cannot press
# them, and they work whichever field has the focus (docs/counter.md).
SHORTCUTS = {
    "desk.call_next": "F1",
    "desk.call_again": "F2",
    "desk.start": "F3",
    "desk.done": "F4",
    "desk.no_show": "F5",
}


class DeskPage(QWidget):
    """Queue controls on the left, the visitor's record on the right."""

    activity = Signal()  # any action: resets the idle sign-out timer
    session_ended = Signal(str)  # the database refused the session: "limit" or "inactive"

    def __init__(
        self,
        desk: CounterDesk,
        runner: TaskRunner,
        texts: Translations,
        session: Callable[[], Session | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.desk = desk
        self.runner = runner
        self.texts = texts
        self._session = session
        self.counter: str | None = None
        self.current: QueueTicket | None = None
        self.pending = 0  # actions sent to the pool and not answered yet
        self.visit = VisitPanel(texts)
        self.visits = VisitActions(self)
        self.visit.reveal_requested.connect(self.visits.reveal_number)
        self.visit.correction_requested.connect(self.visits.correct)
        self.visit.reprint_requested.connect(self.visits.reprint)
        columns = QHBoxLayout(self)
        left = QVBoxLayout()
        left.addWidget(self._build_current())
        left.addWidget(self._build_waiting(), 1)
        right = QVBoxLayout()
        right.addWidget(self._build_scan())
        self.message = label(role="deskMessage")
        right.addWidget(self.message)
        right.addWidget(self.visit, 1)
        columns.addLayout(left, 2)
        columns.addLayout(right, 3)
        self._update_buttons()

    def t(self, key: str, **values: object) -> str:
        return self.texts.text(f"counter.{key}", **values)

    def _button(self, key: str, slot: Callable[[], None]) -> QPushButton:
        """A button; one with a shortcut says its key ("次の方を呼ぶ (F1)")."""
        button = QPushButton(self.t(key))
        button.setObjectName(key.replace(".", "_"))
        button.clicked.connect(slot)
        if shortcut := SHORTCUTS.get(key):
            button.setText(self.t("shortcuts.button", label=self.t(key), shortcut=shortcut))
            button.setShortcut(QKeySequence(shortcut))
        return button

    def _build_scan(self) -> QWidget:
        box = QGroupBox(self.t("desk.scan_heading"))
        row = QHBoxLayout(box)
        self.scan = ScanField()
        self.scan.setPlaceholderText(self.t("desk.scan_placeholder"))
        self.scan.returnPressed.connect(self.open_scanned)
        row.addWidget(self.scan, 1)
        row.addWidget(self._button("desk.open", self.open_scanned))
        return box

    def _build_current(self) -> QWidget:
        box = QGroupBox(self.t("desk.current"))
        layout = QVBoxLayout(box)
        self.code = label(role="currentCode")
        self.status = label(role="currentStatus")
        heading = QHBoxLayout()
        heading.addWidget(self.code, 1)
        heading.addWidget(self.status)
        layout.addLayout(heading)
        grid = QGridLayout()
        self.call_next_button = self._button("desk.call_next", self.call_next)
        self.call_again_button = self._button("desk.call_again", self.call_again)
        self.start_button = self._button("desk.start", self.start)
        self.done_button = self._button("desk.done", self.done)
        self.no_show_button = self._button("desk.no_show", self.no_show)
        grid.addWidget(self.call_next_button, 0, 0, 1, 2)
        grid.addWidget(self.call_again_button, 1, 0)
        grid.addWidget(self.start_button, 1, 1)
        grid.addWidget(self.done_button, 2, 0)
        grid.addWidget(self.no_show_button, 2, 1)
        layout.addLayout(grid)
        transfer = QHBoxLayout()
        self.transfer_to = QComboBox()
        transfer.addWidget(self.transfer_to, 1)
        self.transfer_button = self._button("desk.transfer", self.transfer)
        transfer.addWidget(self.transfer_button)
        layout.addLayout(transfer)
        return box

    def _build_waiting(self) -> QWidget:
        self.waiting_box = QGroupBox(self.t("desk.waiting", n=0))
        layout = QVBoxLayout(self.waiting_box)
        self.waiting_list = QListWidget()
        self.waiting_list.itemSelectionChanged.connect(self._update_buttons)
        layout.addWidget(self.waiting_list, 1)
        row = QHBoxLayout()
        self.call_selected_button = self._button("desk.call_selected", self.call_selected)
        self.priority_button = self._button("desk.priority_on", self.toggle_priority)
        row.addWidget(self.call_selected_button)
        row.addWidget(self.priority_button)
        layout.addLayout(row)
        by_code = QHBoxLayout()
        self.call_code_input = QLineEdit()
        self.call_code_input.setPlaceholderText(self.t("desk.call_code_placeholder"))
        self.call_code_input.returnPressed.connect(self.call_code)
        by_code.addWidget(self.call_code_input, 1)
        by_code.addWidget(self._button("desk.call_code", self.call_code))
        layout.addLayout(by_code)
        return self.waiting_box

    # -- state --------------------------------------------------------------------

    def start_session(self, counter: str) -> None:
        """Work at ``counter``: list its categories for transfers, load who waits."""
        self.counter = counter
        self.transfer_to.clear()
        catalog = self.desk.context.catalog
        for category in sorted(catalog.categories.values(), key=lambda c: c.order):
            name = self.texts.text(f"catalog.categories.{category.id}")
            self.transfer_to.addItem(f"{category.letter}  {name}", category.id)
        self.refresh()

    def clear(self) -> None:
        """Forget the counter, the ticket and the visitor (sign-out)."""
        self.counter = None
        self.current = None
        self.visits.reason = None
        self.pending = 0  # the window drops the results of work in flight
        self.visit.clear()
        self.waiting_list.clear()
        self.waiting_box.setTitle(self.t("desk.waiting", n=0))
        for field in (self.scan, self.call_code_input):
            field.clear()
        self.say("")
        self._show_current()

    def _show_current(self) -> None:
        ticket = self.current
        if ticket is None:
            self.code.setText(self.t("desk.none_called"))
            self.status.setText("")
        else:
            mark = f"  {self.t('desk.priority_mark')}" if ticket.priority else ""
            self.code.setText(f"{ticket.code}{mark}")
            self.status.setText(self.t(f"desk.status.{ticket.status}"))
        self._update_buttons()

    def _update_buttons(self) -> None:
        status = None if self.pending else (self.current.status if self.current else "")
        busy = status in ACTIVE
        self.call_next_button.setEnabled(status is not None and not busy)
        self.call_again_button.setEnabled(status == "called")
        self.start_button.setEnabled(status == "called")
        self.done_button.setEnabled(status == "serving")
        self.no_show_button.setEnabled(status == "called")
        self.transfer_button.setEnabled(busy)
        selected = self._selected()
        free = status is not None
        self.call_selected_button.setEnabled(selected is not None and free and not busy)
        self.priority_button.setEnabled(selected is not None and free)
        key = (
            "desk.priority_off"
            if selected is not None and selected.priority
            else "desk.priority_on"
        )
        self.priority_button.setText(self.t(key))

    def _selected(self) -> QueueTicket | None:
        items = self.waiting_list.selectedItems()
        return items[0].data(Qt.ItemDataRole.UserRole) if items else None

    # -- running work -------------------------------------------------------------------

    def run(
        self,
        work: Callable[[Session], Any],
        done: Callable[[Any], None],
        failed: Callable[[Exception], None] | None = None,
    ) -> None:
        session = self._session()
        if session is None:
            return
        self.activity.emit()
        self.say(self.t("desk.working"))
        self.pending += 1
        self._update_buttons()  # one action at a time: no second click races the first

        def finished(callback: Callable[[Any], None]) -> Callable[[Any], None]:
            def deliver(value: Any) -> None:
                self.pending -= 1
                callback(value)
                self._update_buttons()

            return deliver

        self.runner.submit(lambda: work(session), finished(done), finished(failed or self.failed))

    def say(self, text: str, *, error: bool = False) -> None:
        """One line under the scan field; errors are marked (style and a "⚠" sign)."""
        self.message.setProperty("error", error)
        self.message.setText(f"⚠ {text}" if error else text)
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)

    def failed(self, error: Exception) -> None:
        if isinstance(error, SessionEnded):
            self.session_ended.emit(error.reason)
            return
        self.say(message_for(self.texts, error), error=True)
        self.refresh()

    def refresh(self) -> None:
        """Reload who waits for this counter (after every change and on queue events)."""
        counter = self.counter
        if counter is None or self._session() is None:
            return
        desk, session = self.desk, self._session()
        if session is None:
            return
        self.runner.submit(
            lambda: (desk.waiting(session, counter), desk.store.now()),
            self._show_waiting,
            self._failed_quietly,
        )

    def _failed_quietly(self, error: Exception) -> None:
        if isinstance(error, SessionEnded):
            self.session_ended.emit(error.reason)
            return
        self.say(message_for(self.texts, error), error=True)

    def _show_waiting(self, result: tuple[list[QueueTicket], datetime]) -> None:
        tickets, now = result  # the database's clock, like the tickets' times
        chosen = self._selected()
        self.waiting_list.clear()
        for position, ticket in enumerate(tickets, start=1):  # in call order (``desk.waiting``)
            minutes = max(0, int((now - ticket.issued_at).total_seconds() // 60))
            mark = f" {self.t('desk.priority_mark')}" if ticket.priority else ""
            waited = self.t("desk.waited", minutes=minutes)
            text = self.t("queue_order.row", n=position, code=ticket.code, mark=mark, waited=waited)
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, ticket)
            self.waiting_list.addItem(item)
            if chosen is not None and ticket.id == chosen.id:
                item.setSelected(True)
        title = self.t("desk.waiting", n=len(tickets))
        self.waiting_box.setTitle(f"{title} — {self.t('queue_order.heading_note')}")
        self._update_buttons()

    # -- actions --------------------------------------------------------------------

    def call_next(self) -> None:
        counter = self.counter
        if counter is not None:
            self.run(lambda s: self.desk.call_next(s, counter), self._called)

    def call_selected(self) -> None:
        ticket, counter = self._selected(), self.counter
        if ticket is not None and counter is not None:
            self.run(lambda s: self.desk.call_ticket(s, ticket.id, counter), self._called)

    def call_code(self) -> None:
        code, counter = self.call_code_input.text(), self.counter
        scan = parse_scan(code)
        if scan is None or scan.ticket_code is None or counter is None:
            self.say(self.t("errors.ticket_code"), error=True)
            return
        self.call_code_input.clear()
        self.run(lambda s: self.desk.call_code(s, scan.ticket_code or "", counter), self._called)

    def _called(self, ticket: QueueTicket | None) -> None:
        self.visit.clear()
        if ticket is None:
            self.say(self.t("desk.nobody_waiting"))
            self.refresh()
            return
        self._changed(ticket)
        self.run(lambda s: self.visits.visit_of(s, ticket), self.visits.show_visit)

    def _on_current(self, action: Callable[[Session, int, str], QueueTicket]) -> None:
        ticket, counter = self.current, self.counter
        if ticket is not None and counter is not None:
            self.run(lambda s: action(s, ticket.id, counter), self._changed)

    def _change(self, action: str) -> None:
        self._on_current(lambda s, tid, counter: self.desk.change(s, action, tid, counter))

    def call_again(self) -> None:
        self._change("call_again")

    def start(self) -> None:
        self._change("start")

    def done(self) -> None:
        self._change("done")

    def no_show(self) -> None:
        self._change("no_show")

    def transfer(self) -> None:
        category = str(self.transfer_to.currentData())
        self._on_current(lambda s, tid, counter: self.desk.transfer(s, tid, category, counter))

    def _changed(self, ticket: QueueTicket) -> None:
        moved = (
            self.current is not None
            and ticket.id != self.current.id
            and self.current.status in ACTIVE
        )
        if moved:  # a transfer returns the new ticket, waiting in its category
            self.say(self.t("desk.transferred", code=ticket.code))
            self.current = None
        else:
            self.current = ticket
            self.say(self.t(f"desk.status.{ticket.status}"))
        self._show_current()
        self.refresh()

    def toggle_priority(self) -> None:
        ticket, counter = self._selected(), self.counter
        if ticket is not None and counter is not None:
            self.run(
                lambda s: self.desk.set_priority(s, ticket.id, not ticket.priority, counter),
                lambda _t: self.refresh(),
            )

    def open_scanned(self) -> None:
        self.visits.open_scanned()
