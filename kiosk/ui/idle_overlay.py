"""'Do you need more time?' over the current screen, with a countdown."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QVBoxLayout, QWidget

from kiosk.i18n import Translations
from kiosk.ui.countdown import Countdown
from kiosk.ui.style import px
from kiosk.ui.widgets import WrapButton, label


class IdleOverlay(QWidget):
    """Covers the window; the visitor extends with one touch, or the visit ends."""

    extended = Signal()
    expired = Signal()

    def __init__(self, parent: QWidget, tick_ms: int = 1000) -> None:
        super().__init__(parent)
        self.setObjectName("idleOverlay")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        box = QFrame(self)
        box.setObjectName("idleBox")
        box.setMaximumWidth(px(1100))
        inner = QVBoxLayout(box)
        inner.setContentsMargins(px(56), px(48), px(56), px(48))
        inner.setSpacing(px(32))
        self.title = label(role="title")
        self.body = label(role="body")
        self.more = WrapButton(role="primary")
        self.more.setMinimumHeight(px(150))
        for widget in (self.title, self.body):
            widget.setAlignment(Qt.AlignmentFlag.AlignCenter)
            inner.addWidget(widget)
        inner.addWidget(self.more)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(box, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(1)
        self.more.clicked.connect(self._extend)
        self.countdown = Countdown(self, tick_ms)
        self.countdown.ticked.connect(self._update_body)
        self.countdown.expired.connect(self._expire)
        self._texts: Translations | None = None
        self.hide()

    def start(self, texts: Translations, seconds: int) -> None:
        self._texts = texts
        self.title.setText(texts.text("ui.idle.title"))
        self.more.setText(texts.text("ui.idle.more"))
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        self.show()
        self.raise_()
        self.countdown.start(seconds)

    def stop(self) -> None:
        self.countdown.stop()
        self.hide()

    def set_tick_ms(self, tick_ms: int) -> None:
        self.countdown.set_tick_ms(tick_ms)

    @property
    def remaining(self) -> int:
        return self.countdown.remaining

    def _extend(self) -> None:
        self.stop()
        self.extended.emit()

    def _expire(self) -> None:
        self.hide()
        self.expired.emit()

    def _update_body(self, seconds: int) -> None:
        if self._texts:
            self.body.setText(self._texts.text("ui.idle.body", n=seconds))
