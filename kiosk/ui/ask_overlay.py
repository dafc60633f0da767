"""A question or a message over the current screen: "Start over?" and "Staff are coming"."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.ui.choice_box import ChoiceBox
from kiosk.ui.narration import spoken_text
from kiosk.ui.style import px

BOX_WIDTH = 1100  # reference px: a line a visitor reads without turning the head


class AskOverlay(QWidget):
    """Covers the window with a box: a title, a text and one or two large buttons.

    ``answered(True)`` for the primary button, ``answered(False)`` for the other;
    the overlay hides itself either way. What was on the screen stays untouched.
    """

    answered = Signal(bool)
    shown = Signal()  # so the box is read aloud when the voice guide is on

    def __init__(self, parent: QWidget, name: str) -> None:
        super().__init__(parent)
        self.setObjectName("idleOverlay")
        self.setAccessibleName(name)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.box = box = ChoiceBox("idleBox", ("title", "body"), margins=48, parent=self)
        self.title, self.body = box.texts
        self.no, self.yes = box.left, box.right
        for button in (self.no, self.yes):
            button.setMinimumHeight(px(110))
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(box, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(1)
        self.yes.clicked.connect(lambda: self._answer(True))
        self.no.clicked.connect(lambda: self._answer(False))
        self.hide()

    def ask(self, title: str, body: str, yes: str, no: str = "") -> None:
        """Show the box; without ``no`` it has one button (a message to acknowledge)."""
        self.title.setText(title)
        self.body.setText(body)
        self.body.setVisible(bool(body))
        self.yes.setText(yes)
        self.no.setText(no)
        self.no.setVisible(bool(no))
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        self._size_box()
        self.show()
        self.raise_()
        self.shown.emit()

    def _size_box(self) -> None:
        """As wide as the screen allows (up to a reading width), as tall as its words
        need at that width: a box laid out by alignment gets no height for its width."""
        width = min(px(BOX_WIDTH), self.width() - 2 * px(32))
        self.box.setFixedWidth(width)
        layout = self.box.layout()
        if layout is not None:
            self.box.setMinimumHeight(layout.totalHeightForWidth(width))

    def speech(self) -> str:
        """What the box says when read aloud: its texts, then its buttons."""
        parts = [self.title, self.body, self.yes, self.no]
        return "\n".join(filter(None, (spoken_text(p) for p in parts if p.isVisibleTo(self))))

    def _answer(self, yes: bool) -> None:
        self.hide()
        self.answered.emit(yes)
