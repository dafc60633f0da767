"""A visible countdown in whole seconds."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal


class Countdown(QObject):
    """Counts down once a second; says how many seconds are left, then that time is up."""

    ticked = Signal(int)
    expired = Signal()

    def __init__(self, parent: QObject | None = None, tick_ms: int = 1000) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(tick_ms)
        self._timer.timeout.connect(self._tick)
        self._remaining = 0

    @property
    def remaining(self) -> int:
        return self._remaining

    def set_tick_ms(self, tick_ms: int) -> None:
        """Length of one counted second (tests shorten it)."""
        self._timer.setInterval(tick_ms)

    def start(self, seconds: int) -> None:
        self._remaining = seconds
        self.ticked.emit(seconds)
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _tick(self) -> None:
        self._remaining -= 1
        if self._remaining <= 0:
            self._timer.stop()
            self.expired.emit()
        else:
            self.ticked.emit(self._remaining)
