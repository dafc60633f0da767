"""The counter app's window: sign-in, the counter, the desk, and the supervisor's page.

Signing out (by hand, after ``idle_seconds`` without input, when the session reaches its
maximum length, or when the database says the account may no longer act) wipes every
visitor value from the widgets and drops the results of work still running.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.counter import CounterDesk
from kiosk.i18n import Translations
from kiosk.queue import QueueEvents
from kiosk.staff import SecondFactorRequired, Session, StaffAccounts, WrongCode
from kiosk.staff_signin import CHALLENGE_TIME
from kiosk.storage import QueueEvent
from kiosk.ui.counter.desk import DeskPage
from kiosk.ui.counter.messages import message_for
from kiosk.ui.counter.signin import CodePage, CounterPickPage, SignInPage
from kiosk.ui.counter.visit_panel import label
from kiosk.ui.tasks import TaskRunner, ThreadBridge

if TYPE_CHECKING:
    from kiosk.supervision import Supervision
    from kiosk.ui.counter.supervisor import WatchCalls

log = logging.getLogger(__name__)

IDLE_CHECK_MS = 1_000
EVENT_SETTLE_MS = 200  # queue events close together cause one reload
_SIGNED_OUT = {  # what the sign-in page says after a sign-out the member did not choose
    "idle": "signin.signed_out_idle",
    "limit": "signin.signed_out_limit",
    "ended": "signin.signed_out_ended",
}
_INPUT_EVENTS = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.TouchBegin,
    QEvent.Type.Wheel,
}


class CounterWindow(QMainWindow):
    def __init__(
        self,
        desk: CounterDesk,
        accounts: StaffAccounts,
        events: QueueEvents | None,
        *,
        idle_seconds: float,
        counter: str = "",
        supervision: Supervision | None = None,
        runner: TaskRunner | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        watch_calls: WatchCalls | None = None,
    ) -> None:
        super().__init__()
        self.desk = desk
        self.accounts = accounts
        self.texts: Translations = desk.texts
        self.runner = runner or TaskRunner(self)
        self.events = events
        self.idle_seconds = idle_seconds
        self.fixed_counter = counter
        self.clock = clock
        self.session: Session | None = None
        self.challenge: str | None = None  # a supervisor's PIN was right: the code is next
        self.counter: str | None = None
        self._closed = False
        self.setWindowTitle(self._t("app.title"))
        self._build(supervision, watch_calls)
        self._start_timers()
        if events is not None:
            self._bridge = ThreadBridge(self)
            self._bridge.arrived.connect(self._queue_changed)
            events.subscribe(self._bridge.arrived.emit)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self.signin.reset()

    def _t(self, key: str, **values: object) -> str:
        return self.texts.text(f"counter.{key}", **values)

    # -- building -----------------------------------------------------------------

    def _build(self, supervision: Supervision | None, watch_calls: WatchCalls | None) -> None:
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addLayout(self._build_bar())
        self.stack = QStackedWidget()
        self.signin = SignInPage(self.texts)
        self.signin.submitted.connect(self.sign_in)
        self.code_page = CodePage(self.texts)
        self.code_page.submitted.connect(self.submit_code)
        self.code_page.cancelled.connect(self.cancel_code)
        self.pick = CounterPickPage(self.texts)
        self.pick.chosen.connect(self.choose_counter)
        self.pick.set_counters([(c, self.desk.counter_label(c)) for c in self.desk.counters()])
        self.desk_page = DeskPage(self.desk, self.runner, self.texts, lambda: self.session)
        self.desk_page.activity.connect(self.touch)
        self.desk_page.session_ended.connect(self._session_ended)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.desk_page, self._t("tabs.desk"))
        self.supervisor = None
        if supervision is not None:
            from kiosk.ui.counter.supervisor import SupervisorPanel

            self.supervisor = SupervisorPanel(
                supervision, self.runner, self.texts, watch_calls=watch_calls
            )
            self.supervisor.activity.connect(self.touch)
            self.supervisor.calls_open.connect(self._show_calls_open)
        for page in (self.signin, self.code_page, self.pick, self.tabs):
            self.stack.addWidget(page)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

    def _build_bar(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        self.title = label(self._t("app.title"), role="appTitle")
        self.member_label = label(role="memberLabel")
        self.change_counter_button = QPushButton(self._t("bar.change_counter"))
        self.change_counter_button.clicked.connect(self.show_counter_pick)
        self.sign_out_button = QPushButton(self._t("bar.sign_out"))
        self.sign_out_button.setObjectName("signOutButton")
        self.sign_out_button.clicked.connect(lambda: self.sign_out("user"))
        bar.addWidget(self.title, 3)
        bar.addWidget(self.member_label, 2)
        bar.addWidget(self.change_counter_button)
        bar.addWidget(self.sign_out_button)
        self._show_bar()
        return bar

    def _show_bar(self) -> None:
        session = self.session
        signed_in = session is not None
        self.change_counter_button.setVisible(signed_in)
        self.sign_out_button.setVisible(signed_in)
        if session is None:
            self.member_label.setText("")
            self.title.setText(self._t("app.title"))
            return
        member = session.member
        role = self._t(f"bar.role.{member.role}")
        self.member_label.setText(
            self._t("bar.signed_in", name=member.name, staff_id=member.staff_id, role=role)
        )
        where = self.desk.counter_label(self.counter) if self.counter else ""
        self.title.setText(" — ".join(filter(None, (self._t("app.title"), where))))

    def _start_timers(self) -> None:
        self.idle_timer = QTimer(self)
        self.idle_timer.setInterval(IDLE_CHECK_MS)
        self.idle_timer.timeout.connect(self._check_idle)
        self.idle_timer.start()
        self.settle_timer = QTimer(self)
        self.settle_timer.setSingleShot(True)
        self.settle_timer.setInterval(EVENT_SETTLE_MS)
        self.settle_timer.timeout.connect(self.desk_page.refresh)
        self.code_timer = QTimer(self)  # the code page does not wait longer than the core
        self.code_timer.setSingleShot(True)
        self.code_timer.setInterval(int(CHALLENGE_TIME.total_seconds() * 1000))
        self.code_timer.timeout.connect(
            lambda: self.cancel_code(self._t("errors.challenge_expired"))
        )

    # -- signing in and out -----------------------------------------------------------

    def sign_in(self, staff_id: str, pin: str) -> None:
        accounts = self.accounts
        self.runner.submit(
            lambda: accounts.sign_in(staff_id, pin), self._signed_in, self._sign_in_failed
        )

    def _signed_in(self, session: Session) -> None:
        self.session = session
        self.signin.reset()
        if self.supervisor is not None:
            is_supervisor = session.member.is_supervisor
            if is_supervisor:
                self.tabs.addTab(self.supervisor, self._t("tabs.supervisor"))
            self.supervisor.set_member(session.member if is_supervisor else None)
        self.desk_page.visit.can_reveal = session.member.is_supervisor
        if self.fixed_counter:
            self.choose_counter(self.fixed_counter)
        else:
            self.show_counter_pick()

    def _sign_in_failed(self, error: Exception) -> None:
        if isinstance(error, SecondFactorRequired):
            self.challenge = error.challenge
            self.code_timer.start()
            self.signin.reset()
            self.code_page.reset()
            self.stack.setCurrentWidget(self.code_page)
            return
        self.signin.reset(message_for(self.texts, error))

    def submit_code(self, code: str) -> None:
        challenge, accounts = self.challenge, self.accounts
        if challenge is None:
            return
        self.runner.submit(
            lambda: accounts.complete_sign_in(challenge, code),
            self._code_accepted,
            self._code_failed,
        )

    def _code_accepted(self, session: Session) -> None:
        self.challenge = None
        self.code_timer.stop()
        self.code_page.reset()
        self._signed_in(session)

    def _code_failed(self, error: Exception) -> None:
        if isinstance(error, WrongCode):  # try the next code; the PIN is not asked again
            self.code_page.reset(message_for(self.texts, error))
            return
        self.cancel_code(message_for(self.texts, error))

    def cancel_code(self, message: str = "") -> None:
        """Back to the staff ID and PIN (the pending sign-in is forgotten)."""
        self.challenge = None
        self.code_timer.stop()
        self.code_page.reset()
        self.stack.setCurrentWidget(self.signin)
        self.signin.reset(message, forget_id=True)

    def show_counter_pick(self) -> None:
        self.touch()
        self.stack.setCurrentWidget(self.pick)
        self._show_bar()

    def choose_counter(self, counter: str) -> None:
        if self.session is None:
            return
        self.touch()
        if counter != self.counter:
            self.desk_page.clear()
        self.counter = counter
        self.desk_page.start_session(counter)
        self.stack.setCurrentWidget(self.tabs)
        self.tabs.setCurrentWidget(self.desk_page)
        self._show_bar()

    def sign_out(self, reason: str = "user") -> None:
        """Back to sign-in with nothing of the last visitor or member left on screen."""
        session = self.session
        if session is None:
            return
        self.session = None
        self.counter = None
        self.runner.cancel_all()
        self.desk_page.clear()
        if self.supervisor is not None:
            self.supervisor.set_member(None)
            index = self.tabs.indexOf(self.supervisor)
            if index >= 0:
                self.tabs.removeTab(index)
        accounts = self.accounts
        self.runner.submit(
            lambda: accounts.sign_out(session, reason=reason),
            lambda _r: None,
            lambda e: log.warning("sign-out of %s not logged: %s", session.member.staff_id, e),
        )
        self.stack.setCurrentWidget(self.signin)
        self._show_bar()
        said = _SIGNED_OUT.get(reason)
        self.signin.reset(self._t(said) if said else "", forget_id=True)

    def _session_ended(self, reason: str) -> None:
        """The database refused the session (too long, or the account was deactivated)."""
        log.info("counter app signed out: the session ended (%s)", reason)
        self.sign_out("limit" if reason == "limit" else "ended")

    # -- idle ---------------------------------------------------------------------------

    def touch(self) -> None:
        if self.session is not None:
            self.session = self.session.touched(self.clock())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _INPUT_EVENTS and self.session is not None:
            self.touch()
        return False

    def _check_idle(self) -> None:
        session, now = self.session, self.clock()
        if session is None:
            return
        if session.past_limit(now):
            log.info("counter app signed out: the session reached its maximum length")
            self.sign_out("limit")
        elif session.expired(now, self.idle_seconds):
            log.info("counter app signed out after %s s idle", self.idle_seconds)
            self.sign_out("idle")

    # -- queue events -----------------------------------------------------------------

    def _queue_changed(self, event: QueueEvent) -> None:
        if self.session is not None:
            self.settle_timer.start()

    def _show_calls_open(self, count: int) -> None:
        """Staff calls waiting: said in the supervisor's tab title, seen from the desk too."""
        index = self.tabs.indexOf(self.supervisor) if self.supervisor is not None else -1
        if index >= 0:
            title = self._t("tabs.supervisor")
            calls = self.texts.text("supervisor.calls.tab_open", n=count) if count else ""
            self.tabs.setTabText(index, f"{title}  {calls}" if calls else title)

    # -- closing ----------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        self.sign_out("user")
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Stop the subscription, the timers and the workers: no thread outlives it."""
        if self._closed:
            return
        self._closed = True
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        if self.events is not None:
            self.events.close()
            self.events = None
        if self.supervisor is not None:
            self.supervisor.shutdown()
        self.idle_timer.stop()
        self.settle_timer.stop()
        self.code_timer.stop()
        self.runner.wait()
