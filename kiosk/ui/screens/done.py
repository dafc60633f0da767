"""The ticket number, large (marked 優先 when it is a priority ticket), then back to the start.

Also the end of a visit the kiosk could not finish: the visitor is sent to staff.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QVBoxLayout, QWidget

from kiosk.i18n import Translations
from kiosk.ui.countdown import Countdown
from kiosk.ui.style import px
from kiosk.ui.widgets import ScreenFrame, label
from kiosk.visit import Ticket

PULSE_MS = 800
WIDE_RATIO = 1.5  # 16:9 screens put the number beside the rest; 5:4 ones above it


class DoneScreen(ScreenFrame):
    finished = Signal()

    def __init__(self) -> None:
        super().__init__("done")
        self.ticket = label(role="ticket", wrap=False)
        self.priority = label(role="priority")
        self.counter = label(role="subtitle")
        self.route = label(role="status")
        self.waiting = label(role="body")
        self.reminders = label(role="status")
        self.saved_to = label(role="hint")
        self.countdown = label(role="hint")
        self.take_card = label(role="takeCard", wrap=False)
        self.take_card.hide()
        self._pulse = QTimer(self)
        self._pulse.setInterval(PULSE_MS)
        self._pulse.timeout.connect(self._toggle_pulse)
        # The number (and its priority badge) beside what to do on a wide screen, above
        # it on a squarer one: the card banner and the route fit either way.
        self.columns = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.columns.setSpacing(px(4))
        number = QVBoxLayout()
        number.setSpacing(px(2))
        number.addStretch(1)
        self.what_to_do = QVBoxLayout()
        self.what_to_do.setSpacing(px(2))
        self.what_to_do.addStretch(1)
        for widget, column in (
            (self.ticket, number),
            (self.priority, number),
            (self.take_card, self.what_to_do),
            (self.counter, self.what_to_do),
            (self.route, self.what_to_do),
            (self.waiting, self.what_to_do),
            (self.reminders, self.what_to_do),
        ):
            widget.setAlignment(Qt.AlignmentFlag.AlignCenter)
            column.addWidget(widget)
        # A framed badge as wide as its words, under the number.
        number.setAlignment(self.priority, Qt.AlignmentFlag.AlignHCenter)
        self.countdown.setAlignment(Qt.AlignmentFlag.AlignCenter)
        number.addWidget(self.countdown)  # beside the rest on a wide screen: no extra line
        number.addStretch(1)
        self.what_to_do.addStretch(1)
        self.columns.addLayout(number, 2)
        self.columns.addLayout(self.what_to_do, 3)
        self.priority.hide()
        content = _Lines()
        content.setLayout(self.columns)
        self.body.addWidget(content, 1)
        self.body.addStretch(1)
        self.body.addWidget(self.saved_to)
        self.footer.addStretch(1)
        self.finish = self.footer_button("primary", self.finished, 2)
        self.footer.addStretch(1)
        self._countdown = Countdown(self)
        self._countdown.ticked.connect(self._show_remaining)
        self._countdown.expired.connect(self.finished)
        self._texts: Translations | None = None
        self._seconds = 0

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        size = event.size()
        wide = size.width() >= WIDE_RATIO * size.height()
        self.columns.setDirection(
            QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
        )
        # Above the rest, the number takes only its height: every line below it gets its own.
        self.columns.setStretch(0, 2 if wide else 0)

    @property
    def holding_for_card(self) -> bool:
        """The banner asks for the card: the screen stays until it is lifted."""
        return self.take_card.isVisible()

    def hold_for_card(self, texts: Translations) -> None:
        """A large, pulsing "please take your card" that stays (no countdown) until
        :meth:`card_taken`; whatever else the screen shows stays as it is."""
        self._texts = texts
        self._countdown.stop()
        self.countdown.clear()
        self.take_card.setText(texts.text("ui.done.take_card_banner"))
        self.take_card.setAccessibleName(texts.text("ui.done.take_card"))
        self.take_card.setProperty("pulse", False)
        self.take_card.show()
        self._pulse.start()

    def card_taken(self) -> None:
        """The card left the reader: the banner goes and the countdown runs."""
        self._pulse.stop()
        self.take_card.hide()
        self._countdown.start(self._seconds)

    def show_card_reminder(self, texts: Translations, *, ticket_code: str, seconds: int) -> None:
        """The end of a visit that left a card on the reader (after the visit's data
        was wiped): only the reminder, and the ticket number if one was issued."""
        self.wipe()
        self._texts = texts
        self._seconds = seconds
        self.title.setText(texts.text("ui.done.title" if ticket_code else "ui.done.card_title"))
        self.ticket.setText(ticket_code)
        self.ticket.setVisible(bool(ticket_code))
        self.finish.setText(texts.text("ui.done.finish"))
        self.hold_for_card(texts)

    def _toggle_pulse(self) -> None:
        # Slow (under 1 Hz) and a change of frame, not a flash: safe for photosensitive eyes.
        self.take_card.setProperty("pulse", not self.take_card.property("pulse"))
        self.take_card.style().unpolish(self.take_card)
        self.take_card.style().polish(self.take_card)

    def show_outcome(
        self,
        texts: Translations,
        *,
        ticket_code: str,
        counter: str,
        waiting_ahead: int,
        saved_to: str,
        problem: str,
        seconds: int,
        priority: bool = False,
        route: str = "",
    ) -> None:
        self._texts = texts
        self._seconds = seconds
        self.title.setText(texts.text("ui.done.title"))
        self.ticket.setText(ticket_code)
        self.ticket.show()
        self.priority.setText(texts.text("ui.done.priority") if priority else "")
        self.priority.setVisible(priority)
        self.counter.setText(texts.text("ui.done.counter", counter=counter))
        self.route.setText(route)
        self.waiting.setText(_waiting_text(texts, waiting_ahead))
        reminders = [texts.text("ui.done.take_papers")] if not problem else []
        self.reminders.setText("\n".join(reminders))
        self.saved_to.setText(texts.text("ui.done.saved_to", path=saved_to) if saved_to else "")
        if problem:
            self.notice.show_message(problem)
        else:
            self.notice.clear_message()
        self.finish.setText(texts.text("ui.done.finish"))
        self._countdown.start(seconds)

    def show_sent_to_staff(
        self,
        texts: Translations,
        *,
        ticket: Ticket | None,
        counter: str,
        seconds: int,
    ) -> None:
        """The kiosk could not finish in time: the number (if one was issued) and the
        counter where staff print the forms, or else the information desk."""
        if ticket is not None:
            problem = texts.text("ui.sent_to_staff.with_ticket", counter=counter)
            self.show_outcome(
                texts,
                ticket_code=ticket.code,
                counter=counter,
                waiting_ahead=ticket.waiting_ahead,
                saved_to="",
                problem=problem,
                seconds=seconds,
                priority=ticket.priority,
            )
            return
        self.wipe()
        self._texts = texts
        self._seconds = seconds
        self.title.setText(texts.text("ui.sent_to_staff.title"))
        self.ticket.hide()  # no number to show: where to go takes its place
        self.counter.setText(texts.text("ui.sent_to_staff.where"))
        self.notice.show_message(texts.text("ui.sent_to_staff.no_ticket"))
        self.finish.setText(texts.text("ui.done.finish"))
        self._countdown.start(seconds)

    def _show_remaining(self, seconds: int) -> None:
        if self._texts:
            self.countdown.setText(self._texts.text("ui.done.returning", n=seconds))

    def wipe(self) -> None:
        self._countdown.stop()
        self._pulse.stop()
        self.take_card.hide()
        self.countdown.clear()
        for widget in (
            self.ticket,
            self.counter,
            self.route,
            self.waiting,
            self.reminders,
            self.saved_to,
        ):
            widget.clear()
        self.priority.clear()
        self.priority.hide()
        self.notice.clear_message()


def _waiting_text(texts: Translations, ahead: int) -> str:
    if ahead == 0:
        return texts.text("ui.done.nobody_ahead")
    return texts.text("ui.done.waiting_ahead", n=ahead)


class _Lines(QWidget):
    """The number and the lines beside or under it.

    Its minimum height is not Qt's guess for wrapped text (a word a line, far taller
    than the lines at the width they get), so the window never asks for more than
    the screen; that every line has the height it needs at its width is what the
    fit tests check (tests/ui/fit.py).
    """

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(hint.width(), 0)
