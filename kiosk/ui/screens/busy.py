"""A calm "please wait" while the kiosk prints."""

from __future__ import annotations

from PySide6.QtCore import Qt

from kiosk.i18n import Translations
from kiosk.ui.widgets import ScreenFrame


class BusyScreen(ScreenFrame):
    def __init__(self) -> None:
        super().__init__("busy")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body.addStretch(1)

    def retranslate(self, texts: Translations) -> None:
        self.title.setText(texts.text("ui.printing.title"))
