"""A visit prepared at home (スマート申請): the code, scanned or typed, loads its answers.

A mixin of the kiosk window. "自宅で準備した方" on the welcome screen opens the code
screen; a scanner that types (keyboard wedge) is heard on any screen before printing.
The answers from home are given to a new journey in the order given, and the visitor
sees the result, places the card and types the PIN once as in any visit; the forms
carry what was typed at home.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from kiosk.checkout import Checkout
from kiosk.context import KioskContext
from kiosk.journey import Event, Journey
from kiosk.pre_entry import PreEntry, code_from_scan
from kiosk.ui.screens.prepared import PreparedScreen
from kiosk.ui.tasks import TaskRunner
from kiosk.ui.visitor_messages import Coded

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from kiosk.i18n import Translations
    from kiosk.ui.screens.question import QuestionScreen
    from kiosk.ui.screens.result import ResultScreen
    from kiosk.ui.screens.welcome import WelcomeScreen

log = logging.getLogger(__name__)


class PreparedSteps:
    """The window's pre-entry steps; the window provides the attributes declared here."""

    context: KioskContext
    checkout: Checkout
    runner: TaskRunner
    prepared: PreparedScreen
    welcome: WelcomeScreen
    question: QuestionScreen
    result: ResultScreen
    texts: Translations
    journey: Journey | None
    _loading_code: str

    if TYPE_CHECKING:

        def current_screen(self) -> QWidget | None: ...

        def _go(self, screen: QWidget, *, idle: bool = True) -> None: ...

        def _error_text(self, error: Exception) -> str: ...

        def follow(self, event: Event | None) -> None: ...

        def choose_language(self, code: str) -> None: ...

        def _start_journey(self) -> Journey: ...

        def show_welcome(self) -> None: ...

    def show_prepared(self) -> None:
        """The code screen, in the language chosen so far."""
        self.prepared.retranslate(self.texts)
        self._go(self.prepared)

    def _scanned(self, text: str) -> None:
        """A scanner typed a QR code: a pre-entry's loads on the welcome and code screens,
        and instead of the answers so far on the questions and the result; once the card
        step has begun (a card may be being read) the scan is ignored."""
        code = code_from_scan(text)
        before_card = (self.welcome, self.prepared, self.question, self.result)
        if code is None or self.current_screen() not in before_card:
            return
        if self.current_screen() is not self.prepared:
            self.show_prepared()
        self.load_prepared(code)

    def load_prepared(self, code: str) -> None:
        if self._loading_code:
            return
        self._loading_code = code
        self.prepared.show_loading()
        checkout = self.checkout
        self.runner.submit(
            lambda: checkout.load_pre_entry(code), self._prepared_loaded, self._prepared_failed
        )

    def _prepared_loaded(self, entry: PreEntry) -> None:
        code, self._loading_code = self._loading_code, ""
        if self.current_screen() is not self.prepared:
            return  # the visitor went back or left while it loaded
        if entry.language in self.context.texts:
            self.choose_language(entry.language)
        journey = self._start_journey()
        journey.visit.pre_entry = code
        journey.visit.home = entry.details  # before the result: deadlines count from it
        try:
            event = journey.replay(entry.history)
        except ValueError:
            log.warning("a pre-entry's answers no longer fit the questions")
            journey.wipe()
            self._prepared_failed(Coded("pre_entry_outdated"))
            return
        self.follow(event)

    def _prepared_failed(self, error: Exception) -> None:
        self._loading_code = ""
        log.info("pre-entry not loaded: %s", getattr(error, "code", type(error).__name__))
        if self.current_screen() is self.prepared:
            self.prepared.show_error(self._error_text(error))
