"""The procedures the visitor needs, what to bring, and where to go."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QScrollArea, QVBoxLayout, QWidget

from kiosk.guidance import Step
from kiosk.i18n import Translations
from kiosk.ui.widgets import ScreenFrame, label, mark_private


class ResultScreen(ScreenFrame):
    print_requested = Signal()
    back_requested = Signal()

    def __init__(self) -> None:
        super().__init__("result")
        self.info = label(role="status")
        mark_private(self.info)  # the masked My Number
        self.info.hide()
        self.body.addWidget(self.info)
        self._list = QWidget()
        self._rows = QVBoxLayout(self._list)
        self._rows.setSpacing(20)
        self._rows.setContentsMargins(0, 0, 16, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self._list)
        self.body.addWidget(scroll, 1)
        self.back = self.footer_button("secondary", self.back_requested, 1)
        self.print = self.footer_button("primary", self.print_requested, 2)

    def show_steps(self, steps: list[Step], texts: Translations) -> None:
        self.title.setText(texts.text("ui.result.title"))
        self.back.setText(texts.text("ui.common.back"))
        self.print.setText(texts.text("ui.result.print"))
        self.print.setEnabled(True)
        self.notice.clear_message()
        self.wipe()
        self.info.hide()
        for number, step in enumerate(steps, start=1):
            card = _step_card(number, step, texts)
            self._rows.addWidget(card)
            card.show()  # children added to a shown widget stay hidden otherwise
        self._rows.addStretch(1)

    def show_info(self, text: str) -> None:
        self.info.setText(text)
        self.info.show()

    def wipe(self) -> None:
        self.info.clear()
        while self._rows.count():
            item = self._rows.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()


def _step_card(number: int, step: Step, texts: Translations) -> QFrame:
    card = QFrame()
    card.setObjectName("stepCard")
    layout = QVBoxLayout(card)
    layout.setContentsMargins(28, 20, 28, 20)
    layout.setSpacing(10)
    layout.addWidget(label(f"{number}.  {step.name}", role="stepName"))
    layout.addWidget(label(f"{texts.text('ui.result.counter')}:  {step.counter}", "stepCounter"))
    items = step.bring or (texts.text("ui.result.nothing_to_bring"),)
    bring = "\n".join(f"・{item}" for item in items)
    layout.addWidget(label(f"{texts.text('ui.result.bring')}:\n{bring}", role="stepBring"))
    if step.needs_individual_number:
        layout.addWidget(label(texts.text("ui.result.individual_number_note"), role="hint"))
    return card
