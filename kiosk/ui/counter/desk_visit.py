"""The desk's work on a visitor's record: open it (by ticket, scan or typed code, with a
reason when it is not this counter's visit today), reveal the number, correct, reprint.

Each action runs on the desk page's pool through ``DeskPage._run``; the reason a visit
was opened with goes with every later action on it, into the access log.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from kiosk.counter import VisitView
from kiosk.counter_access import ReasonRequired
from kiosk.counter_scan import parse_scan, pre_entry_code
from kiosk.printing import JobOutcome
from kiosk.staff import Session
from kiosk.storage import QueueTicket
from kiosk.ui.counter.dialogs import ReasonDialog
from kiosk.ui.counter.messages import message_for
from kiosk.ui.counter.pre_entry_actions import PreEntryActions

if TYPE_CHECKING:
    from kiosk.ui.counter.desk import DeskPage


class VisitActions:
    """The visit side of a DeskPage (``page``)."""

    def __init__(self, page: DeskPage) -> None:
        self.page = page
        self.reason: tuple[str, str] | None = None  # (reference, reason) of a foreign visit
        self.pre_entries = PreEntryActions(page)
        # Replaceable so that tests can answer: why -> the reason typed, or None.
        self.ask_reason: Callable[[str], str | None] = lambda why: ReasonDialog.ask(
            page.texts, why, page
        )

    def visit_of(self, session: Session, ticket: QueueTicket) -> VisitView | None:
        reference, counter = self.page.desk.visit_reference(ticket), self.page.counter
        if reference is None or counter is None:
            return None
        self.reason = None
        return self.page.desk.open_visit(session, reference, via="ticket", counter=counter)

    def show_visit(self, view: VisitView | None) -> None:
        self.page.say("")
        if view is None:
            self.page.visit.clear()
            self.page.visit.heading.setText(self.page.t("visit.no_visit"))
            return
        self.page.visit.show_view(view)

    def open_scanned(self) -> None:
        text = self.page.scan.text()
        self.page.scan.clear()
        code = pre_entry_code(text)
        if code is not None:
            self.pre_entries.open(code)
            return
        scan = parse_scan(text, self.page.desk.context.settings.web.public_url)
        if scan is None:
            self.page.say(self.page.t("errors.scan_unknown"), error=True)
            return
        code, reference = scan.ticket_code, scan.reference or ""
        if code is not None:
            self.open(lambda _s: self._reference_of(code), "ticket_code")
        elif scan.token is not None:
            token = scan.token
            self.open(lambda _s: self.page.desk.visit_reference_of_token(token), "ticket_url")
        else:
            self.open(lambda _s: reference, "scan")

    def _reference_of(self, code: str) -> str | None:
        return self.page.desk.visit_reference(self.page.desk.store.find_ticket(code))

    def open(self, reference: Callable[[Session], str | None], via: str, reason: str = "") -> None:
        """Open a visit on the pool; one that is not this counter's today asks for a reason."""
        counter = self.page.counter
        if counter is None:
            return

        def work(session: Session) -> tuple[str, VisitView] | None:
            ref = reference(session)
            if ref is None:
                return None
            return ref, self.page.desk.open_visit(
                session, ref, via=via, counter=counter, reason=reason
            )

        def opened(result: tuple[str, VisitView] | None) -> None:
            self.reason = (result[0], reason) if result and reason else None
            self.show_visit(result[1] if result else None)

        def failed(error: Exception) -> None:
            if not isinstance(error, ReasonRequired):
                self.page.failed(error)
                return
            self.page.say("")
            typed = self.ask_reason(error.why)
            if typed is None:
                self.page.say(self.page.t("reason.not_opened"))
                return
            self.open(lambda _s: error.reference, via, typed)

        self.page.run(work, opened, failed)

    def reason_for(self, reference: str) -> str:
        """The reason the open visit was opened with (passed with every action on it)."""
        return self.reason[1] if self.reason and self.reason[0] == reference else ""

    def reveal_number(self, reference: str) -> None:
        counter, reason = self.page.counter or "", self.reason_for(reference)
        self.page.run(
            lambda s: self.page.desk.reveal_number(s, reference, counter=counter, reason=reason),
            self.show_visit,
        )

    def correct(self, reference: str, field: str, value: str) -> None:
        counter, reason = self.page.counter or "", self.reason_for(reference)

        def corrected(view: VisitView) -> None:
            self.show_visit(view)
            self.page.say(self.page.t("visit.corrected"))

        self.page.run(
            lambda s: self.page.desk.correct(
                s, reference, field, value, counter=counter, reason=reason
            ),
            corrected,
        )

    def reprint(self, reference: str) -> None:
        counter, reason = self.page.counter or "", self.reason_for(reference)

        def printed(outcome: JobOutcome) -> None:
            if outcome.error is not None:
                self.page.say(message_for(self.page.texts, outcome.error), error=True)
            else:
                self.page.say(self.page.t("visit.reprinted"))

        self.page.run(
            lambda s: self.page.desk.reprint(s, reference, counter=counter, reason=reason), printed
        )
