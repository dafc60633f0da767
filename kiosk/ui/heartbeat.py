"""Send the kiosk's heartbeat at once and then every interval, off the GUI thread."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from kiosk.ui.tasks import TaskRunner

log = logging.getLogger(__name__)


class Heartbeat(QObject):
    """Runs ``send`` on its own worker thread every ``interval_ms``.

    A failure (the database is down) is logged as a warning and never reaches the
    screen; the next beat tries again. A beat still running when the next is due is
    not doubled: a slow printer check must not pile up threads.
    """

    sent = Signal()
    failed = Signal(object)

    def __init__(
        self, send: Callable[[], None], interval_ms: int, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._send = send
        # Its own runner: the window's cancel_all() at the end of each visit must not
        # drop the heartbeat's result.
        self._runner = TaskRunner(self)
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.beat)
        self._running = False

    def start(self) -> None:
        """Send one heartbeat now and then one every interval."""
        self.beat()
        self._timer.start()

    def stop(self, wait_ms: int = 5_000) -> bool:
        """Stop the timer and wait for a heartbeat in flight; False if it is still running."""
        self._timer.stop()
        self._runner.cancel_all()
        idle = self._runner.wait(wait_ms)
        self._running = not idle
        return idle

    def beat(self) -> None:
        if self._running:
            log.info("the previous heartbeat is still running: this one is skipped")
            return
        self._running = True
        self._runner.submit(self._send, self._done, self._failed)

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    def _done(self, _result: object) -> None:
        self._running = False
        self.sent.emit()

    def _failed(self, error: Exception) -> None:
        self._running = False
        log.warning("heartbeat not recorded: %s", getattr(error, "code", type(error).__name__))
        self.failed.emit(error)
