"""The kiosk window: the screens in a stack, and the visitor's path between them.

This is the only place that knows the order of the screens. It keeps the
visit (plain-Python core objects), runs every device and database call through
the TaskRunner, and wipes everything when the visitor leaves or goes idle.
"""

from __future__ import annotations

import copy
import logging
import time

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent, QResizeEvent
from PySide6.QtWidgets import QLabel, QMainWindow, QStackedWidget, QWidget

from kiosk.card.monitor import ReaderEvent
from kiosk.checkout import Checkout, CheckoutProgress, Outcome
from kiosk.context import KioskContext
from kiosk.guidance import counter_label, guidance
from kiosk.interview import Interview
from kiosk.person import Person, mask_individual_number
from kiosk.services import CardReader, Listener, ReaderWatchFactory, Speaker
from kiosk.speech.tts import pin_feedback
from kiosk.ui.checkout_run import CheckoutRun
from kiosk.ui.idle import IdleWatcher
from kiosk.ui.idle_overlay import IdleOverlay
from kiosk.ui.listening import Listening
from kiosk.ui.narration import screen_speech
from kiosk.ui.screens.busy import BusyScreen
from kiosk.ui.screens.confirm import ConfirmScreen
from kiosk.ui.screens.done import DoneScreen
from kiosk.ui.screens.identity import IdentityScreen
from kiosk.ui.screens.number import NumberScreen
from kiosk.ui.screens.pin import PIN_LENGTH, PinScreen
from kiosk.ui.screens.question import QuestionScreen
from kiosk.ui.screens.result import ResultScreen
from kiosk.ui.screens.welcome import WelcomeScreen
from kiosk.ui.tasks import TaskRunner
from kiosk.ui.visitor_messages import (
    MIN_PIN_TRIES,
    Coded,
    error_text,
    printing_problem,
    refusal,
    too_few_tries,
)
from kiosk.ui.voice_guide import VoiceGuide
from kiosk.ui.widgets import ScreenFrame
from kiosk.visit import Visit

log = logging.getLogger(__name__)

READER_SETTLE_S = 1.5  # "no reader" only once the monitor has had time to report one


