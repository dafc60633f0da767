"""The board's staff corner (``[board] show_staff_calls``): which kiosk called for staff.

While any "職員を呼ぶ" call is open a line says "スタッフ呼び出し: 受付機 kiosk-1 / Staff
call: kiosk kiosk-1"; with none it is hidden. ``open_staff_call_watch`` (LISTEN/NOTIFY
on PostgreSQL, polling on SQLite) says when the list changed, on its own thread; a
queued signal brings that to the GUI thread, and the open calls are read on the
TaskRunner's pool (at start, after news, every few seconds as a fallback). Opening the
watch reads the database too, so it is opened on the pool as well.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QLabel, QWidget

from kiosk.config import Settings
from kiosk.i18n import Translations
from kiosk.staff_calls import StaffCallWatch, open_staff_call_watch
from kiosk.storage import Store
from kiosk.storage.staff_calls import StaffCall
from kiosk.ui.tasks import Reloads, TaskRunner, ThreadBridge

log = logging.getLogger(__name__)

REFRESH_MS = 5_000  # open calls reloaded this often even without news
MARGIN_PX = 12  # from the bottom right corner of the board
# Not in board.qss (set on this label only): dark on yellow, well over 7:1; 44 px as
# every Latin text on the board.
STYLE = (
    "QLabel#staffCall { font-size: 44px; font-weight: bold; color: #0b1a2e;"
    " background: #ffd60a; border-radius: 12px; padding: 4px 24px; }"
)


def staff_corner(
    settings: Settings, store: Store, texts: Sequence[Translations], runner: TaskRunner
) -> StaffCorner | None:
    """The corner if ``[board] show_staff_calls`` is on, else None (nothing is watched)."""
    if not settings.board.show_staff_calls:
        return None
    return StaffCorner(store, texts, runner)


class StaffCorner(QLabel):
    def __init__(
        self,
        store: Store,
        texts: Sequence[Translations],
        runner: TaskRunner,
        *,
        refresh_ms: int = REFRESH_MS,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("staffCall")
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setStyleSheet(STYLE)
        self.hide()
        self.store = store
        self.texts = list(texts)
        self.runner = runner
        self.calls: list[StaffCall] = []
        self._reads = Reloads(runner, store.open_staff_calls, self.show_calls, self._failed)
        self._lock = threading.Lock()  # guards _closed and _watch (set on the pool)
        self._closed = False
        self._watch: StaffCallWatch | None = None
        self._bridge = ThreadBridge(self)
        self._bridge.arrived.connect(lambda _: self.reload())
        self.timer = QTimer(self)
        self.timer.setInterval(refresh_ms)
        self.timer.timeout.connect(self.reload)
        self.timer.start()
        self.runner.submit(self._open_watch, lambda _: None, self._watch_failed)
        self.reload()

    def _open_watch(self) -> None:
        watch = open_staff_call_watch(self.store, lambda: self._bridge.arrived.emit(None))
        with self._lock:
            if not self._closed:
                self._watch = watch
                return
        watch.close()  # the board closed while the watch was opening

    def _watch_failed(self, error: Exception) -> None:
        log.warning("the board cannot watch staff calls (reloads every few seconds): %s", error)

    def reload(self) -> None:
        """Read the open calls on the pool (then show them)."""
        self._reads.reload()

    def _failed(self, error: Exception) -> None:
        log.warning("the board could not read staff calls: %s", getattr(error, "code", error))

    def float_over(self, board: QWidget) -> None:
        """Float in ``board``'s bottom right corner, over its layout (which has no room for
        another line at 1920x1080), following its size."""
        self.setParent(board)
        board.installEventFilter(self)
        self._place()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.parentWidget() and event.type() == QEvent.Type.Resize:
            self._place()
        return False

    def _place(self) -> None:
        board = self.parentWidget()
        if board is None:
            return
        self.adjustSize()
        self.move(
            max(0, board.width() - self.width() - MARGIN_PX),
            max(0, board.height() - self.height() - MARGIN_PX),
        )
        self.raise_()

    def show_calls(self, calls: Sequence[StaffCall]) -> None:
        self.calls = list(calls)
        kiosks = ", ".join(dict.fromkeys(call.kiosk_id for call in self.calls))
        self.setText(
            " / ".join(t.text("board.staff.call", kiosk=kiosks) for t in self.texts)
            if kiosks
            else ""
        )
        self.setVisible(bool(kiosks))
        self._place()

    def shutdown(self) -> None:
        """Stop the timer and the watch (the window then waits for the pool)."""
        with self._lock:
            self._closed = True
            watch, self._watch = self._watch, None
        self._reads.close()
        self.timer.stop()
        if watch is not None:
            watch.close()
