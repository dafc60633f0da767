"""The end of a visit: store it, issue the ticket, print the forms and the ticket.

Blocking; the UI runs it on a worker thread. A printer failure never loses the
visit: it is stored before anything is printed, and the ticket is shown on
screen whatever the printers do. A visit's :class:`CheckoutProgress` goes with
every attempt, so "Try again" after a failure issues no second ticket and prints
nothing twice.
"""

from __future__ import annotations

import copy
import logging
import threading
import time
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.catalog import CatalogError, Procedure
from kiosk.checkout_progress import CheckoutProgress, Outcome
from kiosk.context import KioskContext
from kiosk.forms.layout import LAYOUTS, Layout, LayoutError
from kiosk.journey import calendar_warnings
from kiosk.pre_entry import PreEntry
from kiosk.printing import (
    FolderPrinter,
    JobOutcome,
    Printer,
    PrinterError,
    PrintFailed,
    PrintJob,
    print_and_wait,
    purge_printed,
)
from kiosk.services import CardData, CardReader
from kiosk.tickets import TicketPrinter, build_slip
from kiosk.visit import Ticket, Visit

if TYPE_CHECKING:
    from kiosk.storage import Store

# The database and PDF libraries are imported by the first call that needs them,
# on a worker thread (see Checkout.warm_up), so the welcome screen is not kept
# waiting for them at start-up.

log = logging.getLogger(__name__)

STALE_VISIT = timedelta(hours=2)  # no visit takes this long: one still open was left


# The forms the kiosk can print: one layout file each in resources/forms/ (listed
# when the Checkout checks the catalog, read when a visit's forms are rendered).
FORMS: Mapping[str, Layout] = LAYOUTS


class NumberNotReadError(Exception):
    """The card gave its basic data but no My Number."""

    code = "card_error"

    def __init__(self) -> None:
        super().__init__("the card gave no individual number: place it again and retry")


