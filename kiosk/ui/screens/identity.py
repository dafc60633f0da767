"""Place the My Number card, or go on without one."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtSvgWidgets import QSvgWidget
from PySide6.QtWidgets import QHBoxLayout

from kiosk.i18n import Translations
from kiosk.resources import resource
from kiosk.ui.widgets import ScreenFrame, label


class IdentityScreen(ScreenFrame):
    back_requested = Signal()
    no_card_chosen = Signal()

    def __init__(self) -> None:
        super().__init__("identity")
        picture = QSvgWidget(str(resource("ui", "place_card.svg")))
        picture.setFixedSize(QSize(416, 288))
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(picture)
        row.addStretch(1)
        self.body.addLayout(row)
        self.status = label(role="status")
        self.hint = label(role="hint")
        self.no_card_hint = label(role="hint")
        for widget in (self.status, self.hint, self.no_card_hint):
            widget.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.body.addWidget(widget)
        self.body.addStretch(1)
        self.back = self.footer_button("secondary", self.back_requested, 1)
        self.no_card = self.footer_button("primary", self.no_card_chosen, 2)
        self._texts: Translations | None = None

    def retranslate(self, texts: Translations) -> None:
        self._texts = texts
        self.title.setText(texts.text("ui.identity.title"))
        self.hint.setText(texts.text("ui.identity.hint"))
        self.back.setText(texts.text("ui.common.back"))
        self.no_card.setText(texts.text("ui.identity.no_card"))
        self.no_card_hint.setText(texts.text("ui.identity.no_card_hint"))
        self.show_waiting()

    def show_waiting(self) -> None:
        if self._texts:
            self.status.setText(self._texts.text("ui.identity.waiting"))

    def show_checking(self) -> None:
        if self._texts:
            self.status.setText(self._texts.text("ui.identity.checking"))