class KioskWindow(Listening, QMainWindow):
    def __init__(
        self,
        context: KioskContext,
        card: CardReader,
        checkout: Checkout,
        runner: TaskRunner | None = None,
        watch_readers: ReaderWatchFactory | None = None,
        speaker: Speaker | None = None,
        listener: Listener | None = None,
    ) -> None:
        super().__init__()
        self.setWindowTitle("Ward kiosk")
        self.context = context
        self.card = card
        self.checkout = checkout
        self.runner = runner or TaskRunner(self)
        self.visit: Visit | None = None
        self.interview: Interview | None = None
        self.texts = context.texts_for(context.languages[0])
        self.speaker = speaker
        self.listener = listener
        self.guide = VoiceGuide(speaker, lambda: self.texts, self)
        self._idle_wanted = False  # the screen shown runs the idle countdown (when not speaking)
        self._said_before_next = ""  # e.g. "You chose: …", read out with the next screen
        self._candidate: str | None = None  # the answer "Did you say …?" asks about
        self._listen_turn = 0  # a new turn on every screen: older listening stops and is ignored
        self._close_locked = False  # see lock_close()
        self._build_screens()
        self._build_timers()
        self._connect()
        self.show_welcome()
        self._reader_events = _ReaderEvents(self)
        self._reader_events.arrived.connect(self._on_reader_event)
        self.monitor = watch_readers(self._reader_events.arrived.emit) if watch_readers else None
        self._watching_since = time.monotonic()
        if self.monitor is not None:
            self.monitor.start()

    # -- construction -------------------------------------------------------

    def _build_screens(self) -> None:
        self.stack = QStackedWidget()
        names = {code: t.name for code, t in self.context.texts.items()}
        self.welcome = WelcomeScreen(names)
        self.identity = IdentityScreen()
        self.pin = PinScreen()
        self.confirm = ConfirmScreen()
        self.question = QuestionScreen()
        self.result = ResultScreen()
        self.number = NumberScreen()
        self.busy = BusyScreen()
        self.done = DoneScreen()
        for screen in self.screens:
            self.stack.addWidget(screen)
        self.setCentralWidget(self.stack)
        self.overlay = IdleOverlay(self)

    @property
    def screens(self) -> list[ScreenFrame]:
        return [
            self.welcome,
            self.identity,
            self.pin,
            self.confirm,
            self.question,
            self.result,
            self.number,
            self.busy,
            self.done,
        ]

    def _build_timers(self) -> None:
        kiosk = self.context.settings.kiosk
        self.idle = IdleWatcher(kiosk.idle_timeout_seconds * 1000, self)
        self._cards: dict[str, bool] = {}  # reader name -> holds a card, from the monitor
        self._checking = False  # a tries-left check of a new card is under way
        self._reading = False  # the card is being read with a PIN
        self._await_removal = False
        self._error_shown = ""
        self._pin_for_number = False  # the keypad asks for the PIN that reads the number
        self._number_declined = False
        self.checkout_run = CheckoutRun(self.runner, self.context.settings, self)

    def _connect(self) -> None:
        self.welcome.language_chosen.connect(self.choose_language)
        self.welcome.start_requested.connect(self.start_visit)
        self.identity.back_requested.connect(self.end_visit)
        self.identity.no_card_chosen.connect(self.continue_without_card)
        self.pin.submitted.connect(self._pin_entered)
        self.pin.back_requested.connect(self._pin_back)
        self.pin.no_card_chosen.connect(self.continue_without_card)
        self.confirm.confirmed.connect(self.show_question)
        self.confirm.back_requested.connect(self._forget_card)
        self.question.answered.connect(self.answer)
        self.question.back_requested.connect(self.question_back)
        self.question.speak_requested.connect(self.listen)
        self.question.confirmed.connect(self._confirmed)
        self.result.back_requested.connect(self.question_back)
        self.result.print_requested.connect(self.print_visit)
        self.number.back_requested.connect(lambda: self._go(self.result))
        self.number.skip_requested.connect(self._skip_number)
        self.number.read_requested.connect(self._ask_number_pin)
        self.done.finished.connect(self.end_visit)
        self.checkout_run.printed.connect(self._printed)
        self.checkout_run.failed.connect(self._not_printed)
        self.checkout_run.overdue.connect(self._send_to_staff)
        self.idle.idle.connect(self._ask_for_more_time)
        self._connect_speech()
        self.overlay.extended.connect(self._arm_idle)
        self.overlay.expired.connect(self.end_visit)

    # -- reading aloud ------------------------------------------------------

    def _connect_speech(self) -> None:
        guide = self.guide
        guide.busy_changed.connect(self._speech_busy)
        guide.started.connect(self._guide_started)
        self.welcome.voice_guide.setVisible(guide.available)
        self.welcome.voice_guide.clicked.connect(guide.start)
        if self.speaker is None:
            return
        self.idle.activity.connect(self.speaker.stop)  # any touch stops speech
        guide.attach(self.screens, self.read_aloud)
        self.pin.digit_count_changed.connect(self._say_digit_count)
        for screen in self.screens:
            screen.notice.shown.connect(guide.say)
        if not self.context.settings.speech.headphones:
            self.confirm.read_details.show()
            self.confirm.details_requested.connect(
                lambda: guide.say(self.confirm.details_speech(), asked=True)
            )

    def read_aloud(self) -> None:
        """Read the current screen (or the idle question over it) from the top."""
        if self.overlay.isVisible():
            self.guide.say(f"{self.overlay.title.text()}\n{self.overlay.body.text()}")
        else:
            current = self.stack.currentWidget()
            if current is not None:
                prefix, self._said_before_next = self._said_before_next, ""
                personal = self.context.settings.speech.headphones
                text = screen_speech(current, personal=personal)
                self.guide.say("\n".join(filter(None, (prefix, text))))

    def _guide_started(self) -> None:
        if self.current_screen() is self.welcome:
            intro = self.texts.text("voice.guide_started")
            self.guide.say(f"{intro}\n{screen_speech(self.welcome)}")

    def _speech_busy(self, busy: bool) -> None:
        """The idle countdown waits while the kiosk is reading to the visitor."""
        if busy:
            self.idle.disarm()
        else:
            self._arm_idle()

    def _arm_idle(self) -> None:
        if self._idle_wanted and not self.guide.busy and not self.overlay.isVisible():
            self.idle.arm()
        elif not self._idle_wanted:
            self.idle.disarm()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # A keypad for visitors who cannot see the screen: any key asks for the voice.
        if self.current_screen() is self.welcome and not self.guide.on:
            self.guide.start()
        super().keyPressEvent(event)

    def _say_digit_count(self, count: int, deleted: bool) -> None:
        # Never the digit itself: only how many have been typed.
        self.guide.say(pin_feedback(count, PIN_LENGTH, self.texts, deleted=deleted))

    # -- screens ------------------------------------------------------------

    def current_screen(self) -> QWidget | None:
        return self.stack.currentWidget()

    def _go(self, screen: QWidget, *, idle: bool = True) -> None:
        self._listen_turn += 1
        self.stack.setCurrentWidget(screen)
        self._idle_wanted = idle
        self._arm_idle()
        if self.guide.on:
            self.read_aloud()

    def show_welcome(self) -> None:
        self.choose_language(self.context.languages[0])
        self._go(self.welcome, idle=False)

    def choose_language(self, code: str) -> None:
        self.texts = self.context.texts_for(code)
        self.welcome.retranslate(self.texts, self._ward_name())
        self.guide.relabel()
        if self.guide.on and self.current_screen() is self.welcome:
            self.read_aloud()

    def _ward_name(self) -> str:
        return self.context.settings.ward.name_in(self.texts.language)

    def start_visit(self) -> None:
        self.visit = Visit(language=self.texts.language)
        self.interview = Interview(self.context.catalog.tree)
        for screen in (self.identity, self.pin, self.confirm, self.busy):
            screen.retranslate(self.texts)
        self.show_identity()

    def show_identity(self, *, await_removal: bool = False, error: Exception | None = None) -> None:
        self.pin.clear()
        self.identity.show_waiting()
        self._error_shown = getattr(error, "code", "unexpected") if error else ""
        if error is None:
            self.identity.notice.clear_message()
        else:
            self.identity.notice.show_message(self._error_text(error))
        self._await_removal = await_removal
        self._go(self.identity)
        self._identity_update()

    def continue_without_card(self) -> None:
        if self.visit is not None:
            self.visit.forget_card()
        self.show_question()

    def _forget_card(self) -> None:
        if self.visit is not None:
            self.visit.forget_card()
        self.confirm.wipe()
        self.show_identity(await_removal=True)

    def show_question(self) -> None:
        if self.interview is None:
            return
        question = self.interview.current
        if question is None:
            self.show_result()
            return
        interview = self.interview
        self.question.show_question(question, interview.step, interview.total, self.texts)
        can_listen = self.listener is not None and self.listener.available(self.texts.language)
        self.question.set_speakable(can_listen)  # listening on the last screen was dropped
        self._go(self.question)
        if can_listen and self.context.settings.speech.listen_on_every_screen:
            self.listen()

    def answer(self, choice: str) -> None:
        if self.interview is None or self.visit is None:
            return
        self.interview.answer(choice)
        self.visit.answers = self.interview.answers
        self.show_question()

    def question_back(self) -> None:
        if self.interview is None or self.visit is None:
            return
        if self.interview.back():
            self.visit.answers = self.interview.answers
            self.show_question()
        elif self.visit.used_card and self.visit.person is not None:
            self._go(self.confirm)
        else:
            self.show_identity(await_removal=True)

    def show_result(self) -> None:
        if self.visit is None:
            return
        ctx = self.context
        steps = guidance(ctx.catalog, ctx.settings, self.texts, self.visit.answers)
        self.visit.procedures = [step.procedure_id for step in steps]
        self.result.show_steps(steps, self.texts)
        self._go(self.result)

    # -- the card -----------------------------------------------------------

    def _on_reader_event(self, event: ReaderEvent) -> None:
        """The monitor saw a reader or a card come or go (delivered on the GUI thread)."""
        if event.kind == "reader_removed":
            self._cards.pop(event.reader, None)
        else:
            self._cards[event.reader] = event.card_present
        gone = event.kind in ("card_removed", "reader_removed")
        screen = self.current_screen()
        if screen is self.identity:
            self._identity_update()
        elif screen is self.pin and gone and not self._reading:
            self._card_left_during_pin()

    def _identity_update(self) -> None:
        """Act on the reader's state: say there is no reader, or check a new card."""
        if not self._cards:
            settling = READER_SETTLE_S - (time.monotonic() - self._watching_since)
            if settling > 0:  # the monitor's first report may still be on its way
                QTimer.singleShot(int(settling * 1000) + 1, self, self._recheck_identity)
            else:
                self._show_identity_error(Coded("no_reader"))
            return
        if self._error_shown == "no_reader":
            self._error_shown = ""
            self.identity.notice.clear_message()
        if not any(self._cards.values()):
            self._await_removal = False  # the card was lifted: the next one is checked
            return
        if self._await_removal or self._checking:
            return
        self._checking = True
        self.identity.show_checking()
        self.runner.submit(self.card.tries_left, self._tries_known, self._check_failed)

    def _recheck_identity(self) -> None:
        if self.current_screen() is self.identity:
            self._identity_update()

    def _card_left_during_pin(self) -> None:
        if self._pin_for_number:
            self._back_to_number_offer()
            self.number.show_error(self._error_text(Coded("card_removed")))
        else:
            self.show_identity(error=Coded("card_removed"))

    def _check_failed(self, error: Exception) -> None:
        self._checking = False
        self._show_identity_error(error)

    def _tries_known(self, tries: int) -> None:
        self._checking = False
        if self.current_screen() is not self.identity:
            return
        if tries < MIN_PIN_TRIES:
            self._show_identity_error(too_few_tries(tries))
            return
        self.pin.retranslate(self.texts)
        self.pin.start(tries)
        self._go(self.pin)

    def _show_identity_error(self, error: Exception) -> None:
        """Say what went wrong; wait for the card to be lifted before trying again."""
        self._error_shown = getattr(error, "code", "unexpected")
        self.identity.show_waiting()
        self.identity.notice.show_message(self._error_text(error))
        self._await_removal = self._error_shown != "no_reader"
        if self.current_screen() is not self.identity:
            self._go(self.identity)

    def _pin_entered(self, pin: str) -> None:
        if self._pin_for_number:
            self._read_number(pin)
        else:
            self._read_card(pin)

    def _pin_back(self) -> None:
        if self._pin_for_number:
            self._back_to_number_offer()
        else:
            self.show_identity(await_removal=True)

    def _read_card(self, pin: str) -> None:
        card = self.card
        self._reading = True
        self.runner.submit(lambda: card.read_basic_info(pin), self._card_read, self._pin_failed)

    def _card_read(self, person: Person) -> None:
        self._reading = False
        if self.visit is None:
            return
        self.visit.person = person
        self.visit.used_card = True
        self.confirm.show_person(person, self.texts)
        self._go(self.confirm)

    def _pin_failed(self, error: Exception) -> None:
        self._reading = False
        refused = refusal(error)
        if refused is None and getattr(error, "code", "") == "wrong_pin":
            self._ask_pin_again(error)
        elif refused is not None:
            self.pin.refuse(self._error_text(refused))
        else:
            code = getattr(error, "code", "")
            if code == "card_removed":  # known now; the reader monitor may report it later
                self._cards = dict.fromkeys(self._cards, False)
            self.show_identity(await_removal=code != "card_removed", error=error)

    def _ask_pin_again(self, error: Exception) -> None:
        """A wrong PIN with tries to spare: the keypad again, with the tries the card reports."""
        self.pin.start(getattr(error, "tries_left", MIN_PIN_TRIES))
        self.pin.notice.show_message(self._error_text(error))

    # -- the My Number, only for procedures that need it ----------------------

    def _number_wanted(self) -> list[str]:
        """Names of the procedures that need the number, when it may be read now."""
        visit = self.visit
        if visit is None or not visit.used_card or visit.individual_number or self._number_declined:
            return []
        needing = self.context.catalog.needing_individual_number(visit.procedures)
        return [self.texts.procedure(p.id) for p in needing]

    def _skip_number(self) -> None:
        self._number_declined = True
        self.print_visit()

    def _ask_number_pin(self) -> None:
        self.number.read.setEnabled(False)
        self.runner.submit(self.card.tries_left, self._number_tries_known, self._number_failed)

    def _number_tries_known(self, tries: int) -> None:
        if tries < MIN_PIN_TRIES:
            self.number.refuse(self._error_text(too_few_tries(tries)))
            return
        self._pin_for_number = True
        self.pin.retranslate(self.texts)
        self.pin.set_purpose_title(self.texts.text("ui.number.pin_title"))
        self.pin.start(tries)
        self._go(self.pin)

    def _read_number(self, pin: str) -> None:
        visit, card, checkout = self.visit, self.card, self.checkout
        if visit is None:
            return
        self._reading = True
        self.runner.submit(
            lambda: checkout.read_individual_number(card, pin, visit),
            self._number_read,
            self._number_failed,
        )

    def _number_read(self, number: str) -> None:
        self._reading = False
        if self.visit is None:
            return
        self.visit.individual_number = number
        self._pin_for_number = False
        masked = mask_individual_number(number)
        self.result.show_info(self.texts.text("ui.number.read_done", masked=masked))
        self._go(self.result)

    def _back_to_number_offer(self) -> None:
        """Leave the PIN pad that reads the number, for the screen that offered it."""
        self._pin_for_number = False
        self.pin.clear()
        self._go(self.number)

    def _number_failed(self, error: Exception) -> None:
        self._reading = False
        refused = refusal(error)
        if refused is None and getattr(error, "code", "") == "wrong_pin":
            self._ask_pin_again(error)
            return
        self._back_to_number_offer()
        if refused is not None:
            self.number.refuse(self._error_text(refused))
        else:
            self.number.read.setEnabled(True)
            self.number.show_error(self._error_text(error))

    # -- printing and the end of the visit ----------------------------------

    def print_visit(self) -> None:
        if self.visit is None:
            return
        wanted = self._number_wanted()
        if wanted:
            self.number.offer(self.texts, wanted)
            self._go(self.number)
            return
        self.result.print.setEnabled(False)
        self._go(self.busy, idle=False)
        self.checkout_run.start(self.checkout, self.visit)

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
            used_card=self.visit.used_card,
            saved_to=str(outcome.saved_to or ""),
            problem=problem,
            seconds=self.context.settings.kiosk.done_screen_seconds,
            priority=ticket.priority,
        )
        self._go(self.done, idle=False)

    def _not_printed(self, error: Exception) -> None:
        log.warning(
            "visit could not be completed: %s", getattr(error, "code", type(error).__name__)
        )
        self.result.print.setEnabled(True)
        self.result.print.setText(self.texts.text("ui.common.retry"))
        self.result.notice.show_message(self._error_text(error))
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
            used_card=self.visit.used_card,
            seconds=self.context.settings.kiosk.done_screen_seconds,
        )
        self._go(self.done, idle=False)

    def _ask_for_more_time(self) -> None:
        if self.visit is None:
            return
        self.overlay.start(self.texts, self.context.settings.kiosk.idle_warning_seconds)
        self.read_aloud()

    def end_visit(self) -> None:
        """The visitor has gone: forget everything and show the welcome screen."""
        self.runner.cancel_all()
        self._checking = False
        self._reading = False
        self._pin_for_number = False
        self._number_declined = False
        self.overlay.stop()
        visit = self.visit
        kept = self.checkout_run.handed_to_staff  # stored as it was: staff take it over
        self.checkout_run.reset()
        if visit is not None and visit.ticket is None and visit.answers and not kept:
            record = copy.copy(visit)
            record.forget_card()
            record.answers = dict(visit.answers)
            record.procedures = list(visit.procedures)
            self.runner.submit(lambda: self.checkout.abandon(record), _ignore, _log_failure)
        if visit is not None:
            visit.wipe()
        self.visit = None
        self.interview = None
        self.pin.clear()
        self.confirm.wipe()
        self.result.wipe()
        self.done.wipe()
        self.identity.notice.clear_message()
        self.guide.reset()  # the next visitor starts in silence, at the default volume
        self.show_welcome()

    def _error_text(self, error: Exception) -> str:
        return error_text(self.texts, error)

    # -- Qt events ----------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.overlay.setGeometry(self.rect())

    def lock_close(self) -> None:
        """Ignore close requests (Alt+F4, the compositor's) until ``allow_close``: a
        kiosk visitors use ends only when staff stop its service (SIGTERM)."""
        self._close_locked = True

    def allow_close(self) -> None:
        self._close_locked = False

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._close_locked:
            log.info("close request ignored: stop the service to end the kiosk")
            event.ignore()
            return
        self.end_visit()
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Stop timers, the reader monitor and the workers: no thread outlives the window."""
        if self.monitor is not None:
            self.monitor.stop()
            self.monitor = None
        self.idle.shutdown()
        self.checkout_run.reset()
        self.done.wipe()
        self.overlay.stop()
        self.runner.cancel_all()
        self.runner.wait()

    def visible_texts(self) -> list[str]:
        """Every text any label in the window holds (for the wipe checks)."""
        return [w.text() for w in self.findChildren(QLabel) if w.text()]


class _ReaderEvents(QObject):
    """Carries monitor events from its thread to the GUI thread (a queued signal)."""

    arrived = Signal(object)


def _ignore(_value: object) -> None:
    return None


def _log_failure(error: Exception) -> None:
    log.warning("could not record an abandoned visit: %s", type(error).__name__)
