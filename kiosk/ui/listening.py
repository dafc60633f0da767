"""Answering a question by voice: the Speak button, and "Did you say …?" for a likely answer.

A mixin of the kiosk window: it drives the question screen and the listener,
and hands the answer taken to the window's ``answer``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from kiosk.catalog import Question
from kiosk.context import KioskContext
from kiosk.i18n import Translations
from kiosk.interview import Interview
from kiosk.services import Heard, Listener, Speaker
from kiosk.speech import grammar
from kiosk.ui.screens.question import QuestionScreen
from kiosk.ui.tasks import TaskRunner
from kiosk.ui.voice_guide import VoiceGuide
from kiosk.visit import Visit

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

SPEECH_WAIT_S = 30.0  # longest read-aloud the microphone waits for


class Listening:
    """The window's voice answers; the window provides the attributes declared here."""

    context: KioskContext
    listener: Listener | None
    speaker: Speaker | None
    runner: TaskRunner
    guide: VoiceGuide
    question: QuestionScreen
    texts: Translations

    @property
    def interview(self) -> Interview | None: ...

    @property
    def visit(self) -> Visit | None: ...

    _listen_turn: int
    _said_before_next: str
    _candidate: str | None

    if TYPE_CHECKING:

        def current_screen(self) -> QWidget | None: ...

        def answer(self, choice: str) -> None: ...

        def _error_text(self, error: Exception) -> str: ...

    def _current_question(self) -> Question | None:
        return self.interview.current if self.interview is not None else None

    def listen(self) -> None:
        """Hear one answer to the question on screen (the Speak button)."""
        question = self._current_question()
        if question is not None:
            self.question.hide_confirmation()
            forms = grammar.screen_choices(self.texts.language, question.id)
            self._listen_for(forms, self._heard)

    def _listen_for(self, forms: dict[str, list[str]], on_heard: Callable[[Heard], None]) -> None:
        listener = self.listener
        if listener is None:
            return
        language = self.texts.language
        speaker = self.speaker
        if not self.context.settings.speech.listen_on_every_screen and speaker is not None:
            speaker.stop()  # the visitor touched Speak: talking over the kiosk is fine
        self.question.speak.setEnabled(False)
        self.question.notice.clear_message()
        self.question.show_listening(self.texts.text("ui.speech.listening"))

        turn = self._listen_turn

        def stale() -> bool:
            return turn != self._listen_turn

        def hear() -> Heard:
            if speaker is not None:
                speaker.wait_idle(SPEECH_WAIT_S)  # the microphone must not hear the kiosk
            return listener.listen(language, forms, stale)

        def heard(result: Heard) -> None:
            if not stale():
                on_heard(result)

        def failed(error: Exception) -> None:
            if not stale():
                self._not_heard(error)

        self.runner.submit(hear, heard, failed)

    def _heard(self, heard: Heard) -> None:
        question = self._current_question()
        self.question.speak.setEnabled(True)
        if question is None or self.current_screen() is not self.question:
            return
        words = heard.text or "…"
        self.question.show_listening(self.texts.text("ui.speech.heard", words=words))
        if heard.choice is not None and heard.choice in question.choices:
            self._take_spoken(heard.choice)
        elif heard.needs_confirmation and heard.candidate in question.choices:
            self._ask_confirmation(str(heard.candidate))
        else:
            self.question.notice.show_message(self.texts.text("ui.speech.not_understood"))

    def _take_spoken(self, choice: str) -> None:
        question = self._current_question()
        if question is None:
            return
        if self.visit is not None:
            self.visit.used_voice = True
        choice_text = self.texts.choice(question.id, choice)
        chosen = self.texts.text("ui.speech.chosen", choice=choice_text)
        guided = self.guide.on
        if guided:
            self._said_before_next = chosen  # read out with the next screen
        self.answer(choice)
        if not guided:
            self.guide.say(chosen, asked=True)  # the visitor is talking: say what was heard

    # -- "Did you say …?": a likely answer, confirmed by voice or touch -------------

    def _ask_confirmation(self, candidate: str) -> None:
        question = self._current_question()
        if question is None:
            return
        self._candidate = candidate
        self.question.ask_confirmation(self.texts.choice(question.id, candidate), self.texts)
        box = self.question
        prompt = f"{box.confirm_question.text()}\n{box.confirm_hint.text()}"
        self.guide.say(prompt, asked=True)  # the visitor is talking with the kiosk
        self._listen_for(grammar.confirm_choices(self.texts.language), self._heard_confirmation)

    def _heard_confirmation(self, heard: Heard) -> None:
        self.question.speak.setEnabled(True)
        if self.current_screen() is not self.question or not self.question.confirm_box.isVisible():
            return
        if heard.choice in ("yes", "no"):
            self._confirmed(heard.choice == "yes")
        else:
            self.question.show_listening("")  # Yes and No are still there to touch

    def _confirmed(self, yes: bool) -> None:
        candidate, self._candidate = self._candidate, None
        self._listen_turn += 1  # a touch answers: listening for yes/no is no longer wanted
        self.question.hide_confirmation()
        self.question.speak.setEnabled(True)
        if yes and candidate is not None:
            self._take_spoken(candidate)
        else:
            self.question.show_listening("")
            self.question.notice.show_message(self.texts.text("ui.speech.not_understood"))

    def _not_heard(self, error: Exception) -> None:
        self.question.speak.setEnabled(True)
        self.question.show_listening("")
        if self.current_screen() is self.question:
            self.question.notice.show_message(self._error_text(error))
