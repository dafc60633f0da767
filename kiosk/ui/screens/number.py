"""Offer to read the My Number from the card, for the procedures that need it."""

from __future__ import annotations

from PySide6.QtCore import Signal

from kiosk.i18n import Translations
from kiosk.ui.widgets import ScreenFrame, label


class NumberScreen(ScreenFrame):
    read_requested = Signal()
    skip_requested = Signal()
    back_requested = Signal()

    def __init__(self) -> None:
        super().__init__("number")
        self.explanation = label(role="body")
        self.body.addStretch(1)
        self.body.addWidget(self.explanation)
        self.body.addStretch(2)
        self.back = self.footer_button("secondary", self.back_requested, 1)
        self.skip = self.footer_button("secondary", self.skip_requested, 2)
        self.read = self.footer_button("primary", self.read_requested, 2)

    def offer(self, texts: Translations, procedure_names: list[str]) -> None:
        self.title.setText(texts.text("ui.number.title"))
        needed_by = "\n".join(f"・{name}" for name in procedure_names)
        self.explanation.setText(
            f"{texts.text('ui.number.needed_by')}\n{needed_by}\n\n{texts.text('ui.number.how')}"
        )
        self.back.setText(texts.text("ui.common.back"))
        self.skip.setText(texts.text("ui.number.skip"))
        self.read.setText(texts.text("ui.number.read"))
        self.read.setEnabled(True)
        self.notice.clear_message()

    def refuse(self, message: str) -> None:
        """Reading is not possible now: say why; skipping stays open."""
        self.notice.show_message(message)
        self.read.setEnabled(False)

    def show_error(self, message: str) -> None:
        self.notice.show_message(message)
