"""The kiosk window: the screens in a stack, and the visitor's path between them.

The order of a visit: language, the questions, the result (procedures, what to
bring, the route), the card step (one PIN reads everything the visit needs; see
card_steps), the questions the card does not answer, then printing by itself and
the ticket (visit_end). The window keeps the visit (plain-Python core objects),
runs every device and database call through the TaskRunner, and wipes everything
when the visitor leaves, starts over or goes idle.
"""

from __future__ import annotations

import copy
import logging
import time

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent, QResizeEvent
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QStackedWidget, QWidget

from kiosk.checkout import Checkout
from kiosk.chime import Chime
from kiosk.context import KioskContext
from kiosk.interview import Interview
from kiosk.journey import (
    Journey,
)
from kiosk.services import CardReader, Listener, ReaderWatchFactory, Speaker
from kiosk.ui.ask_overlay import AskOverlay
from kiosk.ui.card_steps import CardSteps
from kiosk.ui.checkout_run import CheckoutRun
from kiosk.ui.fonts import apply_language_font
from kiosk.ui.idle import IdleWatcher
from kiosk.ui.idle_overlay import IdleOverlay
from kiosk.ui.journey_screens import JourneyScreens
from kiosk.ui.listening import Listening
from kiosk.ui.prepared_steps import PreparedSteps
from kiosk.ui.reading_aloud import ReadingAloud
from kiosk.ui.scan_keys import ScanKeys
from kiosk.ui.screens.busy import BusyScreen
from kiosk.ui.screens.confirm import ConfirmScreen
from kiosk.ui.screens.done import DoneScreen
from kiosk.ui.screens.identity import IdentityScreen
from kiosk.ui.screens.pin import PinScreen
from kiosk.ui.screens.prepared import PreparedScreen
from kiosk.ui.screens.question import QuestionScreen
from kiosk.ui.screens.result import ResultScreen
from kiosk.ui.screens.welcome import WelcomeScreen
from kiosk.ui.tasks import TaskRunner
from kiosk.ui.view_modes import ViewModes
from kiosk.ui.visit_end import VisitEnd
from kiosk.ui.visitor_messages import error_text
from kiosk.ui.voice_guide import VoiceGuide
from kiosk.ui.widgets import ScreenFrame
from kiosk.visit import Visit

log = logging.getLogger(__name__)


