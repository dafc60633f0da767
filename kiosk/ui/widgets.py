"""Building blocks shared by the screens: large, high-contrast, touch-sized."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSize, Qt, Signal, SignalInstance
from PySide6.QtGui import QIcon, QResizeEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.i18n import Translations
from kiosk.ui.style import px

Decorate = Callable[[str], str]
"""Turns a text into what a word-wrapped label shows (phrase breaks, readings)."""
PLAIN = "plainText"
"""A widget property: the text as written, without what a :data:`Decorate` added."""


class TextLabel(QLabel):
    """A label that shows its text decorated but gives it back plain.

    ``text()`` (tests, narration) is the text as set; the label draws it through
    the decoration the view modes gave it (:func:`refresh`), if it wraps words.
    """

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._plain = ""
        self._decorate: Decorate | None = None
        self.setText(text)

    def setText(self, text: str) -> None:
        self._plain = text
        self.setProperty(PLAIN, text)
        decorate = self._decorate if self.wordWrap() else None
        super().setText(decorate(text) if decorate is not None and text else text)
        parent = self.parentWidget()
        if isinstance(parent, WrapButton):  # its height follows the label's lines
            parent.updateGeometry()

    def text(self) -> str:
        return self._plain

    @property
    def decoration(self) -> Decorate | None:
        """What this label shows its text through (for labels made later, alike)."""
        return self._decorate

    def sizeHint(self) -> QSize:
        """A short wrapped text on one line (Qt's guess would break it in two); an
        empty label takes no room (a :class:`Notice` keeps its own)."""
        hint = super().sizeHint()
        if not self._plain and not isinstance(self, Notice):
            return QSize(0, 0)
        if not self.wordWrap() or not self._plain:
            return hint
        metrics = self.fontMetrics()
        line = max(metrics.horizontalAdvance(part) for part in QLabel.text(self).split("\n"))
        margins = self.contentsMargins()
        width = line + margins.left() + margins.right() + 2 * self.margin() + 2
        if hint.width() < width < metrics.averageCharWidth() * 80:
            return QSize(width, self.heightForWidth(width))
        return hint

    def minimumSizeHint(self) -> QSize:
        if not self._plain and not isinstance(self, Notice):
            return QSize(0, 0)
        return super().minimumSizeHint()

    def heightForWidth(self, width: int) -> int:
        if not self._plain and not isinstance(self, Notice):
            return 0
        return super().heightForWidth(width)

    def clear(self) -> None:
        self.setText("")

    def set_decoration(self, decorate: Decorate | None) -> bool:
        """Show the text through ``decorate`` from now on; whether the label changed."""
        if decorate is self._decorate:
            return False
        self._decorate = decorate
        shown = QLabel.text(self)
        self.setText(self._plain)
        return QLabel.text(self) != shown


def refresh(root: QWidget, decorate: Decorate | None) -> bool:
    """Show every text label in ``root`` through ``decorate`` (None: as written);
    whether any label shows something else now."""
    changed = [child for child in root.findChildren(TextLabel) if child.set_decoration(decorate)]
    invalid: set[int] = set()
    for child in changed:  # every layout above holds a height for the old lines
        node = child.parentWidget()
        while node is not None and id(node) not in invalid:
            invalid.add(id(node))
            node.updateGeometry()
            node = node.parentWidget()
    return bool(changed)


class WrapButton(QPushButton):
    """A push button whose label wraps onto several lines instead of being cut."""

    def __init__(self, text: str = "", role: str = "choice", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(role)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
        self._label = TextLabel(parent=self)
        self._label.setObjectName(f"{role}Label")
        self._label.setWordWrap(True)
        self._label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(px(16), px(8), px(16), px(8))
        self._layout.addWidget(self._label)
        self._needed = 0  # the height the label's lines need at the width it has
        self.setText(text)

    def setText(self, text: str) -> None:
        self._label.setText(text)
        self.setAccessibleName(text)
        self._follow_width(self.width())
        self.updateGeometry()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._follow_width(event.size().width())

    def _follow_width(self, width: int) -> None:
        # Nested layouts place a button by its size hints, not its height for width:
        # they learn here how many lines its words take at the width they gave it.
        needed = self.heightForWidth(width) if width > 0 else 0
        if needed != self._needed:
            self._needed = needed
            self.updateGeometry()

    def set_icon(self, path: str, size: int = 48) -> None:
        """Show the image at ``path`` before the text (drawn, never read aloud)."""
        size = px(size)
        icon = QLabel(self)
        icon.setObjectName("buttonIcon")
        icon.setPixmap(QIcon(path).pixmap(QSize(size, size)))
        icon.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        # Icon and text centred together, as one label would be.
        self._layout.insertWidget(0, icon, 0, Qt.AlignmentFlag.AlignVCenter)
        self._layout.insertStretch(0, 1)
        self._layout.addStretch(1)
        self._layout.setSpacing(px(16))

    def text(self) -> str:
        return self._label.text()

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        hint.setHeight(max(self.minimumHeight(), self._layout.sizeHint().height(), self._needed))
        return hint

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(hint.width(), max(hint.height(), self._needed))

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


def label(text: str = "", role: str = "body", wrap: bool = True) -> TextLabel:
    widget = TextLabel()
    widget.setObjectName(role)
    widget.setWordWrap(wrap)
    widget.setTextFormat(Qt.TextFormat.PlainText)
    widget.setText(text)
    return widget


class Notice(TextLabel):
    """A message the visitor must read: boxed, with a mark, hidden when empty.

    Hidden, it keeps its place (one line), so what is below it does not move
    when a message appears.
    """

    shown = Signal(str)  # so the message is also read aloud
    cleared = Signal()  # the message went away

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent=parent)
        self.setObjectName("notice")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        policy = self.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.setSizePolicy(policy)
        self.hide()

    def _one_line(self) -> int:
        """The height of a one-line message (a little over, for the font's fallbacks)."""
        margins = self.contentsMargins()
        return round(self.fontMetrics().lineSpacing() * 1.2) + margins.top() + margins.bottom()

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(hint.width(), max(hint.height(), self._one_line()))

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(hint.width(), max(hint.height(), self._one_line()))

    def heightForWidth(self, width: int) -> int:
        return max(super().heightForWidth(width), self._one_line())

    def show_message(self, text: str) -> None:
        self.setText(f"！  {text}")
        self.setAccessibleName(text)
        self.show()
        self.shown.emit(text)

    def clear_message(self) -> None:
        self.clear()
        self.hide()
        self.cleared.emit()


class ScreenFrame(QWidget):
    """A toolbar, the title, content in the middle, controls in the lower half.

    The toolbar is one row, the same on every screen: 見やすく (then the speech
    controls, when shown) on the left, 最初から and 職員を呼ぶ on the right (the
    window shows and wires them).
    """

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.title = label(role="title")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.repeat = self._small_button("repeat")
        self.volume_down = self._small_button("volumeDown")
        self.volume_up = self._small_button("volumeUp")
        for button in (self.repeat, self.volume_down, self.volume_up):
            button.hide()  # shown when the kiosk can read screens aloud
        self.view_button = self._small_button("viewButton")
        self.restart_button = self._small_button("restartButton")
        self.call_staff_button = self._small_button("callStaffButton")
        self.notice = Notice()
        self.body = QVBoxLayout()
        self.body.setSpacing(px(12))
        self.footer = QHBoxLayout()
        self.footer.setSpacing(px(32))
        self.outer = outer = QVBoxLayout(self)
        outer.setContentsMargins(px(48), px(10), px(48), px(12))
        outer.setSpacing(px(10))
        outer.addLayout(self._toolbar())
        outer.addLayout(self._header())
        outer.addLayout(self.body, 1)
        outer.addWidget(self.notice)
        outer.addLayout(self.footer)

    def _small_button(self, role: str) -> QPushButton:
        button = QPushButton()
        button.setObjectName(role)
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        return button

    def _toolbar(self) -> QHBoxLayout:
        """One row at the top: 見やすく and the speech controls, then 最初から, 職員を呼ぶ."""
        toolbar = QHBoxLayout()
        toolbar.setSpacing(px(12))
        toolbar.addWidget(self.view_button)
        speech = QHBoxLayout()
        speech.setSpacing(px(8))
        for button in (self.repeat, self.volume_down, self.volume_up):
            speech.addWidget(button)
        toolbar.addLayout(speech)
        toolbar.addStretch(1)
        toolbar.addWidget(self.restart_button)
        toolbar.addWidget(self.call_staff_button)
        return toolbar

    def _header(self) -> QVBoxLayout:
        self.heading = QVBoxLayout()  # the title, and what a screen puts above it
        self.heading.setSpacing(px(4))
        self.heading.addWidget(self.title, 1)
        return self.heading

    def set_toolbar_texts(self, texts: Translations) -> None:
        """The toolbar's buttons in the visitor's language."""
        self.view_button.setText(texts.text("ui.view.button"))
        self.restart_button.setText(texts.text("ui.view.restart"))
        self.call_staff_button.setText(texts.text("ui.view.call_staff"))

    def footer_button(self, role: str, signal: SignalInstance, stretch: int) -> WrapButton:
        """A large button in the bottom row that emits ``signal`` when touched."""
        button = WrapButton(role=role)
        button.clicked.connect(signal)
        self.footer.addWidget(button, stretch)
        return button
