"""One question of the interview with its answers as large buttons."""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, Qt, Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QWidget

from kiosk.catalog import Question
from kiosk.i18n import Translations
from kiosk.resources import resource
from kiosk.ui.choice_box import ChoiceBox
from kiosk.ui.style import px
from kiosk.ui.widgets import ScreenFrame, WrapButton, label

HINT_EXAMPLES = 2
"""How many answers the "say it like this" hint quotes."""


class QuestionScreen(ScreenFrame):
    """Answers sit where the previous question's answers were, so a shaky double
    tap would answer two questions at once: touches in the first moments after a
    new question appears are ignored."""

    answered = Signal(str)
    back_requested = Signal()
    speak_requested = Signal()
    confirmed = Signal(bool)
    """The visitor touched Yes (True) or No (False) on "Did you say …?"."""
    tap_guard_ms = 300

    def __init__(self) -> None:
        super().__init__("question")
        self.step = label(role="step")
        self.step.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.heading.insertWidget(0, self.step)  # "Question 3 of 7" above the question
        self.body.addStretch(1)
        self._choices_box = QWidget()
        self._grid = QGridLayout(self._choices_box)
        self._grid.setSpacing(px(24))
        self._grid.setContentsMargins(0, 0, 0, 0)
        self.body.addWidget(self._choices_box)
        self.confirm_box = self._confirm_box()  # in the answers' place while it is shown
        self.body.addWidget(self.confirm_box)
        self.body.addStretch(1)
        self.listening = label(role="listening")
        self.listening.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body.addWidget(self.listening)
        self.speak_hint = label(role="speakHint")
        self.speak_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body.addWidget(self.speak_hint)
        self.back = self.footer_button("secondary", self.back_requested, 1)
        self.speak = self.footer_button("speak", self.speak_requested, 2)
        self.speak.set_icon(str(resource("ui", "microphone.svg")))
        policy = self.speak.sizePolicy()
        policy.setRetainSizeWhenHidden(True)  # Back keeps its size and place
        self.speak.setSizePolicy(policy)
        self.set_speakable(False)  # shown only in a language with a speech model
        self.choice_buttons: dict[str, WrapButton] = {}
        self.question_id = ""
        self._shown = QElapsedTimer()

    def _confirm_box(self) -> QFrame:
        box = ChoiceBox(
            "confirmBox", ("confirmQuestion", "hint"), left="primary", right="secondary"
        )
        self.confirm_question, self.confirm_hint = box.texts
        self.confirm_yes, self.confirm_no = box.left, box.right
        self.confirm_yes.clicked.connect(lambda: self.confirmed.emit(True))
        self.confirm_no.clicked.connect(lambda: self.confirmed.emit(False))
        box.hide()
        return box

    def show_question(self, question: Question, step: int, total: int, texts: Translations) -> None:
        self.question_id = question.id
        self.title.setText(texts.question(question.id))
        self.step.setText(texts.text("ui.question.progress", step=step, total=total))
        self.step.setAccessibleName(texts.text("voice.progress", step=step, total=total))
        self.back.setText(texts.text("ui.common.back"))
        self.speak.setText(texts.text("ui.speech.speak"))
        self.show_listening("")
        self.hide_confirmation()
        self.notice.clear_message()
        for button in self.choice_buttons.values():
            self._grid.removeWidget(button)
            button.hide()
            button.deleteLater()
        self.choice_buttons = {}
        columns = 1 if len(question.choices) <= 3 else 2
        for index, choice in enumerate(question.choices):
            button = WrapButton(texts.choice(question.id, choice), role="choice")
            button.clicked.connect(lambda _checked=False, c=choice: self._choose(c))
            self._grid.addWidget(button, index // columns, index % columns)
            self.choice_buttons[choice] = button
            button.show()  # children added to a shown widget stay hidden otherwise
        examples = [texts.choice(question.id, c) for c in question.choices[:HINT_EXAMPLES]]
        quoted = "".join(f"「{example}」" for example in examples)
        self.speak_hint.setText(texts.text("ui.speech.hint", examples=quoted))
        self._shown.start()

    def set_speakable(self, speakable: bool) -> None:
        """Show the Speak button, and the hint that says what to say, or hide both."""
        self.speak.setVisible(speakable)
        self.speak.setEnabled(True)
        self.speak_hint.setVisible(speakable)

    def show_listening(self, text: str) -> None:
        """The listening indicator, then the words heard; hidden when empty."""
        self.listening.setText(text)
        self.listening.setVisible(bool(text))

    def ask_confirmation(self, choice_text: str, texts: Translations) -> None:
        """ "Did you say 「転入」?" with Yes and No, answerable by voice or touch."""
        self.confirm_question.setText(texts.text("ui.speech.confirm", choice=choice_text))
        self.confirm_hint.setText(texts.text("ui.speech.confirm_hint"))
        self.confirm_yes.setText(texts.text("ui.speech.yes"))
        self.confirm_no.setText(texts.text("ui.speech.no"))
        # Only Yes and No while asking: the answers come back with No.
        self._choices_box.hide()
        self.speak_hint.hide()
        self.confirm_box.show()

    def hide_confirmation(self) -> None:
        self.confirm_box.hide()
        self._choices_box.show()
        self.speak_hint.setVisible(self.speak.isVisible())

    def _choose(self, choice: str) -> None:
        if self._shown.isValid() and self._shown.elapsed() < self.tap_guard_ms:
            return
        self.answered.emit(choice)
