"""The screens of the visitor's journey (kiosk.journey): each event drawn on its screen.

A mixin of the kiosk window: the journey decides what comes next, this shows it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.context import KioskContext
from kiosk.journey import (
    CardWanted,
    DetailsShown,
    Event,
    Journey,
    QuestionShown,
    ReadyToPrint,
    ResultShown,
)
from kiosk.services import Listener
from kiosk.ui.screens.question import QuestionScreen
from kiosk.ui.screens.result import ResultScreen

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from kiosk.i18n import Translations


class JourneyScreens:
    """The window's drawing of journey events; the window provides what is declared here."""

    context: KioskContext
    journey: Journey | None
    question: QuestionScreen
    result: ResultScreen
    texts: Translations
    listener: Listener | None

    if TYPE_CHECKING:

        def current_screen(self) -> QWidget | None: ...

        def _go(self, screen: QWidget, *, idle: bool = True) -> None: ...

        def show_identity(
            self, *, await_removal: bool = False, error: Exception | None = None
        ) -> None: ...

        def _show_details(self, event: DetailsShown) -> None: ...

        def print_visit(self) -> None: ...

        def listen(self) -> None: ...

        def ask_restart(self) -> None: ...

    def follow(self, event: Event | None) -> None:
        """Draw what the journey says comes next."""
        if isinstance(event, QuestionShown):
            self._show_question(event)
        elif isinstance(event, ResultShown):
            self._show_result(event)
        elif isinstance(event, CardWanted):
            self.show_identity()
        elif isinstance(event, DetailsShown):
            self._show_details(event)
        elif isinstance(event, ReadyToPrint):
            self.print_visit()

    def _show_question(self, event: QuestionShown) -> None:
        self.question.show_question(event.question, event.step, event.total, self.texts)
        can_listen = self.listener is not None and self.listener.available(self.texts.language)
        self.question.set_speakable(can_listen)  # listening on the last screen was dropped
        self._go(self.question)
        if can_listen and self.context.settings.speech.listen_on_every_screen:
            self.listen()

    def answer(self, choice: str) -> None:
        if self.journey is not None:
            self.follow(self.journey.answer(choice))

    def question_back(self) -> None:
        journey = self.journey
        if journey is None:
            return
        if self.current_screen() is self.result:
            journey.interview.reopen_card_step()
        event = journey.back()
        if event is None:
            self.ask_restart()  # back from the first question: start over, if the visitor agrees
        else:
            self.follow(event)

    def show_result(self) -> None:
        if self.journey is not None:
            self.follow(self.journey.show_result())

    def _show_result(self, event: ResultShown) -> None:
        self.result.show_steps(
            event.steps,
            self.texts,
            number_needed_by=event.number_needed_by,
            warnings=event.warnings,
        )
        self._go(self.result)