class KioskWindow(
    Listening, ReadingAloud, JourneyScreens, CardSteps, PreparedSteps, VisitEnd, QMainWindow
):
    def __init__(
        self,
        context: KioskContext,
        card: CardReader,
        checkout: Checkout,
        runner: TaskRunner | None = None,
        watch_readers: ReaderWatchFactory | None = None,
        speaker: Speaker | None = None,
        listener: Listener | None = None,
        chime: Chime | None = None,
    ) -> None:
        super().__init__()
        self.setWindowTitle("Ward kiosk")
        self.context = context
        self.card = card
        self.checkout = checkout
        self.runner = runner or TaskRunner(self)
        self.journey: Journey | None = None
        self.texts = context.texts_for(context.languages[0])
        self.speaker = speaker
        self.listener = listener
        self.chime = chime
        self.guide = VoiceGuide(speaker, lambda: self.texts, self)
        self._idle_wanted = False  # the screen shown runs the idle countdown (when not speaking)
        self._said_before_next = ""  # e.g. "You chose: …", read out with the next screen
        self._candidate: str | None = None  # the answer "Did you say …?" asks about
        self._listen_turn = 0  # a new turn on every screen: older listening stops and is ignored
        self._close_locked = False  # see lock_close()
        self._loading_code = ""  # a pre-entry being loaded
        self.scan_keys = ScanKeys(self)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.scan_keys)
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
        self.busy = BusyScreen()
        self.done = DoneScreen()
        self.prepared = PreparedScreen()
        for screen in self.screens:
            self.stack.addWidget(screen)
        self.setCentralWidget(self.stack)
        self.overlay = IdleOverlay(self)
        self.view_modes = ViewModes(self, self.screens, lambda: self.texts)
        self.restart_box = AskOverlay(self, "restart")
        self.staff_box = AskOverlay(self, "staff")

    @property
    def screens(self) -> list[ScreenFrame]:
        return [
            self.welcome,
            self.identity,
            self.pin,
            self.confirm,
            self.question,
            self.result,
            self.busy,
            self.done,
            self.prepared,
        ]

    def _build_timers(self) -> None:
        kiosk = self.context.settings.kiosk
        self.idle = IdleWatcher(kiosk.idle_timeout_seconds * 1000, self)
        self._cards: dict[str, bool] = {}  # reader name -> holds a card, from the monitor
        self._checking = False  # a tries-left check of a new card is under way
        self._reading = False  # the card is being read with a PIN
        self._await_removal = False
        self._error_shown = ""
        self._stale_card = False
        self._reminders_left = 0
        self._card_reminder = QTimer(self)
        self._card_reminder.timeout.connect(self._remind_of_card)
        self.checkout_run = CheckoutRun(self.runner, self.context.settings, self)

    def _connect(self) -> None:
        self.welcome.language_chosen.connect(self.choose_language)
        self.welcome.start_requested.connect(self.start_visit)
        self.welcome.prepared_requested.connect(self.show_prepared)
        self.prepared.code_entered.connect(self.load_prepared)
        self.prepared.back_requested.connect(self.end_visit)  # a visit scanned over ends too
        self.scan_keys.scanned.connect(self._scanned)
        self.question.answered.connect(self.answer)
        self.question.back_requested.connect(self.question_back)
        self.question.speak_requested.connect(self.listen)
        self.question.confirmed.connect(self._confirmed)
        self.result.back_requested.connect(self.question_back)
        self.result.card_chosen.connect(lambda number: self.go_to_card(with_number=number))
        self.result.no_card_chosen.connect(self.continue_without_card)
        self.result.retry_requested.connect(self.print_visit)
        self.identity.back_requested.connect(self.show_result)
        self.identity.no_card_chosen.connect(self.continue_without_card)
        self.identity.own_card_confirmed.connect(self._own_card)
        self.identity.not_own_card.connect(self._not_own_card)
        self.pin.submitted.connect(self._read_card)
        self.pin.back_requested.connect(lambda: self.show_identity(await_removal=True))
        self.pin.no_card_chosen.connect(self.continue_without_card)
        self.confirm.confirmed.connect(self._details_confirmed)
        self.confirm.something_wrong.connect(lambda: self._details_confirmed(something_wrong=True))
        self.confirm.back_requested.connect(self._forget_card)
        self.done.finished.connect(self.end_visit)
        self.checkout_run.printed.connect(self._printed)
        self.checkout_run.failed.connect(self._not_printed)
        self.checkout_run.overdue.connect(self._send_to_staff)
        self.idle.idle.connect(self._ask_for_more_time)
        self._connect_speech()
        self.overlay.extended.connect(self._arm_idle)
        self.overlay.expired.connect(self.end_visit)
        self.restart_box.answered.connect(self._restart_answered)
        self.view_modes.changed.connect(self._look_changed)
        for screen in self.screens:
            screen.restart_button.clicked.connect(self.ask_restart)
            screen.call_staff_button.clicked.connect(self.call_staff)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # A keypad for visitors who cannot see the screen: any key asks for the voice.
        if self.current_screen() is self.welcome and not self.guide.on:
            self.guide.start()
        super().keyPressEvent(event)

    # -- screens ------------------------------------------------------------

    def current_screen(self) -> QWidget | None:
        return self.stack.currentWidget()

    def _go(self, screen: QWidget, *, idle: bool = True) -> None:
        self._listen_turn += 1
        self.stack.setCurrentWidget(screen)
        self.view_modes.apply(screen)
        if screen is self.welcome:
            self.welcome.restart_button.hide()  # nothing to start over from yet
        self._idle_wanted = idle
        self._arm_idle()
        if self.guide.on:
            self.read_aloud()

    def show_welcome(self) -> None:
        self.choose_language(self.context.languages[0])
        self._go(self.welcome, idle=False)

    def choose_language(self, code: str) -> None:
        self.texts = self.context.texts_for(code)
        # The visitor's script: Chinese glyph forms for Chinese, Devanagari for Nepali.
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_language_font(app, code)
        self.welcome.retranslate(self.texts, self._ward_name())
        self.view_modes.apply(self.welcome)
        self.welcome.restart_button.hide()  # nothing to start over from yet
        self.guide.relabel()
        if self.guide.on and self.current_screen() is self.welcome:
            self.read_aloud()

    def _ward_name(self) -> str:
        return self.context.settings.ward.name_in(self.texts.language)

    def start_visit(self) -> None:
        self.follow(self._start_journey().start())

    def _start_journey(self) -> Journey:
        """A new visit in the language chosen (a visit in progress is forgotten)."""
        if self.journey is not None:
            self.journey.wipe()
        ctx = self.context
        self.journey = Journey(ctx.catalog, ctx.settings, self.texts)
        for screen in (self.identity, self.pin, self.confirm, self.busy):
            screen.retranslate(self.texts)
        return self.journey

    @property
    def visit(self) -> Visit | None:
        return self.journey.visit if self.journey is not None else None

    @property
    def interview(self) -> Interview | None:
        return self.journey.interview if self.journey is not None else None

    def _ask_for_more_time(self) -> None:
        if self.visit is None:
            return
        self.overlay.start(self.texts, self.context.settings.kiosk.idle_warning_seconds)
        self.read_aloud()

    def end_visit(self) -> None:
        """The visitor has gone: forget everything; hold "please take your card" while
        a card is on the reader, then the welcome screen."""
        self.runner.cancel_all()
        self._checking = False
        self._reading = False
        self._card_reminder.stop()
        self.overlay.stop()
        self.restart_box.hide()
        self.staff_box.hide()
        visit = self.visit
        kept = self.checkout_run.handed_to_staff  # stored as it was: staff take it over
        self.checkout_run.reset()
        if visit is not None and visit.ticket is None and visit.answers and not kept:
            record = copy.copy(visit)
            record.forget_card()
            record.answers = dict(visit.answers)
            record.procedures = list(visit.procedures)
            self.runner.submit(lambda: self.checkout.abandon(record), _ignore, _log_failure)
        ticket_code = visit.ticket.code if visit is not None and visit.ticket else ""
        if self.journey is not None:
            self.journey.wipe()
        self.journey = None
        self.pin.clear()
        self.prepared.clear()
        self.confirm.wipe()
        self.result.wipe()
        self.done.wipe()
        self.identity.notice.clear_message()
        self.guide.reset()  # the next visitor starts in silence, at the default volume
        self.view_modes.reset()  # and with the normal look
        if self.card_on_reader:
            self._stale_card = True  # the next visit asks whose card it is
            if visit is not None:  # touching 終わる on the reminder itself goes on
                self._leave_with_card_check(ticket_code)
                return
        self.show_welcome()

    def _look_changed(self) -> None:
        """Larger or smaller text: the result's pages are cut again, from the first."""
        if self.current_screen() is self.result:
            self.result.repaginate()
            self.view_modes.apply(self.result)

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
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self.scan_keys)
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
