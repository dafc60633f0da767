"""The 4-digit PIN on a telephone-style keypad. The digits live only in this widget."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QPushButton, QVBoxLayout

from kiosk.i18n import Translations
from kiosk.ui.style import px
from kiosk.ui.widgets import ScreenFrame, label, mark_private

PIN_LENGTH = 4


class PinScreen(ScreenFrame):
    submitted = Signal(str)  # goes straight to the card; never stored
    back_requested = Signal()
    no_card_chosen = Signal()
    digit_count_changed = Signal(int, bool)  # how many digits now, and whether one was deleted

    def __init__(self) -> None:
        super().__init__("pin")
        self._digits: list[str] = []
        self.hint = label(role="hint")
        self.tries = label(role="triesLeft")
        self.dots = label(role="pinDots", wrap=False)
        mark_private(self.dots, secret=True)
        self.status = label(role="status")
        # Landscape: what the visitor reads on the left, the keypad on the right,
        # so the whole screen fits a 1280x1024 display with the buttons in reach.
        self.outer.removeWidget(self.notice)
        left = QVBoxLayout()
        left.setSpacing(px(24))
        left.addStretch(1)
        for widget in (self.hint, self.tries, self.dots, self.status, self.notice):
            left.addWidget(widget)
        left.addStretch(1)
        row = QHBoxLayout()
        row.setSpacing(px(48))
        row.addLayout(left, 1)
        row.addLayout(self._keypad())
        self.body.addLayout(row, 1)
        # A message beside the keypad matters more than the hint: it takes the hint's room.
        self.notice.shown.connect(lambda _text: self.hint.hide())
        self.back = self.footer_button("secondary", self.back_requested, 1)
        self.no_card = self.footer_button("primary", self.no_card_chosen, 2)
        self._refresh()

    def _keypad(self) -> QGridLayout:
        grid = QGridLayout()
        grid.setSpacing(px(14))
        self.keys: dict[str, QPushButton] = {}
        for index, digit in enumerate("123456789"):
            self._add_key(grid, digit, "keyHome" if digit == "5" else "key", index // 3, index % 3)
        self.delete_key = self._add_key(grid, "", "keyAction", 3, 0)
        self._add_key(grid, "0", "key", 3, 1)
        self.ok_key = self._add_key(grid, "", "keyOk", 3, 2)
        self.delete_key.clicked.connect(self._delete)
        self.ok_key.clicked.connect(self._submit)
        return grid

    def _add_key(self, grid: QGridLayout, text: str, role: str, row: int, col: int) -> QPushButton:
        key = QPushButton(text)
        key.setObjectName(role)
        key.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        grid.addWidget(key, row, col)
        if text:
            self.keys[text] = key
            key.clicked.connect(lambda _checked=False, d=text: self._press(d))
        return key

    def retranslate(self, texts: Translations) -> None:
        self._texts = texts
        self.title.setText(texts.text("ui.pin.title"))
        self.hint.setText(texts.text("ui.pin.hint"))
        self.delete_key.setText(texts.text("ui.pin.delete"))
        self.ok_key.setText(texts.text("ui.pin.ok"))
        self.back.setText(texts.text("ui.common.back"))
        self.no_card.setText(texts.text("ui.errors.continue_without_card"))

    def set_purpose_title(self, title: str) -> None:
        """The same keypad also asks for the PIN that reads the My Number."""
        self.title.setText(title)

    def start(self, tries_left: int) -> None:
        """Ready for a fresh PIN; shows the tries the card reported."""
        self.clear()
        self.notice.clear_message()
        self.hint.show()
        self.status.clear()
        self.tries.setText(
            self._texts.text("ui.pin.tries_left", n=tries_left)
            + "\n"
            + self._texts.text("ui.pin.tries_left_hint")
        )
        self.set_keypad_enabled(True)
        self.no_card.hide()

    def show_reading(self) -> None:
        self.set_keypad_enabled(False)
        self.status.setText(self._texts.text("ui.pin.reading"))

    def refuse(self, message: str) -> None:
        """The kiosk will not ask for the PIN any more: offer the no-card path."""
        self.clear()
        self.status.clear()
        self.tries.clear()
        self.set_keypad_enabled(False)
        self.notice.show_message(message)
        self.no_card.show()

    def set_keypad_enabled(self, enabled: bool) -> None:
        for key in (*self.keys.values(), self.delete_key):
            key.setEnabled(enabled)
        self.ok_key.setEnabled(enabled and len(self._digits) == PIN_LENGTH)

    def clear(self) -> None:
        self._digits.clear()
        self._refresh()

    def _press(self, digit: str) -> None:
        if len(self._digits) < PIN_LENGTH:
            self._digits.append(digit)
            self._refresh()
            self.digit_count_changed.emit(len(self._digits), False)

    def _delete(self) -> None:
        if self._digits:
            self._digits.pop()
            self._refresh()
            self.digit_count_changed.emit(len(self._digits), True)

    def _submit(self) -> None:
        if len(self._digits) == PIN_LENGTH:
            pin = "".join(self._digits)
            self.clear()
            self.show_reading()
            self.submitted.emit(pin)

    def _refresh(self) -> None:
        filled = len(self._digits)
        self.dots.setText("●" * filled + "○" * (PIN_LENGTH - filled))
        self.dots.setAccessibleName(f"{filled} / {PIN_LENGTH}")
        self.ok_key.setEnabled(filled == PIN_LENGTH and self.delete_key.isEnabled())
