"""The first screen: ward name, Start, and the language choice."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QButtonGroup, QGridLayout, QHBoxLayout, QPushButton

from kiosk.i18n import Translations
from kiosk.resources import resource
from kiosk.ui.fonts import apply_language_font
from kiosk.ui.style import px
from kiosk.ui.widgets import ScreenFrame, WrapButton, label

LANGUAGES_PER_ROW = 5


class WelcomeScreen(ScreenFrame):
    start_requested = Signal()
    language_chosen = Signal(str)  # a language button: the visit starts in that language

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
        self.start.setMinimumHeight(px(160))
        self.start.clicked.connect(self.start_requested)
        self.body.addWidget(self.start)
        self.languages_label = label(role="hint")
        self.languages_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body.addWidget(self.languages_label)
        # Ten languages fit as two rows of five; fewer stay on one row.
        grid = QGridLayout()
        grid.setHorizontalSpacing(px(24))
        grid.setVerticalSpacing(px(16))
        columns = LANGUAGES_PER_ROW if len(languages) > LANGUAGES_PER_ROW else len(languages)
        self.language_buttons: dict[str, QPushButton] = {}
        group = QButtonGroup(self)
        for index, (code, name) in enumerate(languages.items()):
            button = QPushButton(name)
            button.setObjectName("language")
            button.setCheckable(True)
            button.setAccessibleName(name)
            apply_language_font(button, code)  # each name in its own script's font
            button.clicked.connect(lambda _checked=False, c=code: self._language_touched(c))
            group.addButton(button)
            grid.addWidget(button, index // columns, index % columns)
            self.language_buttons[code] = button
        row = QHBoxLayout()
        row.addStretch(1)
        row.addLayout(grid)
        row.addStretch(1)
        self.body.addLayout(row)
        # Near the bottom edge, where a visitor who cannot see the screen finds it by touch.
        self.voice_guide = WrapButton(role="voiceGuide")
        self.voice_guide.set_icon(str(resource("ui", "speaker.svg")))
        self.voice_guide.setMinimumHeight(px(120))
        self.voice_guide.hide()  # shown when the kiosk can speak
        self.footer.addWidget(self.voice_guide, 1)

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
        self.language_buttons[texts.language].setChecked(True)
