"""Show what the card says, so the visitor can check it is them."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton

from kiosk.i18n import Translations
from kiosk.person import Person
from kiosk.ui.style import px
from kiosk.ui.widgets import ScreenFrame, label, mark_private

FIELDS = ("name", "address", "birth_date", "sex")


class ConfirmScreen(ScreenFrame):
    confirmed = Signal()
    something_wrong = Signal()  # go on; the counter sees a flag and corrects it there
    back_requested = Signal()
    details_requested = Signal()

    def __init__(self) -> None:
        super().__init__("confirm")
        grid = QGridLayout()
        grid.setHorizontalSpacing(px(40))
        grid.setVerticalSpacing(px(28))
        self.names: dict[str, QLabel] = {}
        self.values: dict[str, QLabel] = {}
        for row, field in enumerate(FIELDS):
            self.names[field] = label(role="fieldName")
            self.values[field] = label(role="fieldValue")
            mark_private(self.values[field])  # spoken only when the visitor asks (headphones)
            grid.addWidget(self.names[field], row, 0)
            grid.addWidget(self.values[field], row, 1)
        grid.setColumnStretch(1, 1)
        self.body.addStretch(1)
        self.body.addLayout(grid)
        self.number = label(role="status")
        mark_private(self.number)  # the masked My Number, when it was read
        self.number.hide()
        self.body.addWidget(self.number)
        # Personal data is not read aloud unprompted (others may hear): on request only.
        self.read_details = QPushButton()
        self.read_details.setObjectName("secondary")
        self.read_details.clicked.connect(self.details_requested)
        self.read_details.hide()
        self.body.addSpacing(px(24))
        self.body.addWidget(self.read_details, 0, Qt.AlignmentFlag.AlignLeft)
        self.body.addStretch(2)
        self.back = self.footer_button("secondary", self.back_requested, 2)
        self.wrong = self.footer_button("secondary", self.something_wrong, 3)
        self.ok = self.footer_button("primary", self.confirmed, 4)

    def retranslate(self, texts: Translations) -> None:
        self.title.setText(texts.text("ui.confirm.title"))
        for field in FIELDS:
            self.names[field].setText(texts.text(f"ui.confirm.{field}"))
        self.back.setText(texts.text("ui.common.back"))
        self.ok.setText(texts.text("ui.confirm.ok"))
        self.wrong.setText(texts.text("ui.confirm.something_wrong"))
        self.read_details.setText(texts.text("ui.confirm.read_details"))

    def details_speech(self) -> str:
        """Each field's name and value, to be read aloud when the visitor asks."""
        return "\n".join(f"{self.names[f].text()}: {self.values[f].text()}" for f in FIELDS)

    def show_number(self, masked: str, texts: Translations) -> None:
        """Say the My Number was read, showing only its last 4 digits ("" hides it)."""
        self.number.setText(texts.text("ui.confirm.number_read", masked=masked) if masked else "")
        self.number.setVisible(bool(masked))

    def show_person(self, person: Person, texts: Translations) -> None:
        self.values["name"].setText(person.name)
        self.values["address"].setText(person.address)
        self.values["birth_date"].setText(texts.info.date(person.birth_date))
        self.values["sex"].setText(texts.text(f"ui.confirm.{person.sex}"))

    def wipe(self) -> None:
        for value in self.values.values():
            value.clear()
        self.number.clear()
        self.number.hide()
