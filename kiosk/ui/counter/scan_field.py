"""The field a keyboard-wedge QR scanner types into.

A wedge scanner types whatever the code holds, as key presses. A crafted code could
hold Tab (moving the focus to another field), Alt shortcuts or other control keys, then
text and Enter there. This field swallows them: Tab and Backtab never move the focus,
Alt and Meta combinations never reach a shortcut, keys that type a control character
type nothing. Enter still submits (``returnPressed``), and Ctrl editing keys still work.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent, QRegularExpressionValidator
from PySide6.QtWidgets import QLineEdit, QWidget

SCAN_MAX_LENGTH = 200  # a ticket's phone page URL (<public_url>/t/<token>), or "WK:<ref>"
_SUBMIT = {Qt.Key.Key_Return, Qt.Key.Key_Enter}
_FOCUS_KEYS = {Qt.Key.Key_Tab, Qt.Key.Key_Backtab}
_SHORTCUT_MODIFIERS = Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.MetaModifier


def swallowed(event: QKeyEvent) -> bool:
    """True for a key the scan field must not act on."""
    key = Qt.Key(event.key())
    if key in _FOCUS_KEYS or event.modifiers() & _SHORTCUT_MODIFIERS:
        return True
    if key in _SUBMIT or event.modifiers() & Qt.KeyboardModifier.ControlModifier:
        return False  # Enter submits; Ctrl+A, Ctrl+Z... edit
    return any(ord(ch) < 32 or ord(ch) == 127 for ch in event.text())


class ScanField(QLineEdit):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMaxLength(SCAN_MAX_LENGTH)
        # A paste cannot bring control characters either.
        self.setValidator(QRegularExpressionValidator(r"[^\x00-\x1f\x7f]*", self))

    def event(self, event: QEvent) -> bool:
        kinds = (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride)
        if event.type() in kinds and isinstance(event, QKeyEvent) and swallowed(event):
            event.accept()  # a ShortcutOverride accepted here never becomes a shortcut
            return True
        return super().event(event)

    def focusNextPrevChild(self, next: bool) -> bool:
        return False  # belt and braces: nothing typed here moves the focus
