"""What the supervisor page's tabs share: the signed-in member, background work, texts,
error messages, confirmation, and a table and banner made for reading at a desk."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kiosk.i18n import Translations
from kiosk.staff import StaffError, StaffMember
from kiosk.storage import StorageError
from kiosk.supervision import Supervision
from kiosk.ui.tasks import TaskRunner

log = logging.getLogger(__name__)

T = TypeVar("T")

# Error codes with their own text in supervisor.toml's [errors].
ERROR_CODES = {"not_allowed", "weak_pin", "staff_exists", "unknown_staff", "unknown_queue_item"}

Confirm = Callable[[QWidget, str, str], bool]


def ask(parent: QWidget, title: str, question: str, yes: str, no: str) -> bool:
    """A modal yes/no question; "no" is the default, so Enter never closes a counter."""
    box = QMessageBox(QMessageBox.Icon.Question, title, question, parent=parent)
    yes_button = box.addButton(yes, QMessageBox.ButtonRole.YesRole)
    box.setDefaultButton(box.addButton(no, QMessageBox.ButtonRole.NoRole))
    box.exec()
    return box.clickedButton() is yes_button


class Host(QObject):
    """State shared by the tabs. Results of work started for another member (or before
    a sign-out) are dropped, so no data comes back on screen after ``set_member``."""

    activity = Signal()
    busy_changed = Signal(bool)

    def __init__(
        self, supervision: Supervision, runner: TaskRunner, texts: Translations, parent: QObject
    ) -> None:
        super().__init__(parent)
        self.supervision = supervision
        self.runner = runner
        self.texts = texts
        self.member: StaffMember | None = None
        self.generation = 0
        self.pending = 0
        self.confirm: Confirm = self._ask

    def t(self, key: str, **values: object) -> str:
        return self.texts.text(f"supervisor.{key}", **values)

    def t_or(self, key: str, default: str, **values: object) -> str:
        """A text that may be missing (an id without a translation shows as itself)."""
        try:
            return self.texts.text(key, **values)
        except KeyError:
            return default

    def set_member(self, member: StaffMember | None) -> None:
        self.member = member
        self.generation += 1
        if self.pending:
            self.pending = 0
            self.busy_changed.emit(False)

    def run(
        self,
        job: Callable[[StaffMember], T],
        on_done: Callable[[T], None],
        on_error: Callable[[str], None],
    ) -> None:
        """Run ``job(member)`` on the pool; deliver its result or a message on the GUI thread."""
        member = self.member
        if member is None:
            return
        generation = self.generation
        self.pending += 1
        if self.pending == 1:
            self.busy_changed.emit(True)

        def finish() -> bool:
            if generation != self.generation:
                return False
            self.pending -= 1
            if self.pending == 0:
                self.busy_changed.emit(False)
            return True

        def done(result: Any) -> None:
            if finish():
                on_done(result)

        def failed(error: Exception) -> None:
            if finish():
                on_error(self.error_text(error))

        self.runner.submit(lambda: job(member), done, failed)

    def error_text(self, error: Exception) -> str:
        """One line in the staff's language; the trace goes to the log, never to the screen."""
        code = getattr(error, "code", "")
        if isinstance(code, str) and code in ERROR_CODES:
            return self.t(f"errors.{code}")
        if isinstance(error, StaffError):
            return self.t("errors.staff_error")
        if isinstance(error, StorageError):
            log.warning("supervisor page: database error %s", type(error).__name__)
            return self.t("errors.database")
        log.error("unexpected error on the supervisor page", exc_info=error)
        return self.t("errors.generic")

    def _ask(self, parent: QWidget, title: str, question: str) -> bool:
        return ask(parent, title, question, self.t("common.yes"), self.t("common.no"))


class SupervisorTab(QWidget):
    """A tab: a heading line, a banner for messages, the tab's own content."""

    def __init__(self, host: Host, intro_key: str | None = None) -> None:
        super().__init__()
        self.host = host
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(16, 12, 16, 12)
        self.layout_.setSpacing(10)
        top = QHBoxLayout()
        self.intro = QLabel(host.t(intro_key) if intro_key else "")
        self.intro.setWordWrap(True)
        top.addWidget(self.intro, 1)
        self.refresh_button = button(host.t("common.refresh"), self._refresh_clicked)
        top.addWidget(self.refresh_button, 0, Qt.AlignmentFlag.AlignTop)
        self.layout_.addLayout(top)
        self.banner = QLabel()
        self.banner.setObjectName("supervisorBanner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.layout_.addWidget(self.banner)

    # -- for the panel ---------------------------------------------------------------

    def load(self) -> None:
        """Reload this tab's data off the GUI thread."""
        raise NotImplementedError

    def clear(self) -> None:
        """Remove every shown value (sign-out): subclasses clear their own widgets too."""
        self.clear_banner()

    # -- for subclasses ---------------------------------------------------------------

    def say(self, text: str, *, error: bool = False) -> None:
        self.banner.setText(text)
        self.banner.setProperty("error", error)
        colour = "#9b1c1c" if error else "#14532d"
        background = "#fdecec" if error else "#e8f5e9"
        self.banner.setStyleSheet(
            f"QLabel {{ color: {colour}; background: {background}; padding: 8px 12px;"
            f" border: 2px solid {colour}; border-radius: 4px; }}"
        )
        self.banner.show()

    def fail(self, text: str) -> None:
        self.say(text, error=True)

    def clear_banner(self) -> None:
        self.banner.clear()
        self.banner.hide()

    def _refresh_clicked(self) -> None:
        self.host.activity.emit()
        self.clear_banner()
        self.load()


def button(text: str, on_click: Callable[[], None]) -> QPushButton:
    widget = QPushButton(text)
    widget.setMinimumHeight(44)
    widget.clicked.connect(lambda _checked=False: on_click())
    return widget


def table(headers: Sequence[str], *, stretch: int = -1) -> QTableWidget:
    """A read-only table with whole-row selection and readable row heights; column
    ``stretch`` takes the spare width (default the last)."""
    widget = QTableWidget(0, len(headers))
    widget.setHorizontalHeaderLabels(list(headers))
    widget.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    widget.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    widget.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    widget.setAlternatingRowColors(True)
    widget.verticalHeader().setVisible(False)
    widget.verticalHeader().setDefaultSectionSize(40)
    header = widget.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch % len(headers), QHeaderView.ResizeMode.Stretch)
    widget.setWordWrap(False)
    return widget


def fill(widget: QTableWidget, rows: Sequence[Sequence[str]]) -> None:
    widget.setRowCount(0)
    widget.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            widget.setItem(r, c, QTableWidgetItem(value))


def local_time(value: datetime | None, *, seconds: bool = False) -> str:
    if value is None:
        return ""
    return value.astimezone().strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def actor_text(actor: str | None) -> str:
    """``staff:S001`` -> ``S001``; other actors (``kiosk:...``, ``cli:...``) as they are."""
    if not actor:
        return ""
    return actor.removeprefix("staff:")
