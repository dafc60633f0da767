"""The ticket number, large (marked 優先 when it is a priority ticket), then back to the start.

Also the end of a visit the kiosk could not finish: the visitor is sent to staff.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal

from kiosk.i18n import Translations
from kiosk.ui.countdown import Countdown
from kiosk.ui.widgets import ScreenFrame, label
from kiosk.visit import Ticket


class DoneScreen(ScreenFrame):
    finished = Signal()

    def __init__(self) -> None:
        super().__init__("done")
        self.ticket = label(role="ticket", wrap=False)
        self.priority = label(role="priority")
        self.counter = label(role="subtitle")
        self.waiting = label(role="body")
        self.reminders = label(role="status")
        self.saved_to = label(role="hint")
        self.countdown = label(role="hint")
        for widget in (self.ticket, self.priority, self.counter, self.waiting, self.reminders):
            widget.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.body.addWidget(widget)
        # A framed badge as wide as its words, under the number.
        self.body.setAlignment(self.priority, Qt.AlignmentFlag.AlignHCenter)
        self.priority.hide()
        self.body.addStretch(1)
        self.body.addWidget(self.saved_to)
        self.countdown.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body.addWidget(self.countdown)
        self.footer.addStretch(1)
        self.finish = self.footer_button("primary", self.finished, 2)
        self.footer.addStretch(1)
        self._countdown = Countdown(self)
        self._countdown.ticked.connect(self._show_remaining)
        self._countdown.expired.connect(self.finished)
        self._texts: Translations | None = None

    def show_outcome(
        self,
        texts: Translations,
        *,
        ticket_code: str,
        counter: str,
        waiting_ahead: int,
        used_card: bool,
        saved_to: str,
        problem: str,
        seconds: int,
        priority: bool = False,
    ) -> None:
        self._texts = texts
        self.title.setText(texts.text("ui.done.title"))
        self.ticket.setText(ticket_code)
        self.ticket.show()
        self.priority.setText(texts.text("ui.done.priority") if priority else "")
        self.priority.setVisible(priority)
        self.counter.setText(texts.text("ui.done.counter", counter=counter))
        self.waiting.setText(_waiting_text(texts, waiting_ahead))
        reminders = [texts.text("ui.done.take_papers")] if not problem else []
        if used_card:
            reminders.insert(0, texts.text("ui.done.take_card"))
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
        used_card: bool,
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
                used_card=used_card,
                saved_to="",
                problem=problem,
                seconds=seconds,
                priority=ticket.priority,
            )
            return
        self.wipe()
        self._texts = texts
        self.title.setText(texts.text("ui.sent_to_staff.title"))
        self.ticket.hide()  # no number to show: where to go takes its place
        self.counter.setText(texts.text("ui.sent_to_staff.where"))
        self.reminders.setText(texts.text("ui.done.take_card") if used_card else "")
        self.notice.show_message(texts.text("ui.sent_to_staff.no_ticket"))
        self.finish.setText(texts.text("ui.done.finish"))
        self._countdown.start(seconds)

    def _show_remaining(self, seconds: int) -> None:
        if self._texts:
            self.countdown.setText(self._texts.text("ui.done.returning", n=seconds))

    def wipe(self) -> None:
        self._countdown.stop()
        for widget in (self.ticket, self.counter, self.waiting, self.reminders, self.saved_to):
            widget.clear()
        self.priority.clear()
        self.priority.hide()
        self.notice.clear_message()


def _waiting_text(texts: Translations, ahead: int) -> str:
    if ahead == 0:
        return texts.text("ui.done.nobody_ahead")
    if ahead == 1:
        return texts.text("ui.done.waiting_ahead_one")
    return texts.text("ui.done.waiting_ahead", n=ahead)
