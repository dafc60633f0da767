"""Signing in with a staff ID and PIN (and a supervisor's authenticator code), and
choosing the counter to work at."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kiosk.i18n import Translations
from kiosk.staff import PIN_MAX_LENGTH
from kiosk.staff_totp import DIGITS
from kiosk.ui.counter.visit_panel import label


def pin_field() -> QLineEdit:
    """A masked PIN box: digits only, never offered to predictive text."""
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setMaxLength(PIN_MAX_LENGTH)
    field.setValidator(QRegularExpressionValidator(rf"[0-9]{{0,{PIN_MAX_LENGTH}}}"))
    field.setInputMethodHints(
        Qt.InputMethodHint.ImhDigitsOnly
        | Qt.InputMethodHint.ImhSensitiveData
        | Qt.InputMethodHint.ImhNoPredictiveText
    )
    return field


def centred(box: QWidget) -> QHBoxLayout:
    """``box`` in the middle of a row. Not an alignment flag: with one, the layout gives
    the box its size hint, too short for lines that wrap, and cuts them."""
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(box)
    row.addStretch(1)
    return row


class SignInPage(QWidget):
    submitted = Signal(str, str)  # staff ID, PIN

    def __init__(self, texts: Translations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.texts = texts
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        box = QWidget()
        box.setFixedWidth(620)
        layout = QVBoxLayout(box)
        layout.setSpacing(14)
        layout.addWidget(label(texts.text("counter.signin.heading"), role="pageHeading"))
        form = QFormLayout()
        form.setVerticalSpacing(12)
        self.staff_id = QLineEdit()
        self.staff_id.setMaxLength(32)
        self.pin = pin_field()
        form.addRow(texts.text("counter.signin.staff_id"), self.staff_id)
        form.addRow(texts.text("counter.signin.pin"), self.pin)
        layout.addLayout(form)
        self.button = QPushButton(texts.text("counter.signin.sign_in"))
        self.button.setObjectName("signInButton")
        self.button.clicked.connect(self._submit)
        self.staff_id.returnPressed.connect(self.pin.setFocus)
        self.pin.returnPressed.connect(self._submit)
        layout.addWidget(self.button)
        self.message = label(role="signInMessage")
        layout.addWidget(self.message)
        outer.addLayout(centred(box))
        outer.addStretch(2)
        self.about = QPushButton(texts.text("counter.signin.about"))
        self.about.setObjectName("aboutButton")
        self.about.clicked.connect(self._show_about)
        outer.addWidget(self.about, 0, Qt.AlignmentFlag.AlignRight)

    def _show_about(self) -> None:
        """The version and the licences (the Japanese voice's CC BY 3.0 among them)."""
        from kiosk.about import about_text

        box = QMessageBox(self)
        box.setWindowTitle(self.texts.text("counter.signin.about"))
        box.setText(about_text())
        box.open()

    def _submit(self) -> None:
        staff_id, pin = self.staff_id.text().strip(), self.pin.text()
        self.pin.clear()  # the PIN lives in no widget once it is sent
        if not staff_id or not pin:
            self.message.setText(self.texts.text("counter.signin.missing"))
            return
        self.set_busy(True)
        self.submitted.emit(staff_id, pin)

    def set_busy(self, busy: bool) -> None:
        self.button.setEnabled(not busy)
        if busy:
            self.message.setText(self.texts.text("counter.signin.checking"))

    def reset(self, message: str = "", *, forget_id: bool = False) -> None:
        self.set_busy(False)
        self.pin.clear()
        if forget_id:  # after a sign-out the next member starts from empty fields
            self.staff_id.clear()
        self.message.setText(message)
        self.staff_id.setFocus()


class CodePage(QWidget):
    """A supervisor's second step: the 6-digit code of their authenticator app."""

    submitted = Signal(str)  # the code
    cancelled = Signal()

    def __init__(self, texts: Translations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.texts = texts
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        box = QWidget()
        box.setFixedWidth(620)
        layout = QVBoxLayout(box)
        layout.setSpacing(14)
        layout.addWidget(label(texts.text("counter.code.heading"), role="pageHeading"))
        layout.addWidget(label(texts.text("counter.code.explain")))
        form = QFormLayout()
        self.code = QLineEdit()
        self.code.setObjectName("codeInput")
        self.code.setMaxLength(DIGITS)
        self.code.setValidator(QRegularExpressionValidator(rf"[0-9]{{0,{DIGITS}}}"))
        self.code.setInputMethodHints(
            Qt.InputMethodHint.ImhDigitsOnly | Qt.InputMethodHint.ImhNoPredictiveText
        )
        form.addRow(texts.text("counter.code.code"), self.code)
        layout.addLayout(form)
        row = QHBoxLayout()
        self.button = QPushButton(texts.text("counter.code.sign_in"))
        self.button.setObjectName("codeButton")
        self.button.clicked.connect(self._submit)
        self.code.returnPressed.connect(self._submit)
        self.cancel = QPushButton(texts.text("counter.code.cancel"))
        self.cancel.clicked.connect(self.cancelled)
        row.addWidget(self.button, 1)
        row.addWidget(self.cancel)
        layout.addLayout(row)
        self.message = label(role="signInMessage")
        layout.addWidget(self.message)
        outer.addLayout(centred(box))
        outer.addStretch(2)

    def _submit(self) -> None:
        code = self.code.text()
        self.code.clear()
        if len(code) != DIGITS:
            self.message.setText(self.texts.text("counter.code.missing", digits=DIGITS))
            return
        self.button.setEnabled(False)
        self.message.setText(self.texts.text("counter.signin.checking"))
        self.submitted.emit(code)

    def reset(self, message: str = "") -> None:
        self.button.setEnabled(True)
        self.code.clear()
        self.message.setText(message)
        self.code.setFocus()


class CounterPickPage(QWidget):
    chosen = Signal(str)  # counter id

    def __init__(self, texts: Translations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.texts = texts
        layout = QVBoxLayout(self)
        layout.addWidget(label(texts.text("counter.pick.heading"), role="pageHeading"))
        self.grid = QGridLayout()
        layout.addLayout(self.grid)
        layout.addStretch(1)
        self.buttons: dict[str, QPushButton] = {}

    def set_counters(self, counters: Sequence[tuple[str, str]]) -> None:
        """(id, label) pairs, one big button each."""
        for button in self.buttons.values():
            button.deleteLater()
        self.buttons = {}
        for i, (counter, text) in enumerate(counters):
            button = QPushButton(text)
            button.setObjectName("counterButton")
            button.clicked.connect(lambda _=False, c=counter: self.chosen.emit(c))
            self.grid.addWidget(button, i // 2, i % 2)
            self.buttons[counter] = button
