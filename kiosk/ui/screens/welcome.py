"""The first screen: ward name, Start, and the language choice."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QButtonGroup, QGridLayout, QHBoxLayout, QPushButton

from kiosk.i18n import Translations
from kiosk.resources import resource
from kiosk.ui.fonts import apply_language_font
from kiosk.ui.style import px
from kiosk.ui.widgets import ScreenFrame, WrapButton, label

NARROW_COLUMNS = 3  # the longest names ("Português (Brasil)") fit three abreast at 19"
WIDE_COLUMNS = 4  # on a 16:9 screen four rows would not fit in the height, five not in the width


class WelcomeScreen(ScreenFrame):
    start_requested = Signal()
    language_chosen = Signal(str)  # a language button: the visit starts in that language
    prepared_requested = Signal()  # 自宅で準備した方: the code from home

    def __init__(self, languages: dict[str, str]) -> None:
        """``languages`` maps each offered code to its name in that language."""
        super().__init__("welcome")
        self.subtitle = label(role="subtitle")
        self.lead = label(role="body")
        for widget in (self.subtitle, self.lead):
            widget.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.body.addWidget(widget)
        self.body.addStretch(1)
        self.start = WrapButton(role="primary")
        self.start.setMinimumHeight(px(100))
        self.start.clicked.connect(self.start_requested)
        # Beside Start, not below it: the screen has no height to spare in large text.
        # One line (no height for width): a wrapping button here makes the window taller.
        self.prepared = QPushButton()
        self.prepared.setObjectName("secondary")
        self.prepared.setMinimumHeight(px(100))
        self.prepared.clicked.connect(self.prepared_requested)
        start_row = QHBoxLayout()
        start_row.addWidget(self.start, 1)
        start_row.addWidget(self.prepared, 1)
        self.body.addLayout(start_row)
        self.languages_label = label(role="hint")
        self.languages_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body.addWidget(self.languages_label)
        # Ten languages: four rows of three on a 5:4 screen, three rows of four on a wide one.
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(px(24))
        self.grid.setVerticalSpacing(px(8))
        self.language_buttons: dict[str, QPushButton] = {}
        group = QButtonGroup(self)
        for code, name in languages.items():
            button = QPushButton(name)
            button.setObjectName("language")
            button.setCheckable(True)
            button.setAccessibleName(name)
            apply_language_font(button, code)  # each name in its own script's font
            button.clicked.connect(lambda _checked=False, c=code: self._language_touched(c))
            group.addButton(button)
            self.language_buttons[code] = button
        self._columns = 0
        self._arrange(NARROW_COLUMNS)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addLayout(self.grid)
        row.addStretch(1)
        self.body.addLayout(row)
        # Near the bottom edge, where a visitor who cannot see the screen finds it by touch.
        self.voice_guide = WrapButton(role="voiceGuide")
        self.voice_guide.set_icon(str(resource("ui", "speaker.svg")))
        self.voice_guide.setMinimumHeight(px(96))
        self.voice_guide.hide()  # shown when the kiosk can speak
        self.footer.addWidget(self.voice_guide, 1)

    def resizeEvent(self, event: QResizeEvent) -> None:
        wide = event.size().width() >= 1.5 * event.size().height()
        self._arrange(WIDE_COLUMNS if wide else NARROW_COLUMNS)
        super().resizeEvent(event)

    def _arrange(self, columns: int) -> None:
        """The language buttons in rows of ``columns`` (fewer buttons: one row)."""
        columns = min(columns, len(self.language_buttons)) or 1
        if columns == self._columns:
            return
        self._columns = columns
        for index, button in enumerate(self.language_buttons.values()):
            self.grid.removeWidget(button)
            self.grid.addWidget(button, index // columns, index % columns)

    def _language_touched(self, code: str) -> None:
        self.language_chosen.emit(code)
        self.start_requested.emit()  # one touch: the language is the start

    def retranslate(self, texts: Translations, ward_name: str) -> None:
        self.title.setText(texts.text("ui.welcome.title", ward=ward_name))
        self.subtitle.setText(texts.text("ui.welcome.subtitle"))
        self.lead.setText(texts.text("ui.welcome.lead"))
        self.start.setText(texts.text("ui.welcome.start"))
        self.languages_label.setText(texts.text("ui.welcome.languages"))
        self.voice_guide.setText(texts.text("ui.common.voice_guide"))
        self.prepared.setText(texts.text("ui.prepared.button"))
        self.language_buttons[texts.language].setChecked(True)
