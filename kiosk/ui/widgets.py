"""Building blocks shared by the screens: large, high-contrast, touch-sized."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal, SignalInstance
from PySide6.QtGui import QIcon
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

    def set_icon(self, path: str, size: int = 48) -> None:
        """Show the image at ``path`` before the text (drawn, never read aloud)."""
        icon = QLabel(self)
        icon.setObjectName("buttonIcon")
        icon.setPixmap(QIcon(path).pixmap(QSize(size, size)))
        icon.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        # Icon and text centred together, as one label would be.
        self._layout.insertWidget(0, icon, 0, Qt.AlignmentFlag.AlignVCenter)
        self._layout.insertStretch(0, 1)
        self._layout.addStretch(1)
        self._layout.setSpacing(16)

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
        self.volume_down = QPushButton()
        self.volume_down.setObjectName("volumeDown")
        self.volume_up = QPushButton()
        self.volume_up.setObjectName("volumeUp")
        for button in (self.repeat, self.volume_down, self.volume_up):
            button.hide()  # shown when the kiosk can read screens aloud
        self.notice = Notice()
        self.body = QVBoxLayout()
        self.body.setSpacing(16)
        self.footer = QHBoxLayout()
        self.footer.setSpacing(32)
        self.outer = outer = QVBoxLayout(self)
        outer.setContentsMargins(64, 32, 64, 32)
        outer.setSpacing(20)
        header = QHBoxLayout()
        self.heading = QVBoxLayout()  # the title, and what a screen puts above it
        self.heading.setSpacing(4)
        self.heading.addWidget(self.title, 1)
        header.addLayout(self.heading, 1)
        speech = QVBoxLayout()
        speech.setSpacing(8)
        speech.addWidget(self.repeat)
        volume = QHBoxLayout()
        volume.setSpacing(8)
        volume.addWidget(self.volume_down)
        volume.addWidget(self.volume_up)
        speech.addLayout(volume)
        header.addLayout(speech, 0)
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
