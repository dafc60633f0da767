"""Building blocks shared by the screens: large, high-contrast, touch-sized."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal, SignalInstance
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)


class WrapButton(QPushButton):
    """A push button whose label wraps onto several lines instead of being cut."""

    def __init__(self, text: str = "", role: str = "choice", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(role)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
        self._label = QLabel(self)
        self._label.setObjectName(f"{role}Label")
        self._label.setWordWrap(True)
        self._label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(24, 12, 24, 12)
        self._layout.addWidget(self._label)
        self.setText(text)

    def setText(self, text: str) -> None:
        self._label.setText(text)
        self.setAccessibleName(text)
        self.updateGeometry()

    def text(self) -> str:
        return self._label.text()

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        hint.setHeight(max(self.minimumHeight(), self._layout.sizeHint().height()))
        return hint

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        margins = self._layout.contentsMargins()
        inner = width - margins.left() - margins.right()
        label = self._label.heightForWidth(inner) + margins.top() + margins.bottom()
        return max(self.minimumHeight(), label)


PRIVATE = "private"
"""A widget property: "personal" (name, address...: read aloud only into headphones or
when the visitor asks) or "secret" (PIN dots: never read aloud)."""


def mark_private(widget: QWidget, *, secret: bool = False) -> QWidget:
    widget.setProperty(PRIVATE, "secret" if secret else "personal")
    return widget


def label(text: str = "", role: str = "body", wrap: bool = True) -> QLabel:
    widget = QLabel(text)
    widget.setObjectName(role)
    widget.setWordWrap(wrap)
    widget.setTextFormat(Qt.TextFormat.PlainText)
    return widget


class Notice(QLabel):
    """A message the visitor must read: boxed, with a mark, hidden when empty."""

    shown = Signal(str)  # so the message is also read aloud

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("notice")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.hide()

    def show_message(self, text: str) -> None:
        self.setText(f"！  {text}")
        self.setAccessibleName(text)
        self.show()
        self.shown.emit(text)

    def clear_message(self) -> None:
        self.clear()
        self.hide()


class ScreenFrame(QWidget):
    """Title at the top, content in the middle, controls in the lower half."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.title = label(role="title")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.repeat = QPushButton()
        self.repeat.setObjectName("repeat")
        self.repeat.hide()  # shown when the kiosk reads screens aloud
        self.notice = Notice()
        self.body = QVBoxLayout()
        self.body.setSpacing(16)
        self.footer = QHBoxLayout()
        self.footer.setSpacing(32)
        self.outer = outer = QVBoxLayout(self)
        outer.setContentsMargins(64, 32, 64, 32)
        outer.setSpacing(20)
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.repeat, 0, Qt.AlignmentFlag.AlignTop)
        outer.addLayout(header)
        outer.addLayout(self.body, 1)
        outer.addWidget(self.notice)
        outer.addLayout(self.footer)

    def footer_button(self, role: str, signal: SignalInstance, stretch: int) -> WrapButton:
        """A large button in the bottom row that emits ``signal`` when touched."""
        button = WrapButton(role=role)
        button.clicked.connect(signal)
        self.footer.addWidget(button, stretch)
        return button
