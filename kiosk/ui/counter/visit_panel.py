"""The called visitor's record: card data, procedures, answers, things to bring.

The individual number is never selectable (no copying), and once revealed it hides
itself after ``REVEAL_SECONDS``. A correction is sent only after the member confirms
it in a dialog that shows the old and the new value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from kiosk.counter import CORRECTABLE, SEXES, VisitView
from kiosk.i18n import Translations
from kiosk.person import mask_individual_number
from kiosk.ui.counter.dialogs import confirm_correction

REVEAL_SECONDS = 30


def label(text: str = "", role: str = "") -> QLabel:
    widget = QLabel(text)
    widget.setTextFormat(Qt.TextFormat.PlainText)
    widget.setWordWrap(True)
    widget.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if role:
        widget.setObjectName(role)
    return widget


class VisitPanel(QScrollArea):
    """Shows one VisitView; ``clear()`` drops every value it shows."""

    reveal_requested = Signal(str)  # reference
    correction_requested = Signal(str, str, str)  # reference, field, value
    reprint_requested = Signal(str)  # reference

    def __init__(self, texts: Translations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.texts = texts
        self.view: VisitView | None = None
        self.can_reveal = False
        self.reveal_ms = REVEAL_SECONDS * 1000  # tests shorten it
        self.reveal_timer = QTimer(self)
        self.reveal_timer.setSingleShot(True)
        self.reveal_timer.timeout.connect(self.hide_number)
        # Replaceable so that tests can answer: (field label, old, new) -> confirmed?
        self.confirm_correction: Callable[[str, str, str], bool] = lambda field, old, new: (
            confirm_correction(self, texts, field, old, new)
        )
        self.setWidgetResizable(True)
        body = QWidget()
        self.layout_ = QVBoxLayout(body)
        self.heading = label(role="visitHeading")
        self.summary = label(role="visitSummary")
        self.layout_.addWidget(self.heading)
        self.layout_.addWidget(self.summary)
        # Said by the visitor at the kiosk: above the card data, in words and a sign.
        self.to_correct = label(self._t("visit_flags.details_to_correct"), role="visitToCorrect")
        self.layout_.addWidget(self.to_correct)
        self._build_person()
        self._build_correction()
        self.sections: list[QGroupBox] = []
        self.procedures = self._section("visit.procedures")
        self.answers = self._section("visit.answers")
        self.reprint_button = QPushButton(self._t("visit.reprint"))
        self.reprint_button.clicked.connect(self._reprint)
        self.layout_.addWidget(self.reprint_button)
        self.layout_.addStretch(1)
        self.setWidget(body)
        self.clear()

    # -- building -----------------------------------------------------------------

    def _t(self, key: str, **values: object) -> str:
        return self.texts.text(f"counter.{key}", **values)

    def _build_person(self) -> None:
        self.person_box = QGroupBox(self._t("visit.person"))
        form = QFormLayout(self.person_box)
        self.person_fields: dict[str, QLabel] = {}
        for field in (*CORRECTABLE, "number"):
            self.person_fields[field] = label(role=f"person_{field}")
            form.addRow(self._t(f"visit.fields.{field}"), self.person_fields[field])
        number = self.person_fields["number"]  # shown, never selected or copied
        number.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        number.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.reveal_button = QPushButton(self._t("visit.reveal"))
        self.reveal_button.clicked.connect(self._reveal)
        form.addRow("", self.reveal_button)
        self.no_card = label(role="visitNote")
        self.layout_.addWidget(self.no_card)
        self.layout_.addWidget(self.person_box)

    def _build_correction(self) -> None:
        row = QHBoxLayout()
        row.addWidget(label(self._t("visit.correct")))
        self.correct_field = QComboBox()
        for field in CORRECTABLE:
            self.correct_field.addItem(self._t(f"visit.fields.{field}"), field)
        self.correct_field.currentIndexChanged.connect(self._prefill)
        self.correct_value = QLineEdit()
        self.correct_value.returnPressed.connect(self._correct)
        self.correct_sex = QComboBox()
        for sex in SEXES:
            self.correct_sex.addItem(self._t(f"visit.sex.{sex}"), sex)
        self.correct_button = QPushButton(self._t("visit.save"))
        self.correct_button.clicked.connect(self._correct)
        for widget in (self.correct_field, self.correct_value, self.correct_sex):
            row.addWidget(widget, 1)
        row.addWidget(self.correct_button)
        self.correction_row = QWidget()
        self.correction_row.setLayout(row)
        self.layout_.addWidget(self.correction_row)

    def _section(self, title_key: str) -> QLabel:
        box = QGroupBox(self._t(title_key))
        content = label()
        QVBoxLayout(box).addWidget(content)
        self.layout_.addWidget(box)
        self.sections.append(box)
        return content

    # -- showing ------------------------------------------------------------------

    def show_view(self, view: VisitView) -> None:
        self.view = view
        self.reveal_timer.stop()
        if view.number_revealed:
            self.reveal_timer.start(self.reveal_ms)
        self.heading.setText(self._t("visit.heading", reference=view.reference))
        self.summary.setText(
            self._t(
                "visit.summary",
                ticket=view.ticket_code or "—",
                language=view.language,
                time=f"{view.started_at.astimezone():%H:%M}",
            )
        )
        self.to_correct.setVisible(view.details_to_correct)
        self._show_person(view)
        self.procedures.setText(self._procedures_text(view))
        answers = [f"・{a.question}\n　→ {a.answer}" for a in view.answers]
        self.answers.setText("\n".join(answers) or "—")
        self.reprint_button.setEnabled(bool(view.procedures))
        for widget in (self.heading, self.summary, self.reprint_button):
            widget.setVisible(True)
        for box in self.sections:
            box.setVisible(True)

    def _show_person(self, view: VisitView) -> None:
        person = view.person
        self.person_box.setVisible(person is not None)
        self.correction_row.setVisible(person is not None)
        self.no_card.setVisible(person is None)
        self.no_card.setText(
            self._t("visit.used_card_no_data" if view.used_card else "visit.no_card")
        )
        if person is None:
            return
        values = {
            "name": person.name,
            "name_kana": person.name_kana or self._t("visit.empty"),
            "address": person.address,
            "birth_date": view.birth_date_text,
            "sex": self._t(f"visit.sex.{person.sex}"),
            "number": view.number or self._t("visit.no_number"),
        }
        for field, widget in self.person_fields.items():
            widget.setText(values[field])
        self.reveal_button.setVisible(
            self.can_reveal and view.has_number and not view.number_revealed
        )
        self._prefill()

    def _procedures_text(self, view: VisitView) -> str:
        lines = []
        for p in view.procedures:
            lines.append(f"■ {p.name}　{p.counter}")
            if p.needs_individual_number:
                lines.append(f"　{self._t('visit.needs_number')}")
            if p.bring:
                lines.append(f"　{self._t('visit.bring')}: " + "、".join(p.bring))
        return "\n".join(lines) or self._t("visit.no_procedures")

    def hide_number(self) -> None:
        """Mask the revealed number again (its time is up); reveal again to see it."""
        self.reveal_timer.stop()
        view = self.view
        if view is None or not view.number_revealed or view.number is None:
            return
        masked = replace(view, number=mask_individual_number(view.number), number_revealed=False)
        self.view = masked
        self.person_fields["number"].setText(masked.number or "")
        self.reveal_button.setVisible(self.can_reveal and masked.has_number)

    def clear(self) -> None:
        """Wipe every value (sign-out, idle, next visitor)."""
        self.reveal_timer.stop()
        self.view = None
        for widget in (self.heading, self.summary, self.no_card, self.procedures, self.answers):
            widget.setText("")
        for widget in self.person_fields.values():
            widget.setText("")
        self.correct_value.clear()
        self.correct_field.setCurrentIndex(0)
        hidden: tuple[QWidget, ...] = (
            self.person_box,
            self.correction_row,
            self.no_card,
            self.reprint_button,
            self.to_correct,
        )
        for box in hidden:
            box.setVisible(False)
        for box in self.sections:
            box.setVisible(False)
        self.heading.setVisible(True)
        self.heading.setText(self._t("visit.empty_panel"))

    def shown_text(self) -> str:
        """Every text the panel shows (tests check nothing personal is left)."""
        return "\n".join(w.text() for w in self.findChildren(QLabel)) + self.correct_value.text()

    # -- requests -------------------------------------------------------------------

    def _field(self) -> str:
        return str(self.correct_field.currentData())

    def _prefill(self) -> None:
        is_sex = self._field() == "sex"
        self.correct_sex.setVisible(is_sex)
        self.correct_value.setVisible(not is_sex)
        if self.view is None or self.view.person is None:
            return
        person = self.view.person
        if is_sex:
            self.correct_sex.setCurrentIndex(max(0, self.correct_sex.findData(person.sex)))
            return
        current = {
            "name": person.name,
            "name_kana": person.name_kana,
            "address": person.address,
            "birth_date": person.birth_date.isoformat(),
        }
        self.correct_value.setText(current[self._field()])

    def _correct(self) -> None:
        view = self.view
        if view is None or view.person is None:
            return
        field = self._field()
        value = str(self.correct_sex.currentData()) if field == "sex" else self.correct_value.text()
        old, new = self._shown_value(field, view), value.strip()
        if field == "sex":
            new = self._t(f"visit.sex.{value}")
        if not self.confirm_correction(self._t(f"visit.fields.{field}"), old, new):
            return
        if self.view is view:  # still the same visitor after the question
            self.correction_requested.emit(view.reference, field, value)

    def _shown_value(self, field: str, view: VisitView) -> str:
        person = view.person
        if person is None:
            return ""
        if field == "sex":
            return self._t(f"visit.sex.{person.sex}")
        if field == "birth_date":
            return person.birth_date.isoformat()
        return str(getattr(person, field) or "")

    def _reveal(self) -> None:
        if self.view is not None:
            self.reveal_requested.emit(self.view.reference)

    def _reprint(self) -> None:
        if self.view is not None:
            self.reprint_requested.emit(self.view.reference)