class Checkout:
    def __init__(
        self,
        context: KioskContext,
        open_store: Callable[[], Store],
        forms_printer: Printer,
        ticket_printer: TicketPrinter,
        today: Callable[[], date] = date.today,
    ) -> None:
        unknown = {f for p in context.catalog.procedures for f in p.forms} - set(FORMS)
        if unknown:
            raise CatalogError(f"procedures name forms the kiosk cannot print: {sorted(unknown)}")
        self.context = context
        self._open_store = open_store
        self._store: Store | None = None
        self._lock = threading.Lock()
        self.forms_printer = forms_printer
        self.ticket_printer = ticket_printer
        self._today = today

    @property
    def store(self) -> Store:
        """The database, opened on first use so that a database that is down
        at start-up does not keep the kiosk from starting."""
        with self._lock:
            if self._store is None:
                self._store = self._open_store()
            return self._store

    def warm_up(self) -> int:
        """Open the database, delete expired card data and load the form font.

        Run once at start on a worker thread; returns the number of purged visits.
        """
        from kiosk.forms import fonts

        purged = self.purge_expired()
        fonts.font()
        if self.context.settings.printing.escpos.connection:
            from kiosk.tickets.raster import font_files

            font_files()  # the receipt's fonts and imaging library, before the first visitor
        return purged

    def purge_expired(self) -> int:
        """Delete card data and printed PDFs older than the retention period; returns
        how many visits. The PDFs go first: they need no database."""
        settings = self.context.settings
        keep = timedelta(days=settings.kiosk.personal_data_retention_days)
        purge_printed(settings.output_dir(), keep)
        self.store.abandon_stale_visits(STALE_VISIT)  # e.g. a kiosk that lost power
        return self.store.purge_personal_data(keep)

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None

    def complete(self, visit: Visit, progress: CheckoutProgress | None = None) -> Outcome:
        """Store the visit, issue its ticket and print.

        Call it again with the same ``progress`` after a failure: the visit keeps its
        one ticket, and a job already handed to a printer is not submitted again.
        Raises StorageError while the visit or its ticket cannot be stored, and
        CheckoutAbandoned after ``progress.give_up()``.
        """
        progress = progress or CheckoutProgress()
        ticket = progress.ticket or self._store_and_issue(visit, progress)
        progress.printing = True
        self._print(visit, ticket, progress)
        jobs = (*(progress.forms or ()), *(progress.tickets or ()))
        return Outcome(
            progress.reference,
            ticket,
            jobs,
            progress.forms_error,
            progress.ticket_error,
            self._folder(),
        )

    def _store_and_issue(self, visit: Visit, progress: CheckoutProgress) -> Ticket:
        """The database part: store the visit, take its ticket (one an earlier attempt
        issued before it failed, or a new one) and the wait estimate."""
        kiosk_id = self.context.settings.kiosk.id
        if visit.pre_entry and not progress.pre_entry_claimed:
            # Prints once: a second kiosk (or a second try here) is refused; staff release it.
            self.store.mark_pre_entry_used(visit.pre_entry, kiosk_id=kiosk_id)
            progress.pre_entry_claimed = True
        visit.reference = visit.reference or progress.reference  # stored once, then updated
        reference = self.store.save_visit(visit, kiosk_id=kiosk_id, status="completed")
        progress.reference = reference
        progress.check()
        ticket = visit.ticket
        if ticket is None and progress.issuing:  # the last attempt may have got that far
            ticket = self.store.ticket_of_visit(reference)
        progress.issuing = True
        progress.ticket = ticket or self._issue(visit, reference)
        progress.minutes = self._estimate(progress.ticket)
        progress.check()
        return progress.ticket

    def _print(self, visit: Visit, ticket: Ticket, progress: CheckoutProgress) -> None:
        """Each job once per visit. The forms go first so the printer works while the
        ticket prints; a failure of one printer never keeps the other from printing."""
        deadline = time.monotonic() + self.context.settings.printing.job_timeout_seconds
        if progress.forms is None:
            progress.forms, progress.forms_error = _attempt(
                lambda: self._print_forms(visit, ticket)
            )
        if progress.tickets is None:
            progress.tickets, progress.ticket_error = _attempt(
                lambda: [self._print_ticket(visit, ticket, progress)]
            )
        if not progress.followed:
            forms = progress.forms or []
            progress.forms_error = progress.forms_error or self._follow(forms, deadline)
            progress.followed = True
            _log_failures(progress)

    def _follow(self, jobs: list[PrintJob], deadline: float) -> str:
        """Wait for the form jobs until they are done; the first error code, or ""."""
        for job in jobs:
            outcome = self.forms_printer.wait(job, max(0.0, deadline - time.monotonic()))
            if outcome.error is not None:
                return outcome.error.code
        return ""

    def read_card(self, card: CardReader, pin: str, visit: Visit, *, with_number: bool) -> CardData:
        """Read the visitor's card with one PIN entry: the basic data, and the My Number
        when ``with_number`` (a procedure needs it and the visitor agreed).

        The number's reading is logged before it is returned; if the access cannot be
        logged the number is not kept (a StorageError reaches the caller).
        """
        data = card.read_card(pin, with_number=with_number)
        if not with_number:
            return data
        if data.individual_number is None:
            raise NumberNotReadError
        kiosk_id = self.context.settings.kiosk.id
        record = copy.copy(visit)
        record.person = data.person
        record.used_card = True
        record.individual_number = None
        reference = self.store.save_visit(record, kiosk_id=kiosk_id, status="in_progress")
        visit.reference = reference
        self.store.log_access(
            actor=f"kiosk:{kiosk_id}", action="individual_number_read", visit_reference=reference
        )
        log.info("individual number read from the card for visit %s", reference)
        return data

    def load_pre_entry(self, code: str) -> PreEntry:
        """A visit prepared at home, by its code; the kiosk's wrong guesses are limited.

        Raises PreEntryNotFound, PreEntryExpired, PreEntryUsed or TooManyTries.
        """
        kiosk_id = self.context.settings.kiosk.id
        return self.store.load_pre_entry(code, source=f"kiosk:{kiosk_id}")

    def abandon(self, visit: Visit) -> None:
        """Record a visit that was left before the end (no personal data is kept)."""
        visit.forget_card()
        self.store.save_visit(visit, kiosk_id=self.context.settings.kiosk.id, status="abandoned")

    def call_staff(self, screen: str, language: str) -> None:
        """Raise "職員を呼ぶ" for this kiosk (the supervisor page shows it; blocking).

        ``screen`` is the screen's machine name (e.g. ``"pin"``). Raises StorageError
        when the database cannot be reached: the kiosk then says to ask at the counter.
        """
        kiosk_id = self.context.settings.kiosk.id
        self.store.raise_staff_call(kiosk_id=kiosk_id, screen=screen, language=language)

    def _issue(self, visit: Visit, reference: str) -> Ticket:
        catalog = self.context.catalog
        procedures = [catalog.procedure(p) for p in visit.procedures]
        category = catalog.ticket_category(procedures)
        first: Procedure = next(p for p in procedures if p.category == category.id)
        return self.store.issue_ticket(
            category=category.id,
            letter=category.letter,
            counter=first.counter,
            visit_reference=reference,
            priority=catalog.priority_for(visit.answers),
        )

    def reprint(self, reference: str, *, actor: str) -> JobOutcome:
        """Print a stored visit's cover page and forms again, and follow the job.

        For staff (``ward-kiosk print reprint``): the access is logged first, since
        the forms show the card data. Raises StorageError for an unknown reference.
        """
        visit = self.store.load_visit(reference)
        self.store.log_access(
            actor=actor, action="forms_reprinted", visit_reference=visit.reference
        )
        if visit.ticket is None:
            raise PrintFailed(f"visit {visit.reference} has no ticket: it was never completed")
        pdf = self._render_forms(visit, visit.ticket)
        if pdf is None:
            return JobOutcome(None, "completed")  # nothing to print: its procedures have no form
        return print_and_wait(self.forms_printer, pdf, title=f"forms-{visit.reference}")

    def _print_forms(self, visit: Visit, ticket: Ticket) -> list[PrintJob]:
        """One job: the cover page, then every form of the visit's procedures (none if no form)."""
        pdf = self._render_forms(visit, ticket)
        if pdf is None:
            return []
        return [self.forms_printer.print_pdf(pdf, title=f"forms-{visit.reference}")]

    def _render_forms(self, visit: Visit, ticket: Ticket) -> bytes | None:
        from kiosk.forms.documents import forms_of, render_visit_document

        catalog = self.context.catalog
        if not forms_of(visit.procedures, catalog):
            return None
        texts = self.context.texts_for(visit.language)
        today = self._today()
        warnings = calendar_warnings(visit, today, where="kiosk")
        try:
            document = render_visit_document(
                visit, ticket, self.context.settings, catalog, texts, today, FORMS, warnings
            )
        except LayoutError as e:
            log.error("the forms for visit %s cannot be rendered: %s", visit.reference, e)
            raise PrintFailed("a form layout is broken; see the log") from e
        if document.flags:
            fields = sorted(f"{flag.form}.{flag.field}" for flag in document.flags)
            log.warning(
                "forms for visit %s: %d field(s) hold characters the fonts lack: %s",
                visit.reference,
                len(fields),
                ", ".join(fields),
            )
        return document.pdf

    def _estimate(self, ticket: Ticket) -> int | None:
        """The wait in minutes; None when the database cannot say (the ticket prints
        without an estimate rather than not at all)."""
        from kiosk.queue import QueueService
        from kiosk.storage import StorageError

        settings = self.context.settings
        queue = QueueService(
            self.store,
            self.context.catalog,
            settings.counters,
            max_passes=settings.queue.max_passes,
        )
        try:
            return queue.estimate_minutes(ticket.category, ticket.waiting_ahead)
        except StorageError as e:
            log.warning("no wait estimate for ticket %s (%s): printed without", ticket.code, e.code)
            return None

    def _print_ticket(self, visit: Visit, ticket: Ticket, progress: CheckoutProgress) -> PrintJob:
        from kiosk.tickets.slip import visit_steps

        texts = self.context.texts_for(visit.language)
        settings = self.context.settings
        slip = build_slip(
            ticket,
            reference=progress.reference,
            texts=texts,
            settings=settings,
            minutes=progress.minutes,
            steps=visit_steps(visit, self.context.catalog, settings, texts),
        )
        return self.ticket_printer.print_ticket(slip)

    def _folder(self) -> Path | None:
        ticket_pdf = getattr(self.ticket_printer, "printer", None)
        printers = (self.forms_printer, ticket_pdf)
        folders = [p.folder for p in printers if isinstance(p, FolderPrinter)]
        return folders[0] if folders else None


def _log_failures(progress: CheckoutProgress) -> None:
    for printer, code in (("forms", progress.forms_error), ("ticket", progress.ticket_error)):
        if code:
            log.warning(
                "printing the %s for visit %s failed: %s", printer, progress.reference, code
            )


def _attempt(submit: Callable[[], list[PrintJob]]) -> tuple[list[PrintJob], str]:
    """The jobs ``submit`` handed over, or none and the printer's error code."""
    try:
        return submit(), ""
    except PrinterError as e:
        return [], e.code
