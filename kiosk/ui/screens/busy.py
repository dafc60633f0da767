"""A calm "please wait" while the kiosk prints."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressBar

from kiosk.i18n import Translations
from kiosk.ui.widgets import ScreenFrame, label


class BusyScreen(ScreenFrame):
    def __init__(self) -> None:
        super().__init__("busy")
        self.message = label(role="title")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        progress = QProgressBar()
        progress.setObjectName("busy")
        progress.setRange(0, 0)  # moving, so the visitor sees the kiosk is working
        progress.setTextVisible(False)
        progress.setFixedWidth(720)
        self.body.addStretch(1)
        self.body.addWidget(self.message)
        self.body.addWidget(progress, 0, Qt.AlignmentFlag.AlignHCenter)
        self.body.addStretch(1)

    def retranslate(self, texts: Translations) -> None:
        self.message.setText(texts.text("ui.printing.title"))
