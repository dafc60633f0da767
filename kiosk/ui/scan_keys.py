"""A QR scanner that types like a keyboard ("keyboard wedge"), heard on any screen.

The scanner types ``WK-PRE:<code>`` and Enter faster than anyone can. Keys that go on
the prefix are held back from the screen; once the prefix is whole, everything up to
Enter is the scan. After a pause longer than a scanner's (a person typing) what was held
is dropped and later keys reach the screen again; the held ones are lost, which costs
nothing: visitors type on the screen's own buttons, and a keypad types no letters. The
prefix's ``:`` may come as another sign (a US-mode scanner on a JIS layout types ``+``).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent

from kiosk.pre_entry import QR_PREFIX

MAX_GAP_S = 0.3  # scanners type a character every few milliseconds
MAX_LENGTH = 64


class ScanKeys(QObject):
    """An application-wide event filter; ``scanned`` carries the whole scanned text."""

    scanned = Signal(str)

    def __init__(self, parent: QObject | None = None, clock: Callable[[], float] = time.monotonic):
        super().__init__(parent)
        self._clock = clock
        self._held = ""
        self._last = 0.0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        return self.key(event.key(), event.text())

    def key(self, key: int, text: str) -> bool:
        """One key pressed; True when it belongs to a scan (the screen does not get it)."""
        now = self._clock()
        if self._held and now - self._last > MAX_GAP_S:
            self._held = ""
        self._last = now
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            return self._finish()
        if not text or not text.isprintable():
            return False
        candidate = self._held + text
        head = QR_PREFIX[:-1]  # "WK-PRE", then any sign for the ":"
        if len(candidate) <= len(head):
            fits = candidate.upper() == head[: len(candidate)]
        elif len(candidate) == len(QR_PREFIX):
            fits = not text.isalnum()
        else:  # the prefix is whole (only a fitting beginning is ever held)
            fits = len(candidate) <= MAX_LENGTH
        self._held = candidate if fits else ""
        return fits

    def _finish(self) -> bool:
        held, self._held = self._held, ""
        if len(held) <= len(QR_PREFIX):
            return bool(held)
        self.scanned.emit(held)
        return True
