"""How a visit ends: printing, the ticket, "take your card", starting over, calling staff.

A mixin of the kiosk window. Printing starts by itself once the card step and
the questions after it are done. Whenever a card is on the reader at the end of
a visit, whatever happened, the done screen holds a large "please take your
card" with a chime and speech until the card is lifted.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer

from kiosk.checkout import Checkout
from kiosk.checkout_progress import CheckoutProgress, Outcome
from kiosk.context import KioskContext
from kiosk.guidance import counter_label, guidance, route_summary
from kiosk.services import Speaker
from kiosk.ui.ask_overlay import AskOverlay
from kiosk.ui.checkout_run import CheckoutRun
from kiosk.ui.screens.busy import BusyScreen
from kiosk.ui.screens.done import DoneScreen
from kiosk.ui.screens.result import ResultScreen
from kiosk.ui.tasks import TaskRunner
from kiosk.ui.visitor_messages import printing_problem
from kiosk.visit import Visit

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from kiosk.chime import Chime
    from kiosk.i18n import Translations

log = logging.getLogger(__name__)

CARD_REMINDER_EVERY_MS = 8_000  # chime and "please take your card" again while it stays
CARD_REMINDERS = 6  # then the banner stays, silent: a card forgotten for good is staff's


class VisitEnd:
    """The window's end of a visit; the window provides the attributes declared here."""

    context: KioskContext
    checkout: Checkout
    checkout_run: CheckoutRun
    runner: TaskRunner
    result: ResultScreen
    busy: BusyScreen
    done: DoneScreen
    texts: Translations

    @property
    def visit(self) -> Visit | None: ...

    speaker: Speaker | None
    chime: Chime | None
    restart_box: AskOverlay
    staff_box: AskOverlay
    _card_reminder: QTimer
    _reminders_left: int

    if TYPE_CHECKING:

        @property
        def card_on_reader(self) -> bool: ...

        def current_screen(self) -> QWidget | None: ...

        def _go(self, screen: QWidget, *, idle: bool = True) -> None: ...

        def _error_text(self, error: Exception) -> str: ...

        def end_visit(self) -> None: ...

        def show_welcome(self) -> None: ...

    def print_visit(self) -> None:
        if self.visit is None:
            return
        self.result.retry.setEnabled(False)
        self._go(self.busy, idle=False)
        self.checkout_run.start(self.checkout, self.visit)

    def _route(self) -> str:
        if self.visit is None:
            return ""
        ctx = self.context
        steps = guidance(ctx.catalog, ctx.settings, self.texts, self.visit.answers)
        return route_summary(
            self.texts, [s for s in steps if s.procedure_id in self.visit.procedures]
        )

    def _printed(self, outcome: Outcome) -> None:
        if self.visit is None:
            return
        ticket = outcome.ticket
        self.visit.ticket = ticket
        self.visit.reference = outcome.reference
        problem = printing_problem(self.texts, outcome.forms_error, outcome.ticket_error)
        self.done.show_outcome(
            self.texts,
            ticket_code=ticket.code,
            counter=counter_label(self.context.settings, self.texts, ticket.counter),
            waiting_ahead=ticket.waiting_ahead,
            saved_to=str(outcome.saved_to or ""),
            problem=problem,
            seconds=self.context.settings.kiosk.done_screen_seconds,
            priority=ticket.priority,
            route=self._route(),
        )
        self._show_done()

    def _not_printed(self, error: Exception) -> None:
        log.warning(
            "visit could not be completed: %s", getattr(error, "code", type(error).__name__)
        )
        self.result.show_failure(self._error_text(error))
        self._go(self.result)

    def _send_to_staff(self, progress: CheckoutProgress) -> None:
        """The busy screen's deadline passed: staff take over; the visit stays as stored."""
        if self.visit is None:
            return
        ticket = self.visit.ticket = progress.ticket
        counter = counter_label(self.context.settings, self.texts, ticket.counter) if ticket else ""
        self.done.show_sent_to_staff(
            self.texts,
            ticket=ticket,
            counter=counter,
            seconds=self.context.settings.kiosk.done_screen_seconds,
        )
        self._show_done()

    def _show_done(self) -> None:
        holding = self.card_on_reader
        if holding:  # before the screen is read aloud: the banner, and no countdown, is heard
            self.done.hold_for_card(self.texts)
        self._go(self.done, idle=False)
        if holding:
            self._start_reminders()

    # -- "please take your card" ----------------------------------------------

    def _start_reminders(self) -> None:
        self._reminders_left = CARD_REMINDERS
        self._remind_of_card()
        self._card_reminder.start(CARD_REMINDER_EVERY_MS)

    def _remind_of_card(self) -> None:
        self._reminders_left -= 1
        if self._reminders_left <= 0:
            self._card_reminder.stop()
        if self.chime is not None:
            self.chime.play()
        if self.speaker is not None:
            self.speaker.say(self.texts.text("ui.done.take_card"), self.texts.language)

    def _card_lifted(self) -> None:
        """Every card has left the reader."""
        self._card_reminder.stop()
        if self.done.holding_for_card:
            self.done.card_taken()

    def _leave_with_card_check(self, ticket_code: str) -> bool:
        """At the end of a visit: hold the reminder if a card is still on the reader
        (True), showing only the ticket number; False when there is no card."""
        if not self.card_on_reader:
            return False
        seconds = self.context.settings.kiosk.done_screen_seconds
        self.done.show_card_reminder(self.texts, ticket_code=ticket_code, seconds=seconds)
        self._go(self.done, idle=False)
        self._start_reminders()
        return True

    # -- a way out and a person, on every screen ------------------------------

    def ask_restart(self) -> None:
        t = self.texts
        self.restart_box.ask(
            t.text("ui.restart.title"),
            t.text("ui.restart.body"),
            t.text("ui.restart.yes"),
            t.text("ui.restart.no"),
        )

    def _restart_answered(self, yes: bool) -> None:
        if yes:
            self.end_visit()

    def call_staff(self) -> None:
        """Raise an alert on the counter app's supervisor page; tell the visitor."""
        screen = self.current_screen()
        name = screen.objectName() if screen is not None else ""
        language = self.texts.language
        checkout = self.checkout
        t = self.texts
        self.staff_box.ask(
            t.text("ui.call_staff.title"), t.text("ui.call_staff.body"), t.text("ui.call_staff.ok")
        )
        self.runner.submit(
            lambda: checkout.call_staff(name, language), _ignore, self._staff_call_failed
        )

    def _staff_call_failed(self, error: Exception) -> None:
        log.warning("staff call could not be raised: %s", type(error).__name__)
        t = self.texts
        self.staff_box.ask(
            t.text("ui.call_staff.failed_title"),
            t.text("ui.call_staff.failed_body"),
            t.text("ui.call_staff.ok"),
        )


def _ignore(_value: object) -> None:
    return None
