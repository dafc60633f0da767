"""自宅で準備した方: the pre-entry code from home, scanned or typed on a keypad.

The keypad has only the code's own characters (no 0/O or 1/I to confuse), and the
code shows in groups of four as it is printed on the visitor's paper.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QPushButton

from kiosk.i18n import Translations
from kiosk.pre_entry import ALPHABET, CODE_LENGTH, format_code
from kiosk.ui.style import px
from kiosk.ui.widgets import ScreenFrame, WrapButton, label

KEYS_PER_ROW = 8


class PreparedScreen(ScreenFrame):
    code_entered = Signal(str)  # twelve characters of the alphabet
    back_requested = Signal()

    def __init__(self) -> None:
        super().__init__("prepared")
        self._typed: list[str] = []
        self.hint = label(role="hint")
        self.code = label(role="codeDisplay", wrap=False)
        self.code.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.status = label(role="status")
        self.status.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.delete_key = self._key("", "codeDelete")
        self.delete_key.clicked.connect(self.delete)
        code_row = QHBoxLayout()
        code_row.addStretch(1)
        code_row.addWidget(self.code)
        code_row.addSpacing(px(24))
        code_row.addWidget(self.delete_key)
        code_row.addStretch(1)
        self.body.addWidget(self.hint)
        self.body.addLayout(code_row)
        self.body.addWidget(self.status)
        self.body.addLayout(self._keypad())
        self.body.addStretch(1)
        # A message matters more than the hint: it takes the hint's room (large text, 16:9).
        self.notice.shown.connect(lambda _text: self._show_hint(False))
        self.notice.cleared.connect(lambda: self._show_hint(True))
        self.back = self.footer_button("secondary", self.back_requested, 1)
        self.ok = WrapButton(role="primary")
        self.ok.clicked.connect(self._submit)
        self.footer.addWidget(self.ok, 2)
        self._texts: Translations | None = None
        self._refresh()

    def _keypad(self) -> QGridLayout:
        grid = QGridLayout()
        grid.setSpacing(px(10))
        self.keys: dict[str, QPushButton] = {}
        for index, char in enumerate(ALPHABET):
            key = self._key(char, "codeKey")
            key.clicked.connect(lambda _checked=False, c=char: self.press(c))
            self.keys[char] = key
            grid.addWidget(key, index // KEYS_PER_ROW, index % KEYS_PER_ROW)
        return grid

    def _key(self, text: str, role: str) -> QPushButton:
        key = QPushButton(text)
        key.setObjectName(role)
        key.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        return key

    def retranslate(self, texts: Translations) -> None:
        self._texts = texts
        self.title.setText(texts.text("ui.prepared.title"))
        self.hint.setText(texts.text("ui.prepared.hint"))
        self.delete_key.setText(texts.text("ui.pin.delete"))
        self.back.setText(texts.text("ui.common.back"))
        self.ok.setText(texts.text("ui.prepared.ok"))
        self.clear()

    def press(self, char: str) -> None:
        if len(self._typed) < CODE_LENGTH and char in ALPHABET:
            self._typed.append(char)
            self.notice.clear_message()
            self._refresh()

    def delete(self) -> None:
        if self._typed:
            self._typed.pop()
            self._refresh()

    def clear(self) -> None:
        self._typed.clear()
        self.status.clear()
        self.notice.clear_message()
        self._refresh()

    def show_loading(self) -> None:
        if self._texts is not None:
            self.status.setText(self._texts.text("ui.prepared.loading"))
        self.ok.setEnabled(False)

    def show_error(self, message: str) -> None:
        """The code could not be used; what was typed stays, to be corrected."""
        self.status.clear()
        self.notice.show_message(message)
        self._refresh()

    def _show_hint(self, shown: bool) -> None:
        self.hint.setVisible(shown)
        self.body.invalidate()  # the screen's minimum height changes now, not at next paint

    def _submit(self) -> None:
        if len(self._typed) == CODE_LENGTH:
            self.code_entered.emit("".join(self._typed))

    def _refresh(self) -> None:
        typed = "".join(self._typed)
        shown = format_code(typed.ljust(CODE_LENGTH, "_"))
        self.code.setText(shown.replace("_", "·"))
        self.ok.setEnabled(len(typed) == CODE_LENGTH)
        self.delete_key.setEnabled(bool(typed))
