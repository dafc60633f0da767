"""What a resident prepared at home, shown at the counter after scanning its code."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from kiosk.counter_pre_entry import PreEntryView
from kiosk.i18n import Translations
from kiosk.wareki import wareki

DETAIL_FIELDS = ("name", "name_kana", "address", "moved_on")


class PreEntryDialog(QDialog):
    """The pre-entry's answers, procedures and details; "print once more" when printed."""

    def __init__(
        self, texts: Translations, release: Callable[[], None], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.texts = texts
        self.setObjectName("preEntryDialog")
        self.setWindowTitle(self._t("title"))
        self.setMinimumWidth(720)
        layout = QVBoxLayout(self)
        heading = QLabel(self._t("title"))
        heading.setObjectName("pageHeading")
        layout.addWidget(heading)
        self.body = QLabel()
        self.body.setWordWrap(True)
        layout.addWidget(self.body)
        self.status = QLabel()
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        buttons = QDialogButtonBox()
        self.release_button = buttons.addButton(
            self._t("release"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.close_button = buttons.addButton(
            self._t("close"), QDialogButtonBox.ButtonRole.RejectRole
        )
        self.release_button.clicked.connect(release)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _t(self, key: str, **values: object) -> str:
        return self.texts.text(f"counter.pre_entry.{key}", **values)

    def show_view(self, view: PreEntryView, message: str = "") -> None:
        self.body.setText(self.text_of(view))
        self.release_button.setVisible(view.used_at is not None)
        self.status.setText(message)

    def text_of(self, view: PreEntryView) -> str:
        """Everything shown, as plain lines (also what tests read)."""
        lines = [
            self._t(
                "summary",
                language=view.language,
                created=f"{view.created_at.astimezone():%Y-%m-%d %H:%M}",
                expires=f"{view.expires_at.astimezone():%Y-%m-%d}",
            ),
            self._t("printed", time=f"{view.used_at.astimezone():%m-%d %H:%M}")
            if view.used_at
            else self._t("not_printed"),
            "",
            f"■ {self._t('procedures')}",
        ]
        for p in view.procedures:
            lines.append(f"・{p.name}　{p.counter}")
            if p.bring:
                lines.append("　" + "、".join(p.bring))
        lines += ["", f"■ {self._t('answers')}"]
        lines += [f"・{a.question} → {a.answer}" for a in view.answers]
        lines += ["", f"■ {self._t('details')}"]
        lines += self._detail_lines(view)
        return "\n".join(lines)

    def _detail_lines(self, view: PreEntryView) -> list[str]:
        details = view.details
        if details is None:
            return [self._t("none")]
        values = {
            "name": details.name,
            "name_kana": details.name_kana,
            "address": _postal(details.postal_code) + details.address,
            "moved_on": _wareki(details.moved_on) if details.moved_on else "",
        }
        return [f"{self._t(f'field.{f}')}: {values[f] or self._t('none')}" for f in DETAIL_FIELDS]


def _postal(code: str) -> str:
    return f"〒{code[:3]}-{code[3:]} " if code else ""


def _wareki(day: date) -> str:
    era = wareki(day)
    return f"{era.year_text}{era.month}月{era.day}日（{day.year}年）"
