"""systemd's side of a full-screen window: ready once shown, a watchdog on the GUI thread."""

from __future__ import annotations

import signal
from types import FrameType

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication

from kiosk.sd_notify import Notifier

# How often Python gets to run its signal handlers while Qt's event loop waits.
SIGNAL_POLL_MS = 500


class ServiceNotifications(QObject):
    """READY=1 when the first screen is shown, then WATCHDOG=1 from a timer on the GUI
    thread: a hung event loop sends none, and systemd restarts the service."""

    def __init__(self, parent: QObject, notifier: Notifier | None = None) -> None:
        super().__init__(parent)
        self.notifier = notifier or Notifier()
        self.timer = QTimer(self)
        interval = self.notifier.watchdog_interval_ms()
        if interval is not None:
            self.timer.setInterval(interval)
            self.timer.timeout.connect(self.notifier.watchdog)

    def shown(self, status: str) -> None:
        self.notifier.ready(status)
        if self.timer.interval() > 0 and self.notifier.watchdog_interval_ms() is not None:
            self.timer.start()

    def stopping(self) -> None:
        self.timer.stop()
        self.notifier.stopping()


class _SigtermHandler:
    """The SIGTERM handler in force before ``quit_on_sigterm``, and its poll timer."""

    def __init__(self, previous: object, poll: QTimer) -> None:
        self._previous = previous
        self._poll = poll

    def restore(self) -> None:
        self._poll.stop()
        signal.signal(signal.SIGTERM, self._previous)  # type: ignore[arg-type]


def quit_on_sigterm(app: QApplication, parent: QObject) -> _SigtermHandler:
    """``systemctl stop`` (SIGTERM) ends the event loop cleanly instead of killing the
    process mid-write; a timer lets Python run the handler while Qt waits."""

    def handler(_signum: int, _frame: FrameType | None) -> None:
        app.quit()

    previous = signal.signal(signal.SIGTERM, handler)
    poll = QTimer(parent)
    poll.setInterval(SIGNAL_POLL_MS)
    poll.timeout.connect(lambda: None)
    poll.start()
    return _SigtermHandler(previous, poll)
