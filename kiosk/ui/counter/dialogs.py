"""The desk's questions: why a visit of another counter is opened, and whether a
correction is really meant (old and new value side by side)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kiosk.counter_access import REASON_MAX, REASON_MIN, ReasonRefused, check_reason
from kiosk.i18n import Translations


class ReasonDialog(QDialog):
    """Asks why a visit that is not this counter's today is opened; the answer is logged."""

    def __init__(self, texts: Translations, why: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.texts = texts
        self.setObjectName("reasonDialog")
        self.setWindowTitle(self._t("title"))
        self.setModal(True)
        self.setMinimumWidth(640)
        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        heading = QLabel(self._t("title"))  # also where no window manager draws a title
        heading.setObjectName("pageHeading")
        layout.addWidget(heading)
        self.explanation = QLabel(f"{self._t(why)}\n{self._t('logged')}")
        self.explanation.setWordWrap(True)
        layout.addWidget(self.explanation)
        self.reason = QLineEdit()
        self.reason.setObjectName("reasonInput")
        self.reason.setMaxLength(REASON_MAX)
        self.reason.setPlaceholderText(self._t("placeholder"))
        layout.addWidget(self.reason)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #9b1c1c;")
        layout.addWidget(self.error)
        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton(self._t("open"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = buttons.addButton(
            self._t("cancel"), QDialogButtonBox.ButtonRole.RejectRole
        )
        self.ok_button.setEnabled(False)
        self.reason.textChanged.connect(
            lambda text: self.ok_button.setEnabled(len(text.strip()) >= REASON_MIN)
        )
        buttons.accepted.connect(self.try_accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _t(self, key: str) -> str:
        return self.texts.text(f"counter.reason.{key}", min=REASON_MIN, max=REASON_MAX)

    def try_accept(self) -> None:
        try:
            check_reason(self.reason.text())
        except ReasonRefused:
            self.error.setText(self._t("refused"))
            return
        self.accept()

    def value(self) -> str:
        return check_reason(self.reason.text())

    @classmethod
    def ask(cls, texts: Translations, why: str, parent: QWidget | None) -> str | None:
        dialog = cls(texts, why, parent)
        try:
            return dialog.value() if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.reason.clear()
            dialog.deleteLater()


def confirm_correction(
    parent: QWidget, texts: Translations, field: str, old: str, new: str
) -> bool:
    """A modal question with the old and the new value; "No" is the default, so an
    Enter typed by a scanner never confirms."""
    t = texts.text
    box = QMessageBox(
        QMessageBox.Icon.Question,
        t("counter.confirm_correction.title"),
        t("counter.confirm_correction.question", field=field, old=old or "—", new=new or "—"),
        parent=parent,
    )
    box.setTextFormat(Qt.TextFormat.PlainText)  # the values are the visitor's, not markup
    yes: QPushButton = box.addButton(
        t("counter.confirm_correction.yes"), QMessageBox.ButtonRole.YesRole
    )
    box.setDefaultButton(
        box.addButton(t("counter.confirm_correction.no"), QMessageBox.ButtonRole.NoRole)
    )
    box.exec()
    return box.clickedButton() is yes
