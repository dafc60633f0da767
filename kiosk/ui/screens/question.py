"""One question of the interview with its answers as large buttons."""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, Qt, Signal
from PySide6.QtWidgets import QGridLayout, QWidget

from kiosk.catalog import Question
from kiosk.i18n import Translations
from kiosk.ui.widgets import ScreenFrame, WrapButton, label


class QuestionScreen(ScreenFrame):
    """Answers sit where the previous question's answers were, so a shaky double
    tap would answer two questions at once: touches in the first moments after a
    new question appears are ignored."""

    answered = Signal(str)
    back_requested = Signal()
    speak_requested = Signal()
    tap_guard_ms = 300

    def __init__(self) -> None:
        super().__init__("question")
        self.step = label(role="step")
        self.step.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body.addWidget(self.step)
        self.body.addStretch(1)
        self._choices_box = QWidget()
        self._grid = QGridLayout(self._choices_box)
        self._grid.setSpacing(24)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self.body.addWidget(self._choices_box)
        self.body.addStretch(1)
        self.listening = label(role="listening")
        self.listening.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body.addWidget(self.listening)
        self.back = self.footer_button("secondary", self.back_requested, 1)
        self.speak = self.footer_button("speak", self.speak_requested, 2)
        policy = self.speak.sizePolicy()
        policy.setRetainSizeWhenHidden(True)  # Back keeps its size and place
        self.speak.setSizePolicy(policy)
        self.speak.hide()  # shown only in a language with a speech model
        self.choice_buttons: dict[str, WrapButton] = {}
        self.question_id = ""
        self._shown = QElapsedTimer()

    def show_question(self, question: Question, step: int, texts: Translations) -> None:
        self.question_id = question.id
        self.title.setText(texts.question(question.id))
        self.step.setText(f"{texts.text('ui.question.title_prefix')} {step}")
        self.back.setText(texts.text("ui.common.back"))
        self.speak.setText(texts.text("ui.speech.speak"))
        self.show_listening("")
        self.notice.clear_message()
        for button in self.choice_buttons.values():
            self._grid.removeWidget(button)
            button.deleteLater()
        self.choice_buttons = {}
        columns = 1 if len(question.choices) <= 3 else 2
        for index, choice in enumerate(question.choices):
            button = WrapButton(texts.choice(question.id, choice), role="choice")
            button.clicked.connect(lambda _checked=False, c=choice: self._choose(c))
            self._grid.addWidget(button, index // columns, index % columns)
            self.choice_buttons[choice] = button
            button.show()  # children added to a shown widget stay hidden otherwise
        self._shown.start()

    def show_listening(self, text: str) -> None:
        """The listening indicator, then the words heard; hidden when empty."""
        self.listening.setText(text)
        self.listening.setVisible(bool(text))

    def _choose(self, choice: str) -> None:
        if self._shown.isValid() and self._shown.elapsed() < self.tap_guard_ms:
            return
        self.answered.emit(choice)
