"""The end of a visit: store it, issue the ticket, print the forms and the ticket.

Blocking; the UI runs it on a worker thread. A printer failure never loses the
visit: it is stored before anything is printed, and the ticket is shown on
screen whatever the printers do.
"""

from __future__ import annotations

import copy
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.catalog import CatalogError, Procedure
from kiosk.context import KioskContext
from kiosk.forms.layout import LAYOUTS, Layout, LayoutError
from kiosk.printing import (
    FolderPrinter,
    JobOutcome,
    Printer,
    PrinterError,
    PrintFailed,
    PrintJob,
    print_and_wait,
)
from kiosk.services import CardReader
from kiosk.tickets import TicketPrinter, build_slip
from kiosk.visit import Ticket, Visit

if TYPE_CHECKING:
    from kiosk.storage import Store

# The database and PDF libraries are imported by the first call that needs them,
# on a worker thread (see Checkout.warm_up), so the welcome screen is not kept
# waiting for them at start-up.

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    reference: str
    ticket: Ticket
    jobs: tuple[PrintJob, ...]
    forms_error: str  # an error code of the forms printer, "" when the forms printed
    ticket_error: str  # an error code of the ticket printer, "" when the ticket printed
    saved_to: Path | None  # the folder, when jobs are written to files

    @property
    def print_error(self) -> str:
        """The first printing error code, "" when everything printed."""
        return self.forms_error or self.ticket_error


# The forms the kiosk can print: one layout file each in resources/forms/ (listed
# when the Checkout checks the catalog, read when a visit's forms are rendered).
FORMS: Mapping[str, Layout] = LAYOUTS


class DifferentCardError(Exception):
    """The card on the reader is not the one whose data this visit holds."""

    code = "different_card"

    def __init__(self) -> None:
        super().__init__("the card on the reader is not the one read at the start of the visit")


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
        """Delete card data older than the retention period; returns how many visits."""
        days = self.context.settings.kiosk.personal_data_retention_days
        return self.store.purge_personal_data(timedelta(days=days))

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None

    def complete(self, visit: Visit) -> Outcome:
        """Store the visit, issue its ticket and print. Raises StorageError if the DB is down."""
        settings = self.context.settings
        reference = self.store.save_visit(visit, kiosk_id=settings.kiosk.id, status="completed")
        ticket = visit.ticket or self._issue(visit, reference)
        deadline = time.monotonic() + settings.printing.job_timeout_seconds
        # The forms go first so the printer works while the ticket prints; a failure
        # of one printer never keeps the other from printing.
        forms, forms_error = _attempt(lambda: self._print_forms(visit, ticket))
        tickets, ticket_error = _attempt(lambda: [self._print_ticket(visit, ticket, reference)])
        if not forms_error:
            forms_error = self._follow(forms, deadline)
        for printer, code in (("forms", forms_error), ("ticket", ticket_error)):
            if code:
                log.warning("printing the %s for visit %s failed: %s", printer, reference, code)
        jobs = (*forms, *tickets)
        return Outcome(reference, ticket, jobs, forms_error, ticket_error, self._folder())

    def _follow(self, jobs: list[PrintJob], deadline: float) -> str:
        """Wait for the form jobs until they are done; the first error code, or ""."""
        for job in jobs:
            outcome = self.forms_printer.wait(job, max(0.0, deadline - time.monotonic()))
            if outcome.error is not None:
                return outcome.error.code
        return ""

    def read_individual_number(self, card: CardReader, pin: str, visit: Visit) -> str:
        """Read the My Number from the visitor's card, logging the access first.

        Only called for procedures that need the number. If the access cannot be
        logged the number is not kept (a StorageError reaches the caller).
        """
        data = card.read_card(pin, with_number=True)
        if visit.person is not None and data.person != visit.person:
            raise DifferentCardError
        number = data.individual_number
        if number is None:
            raise DifferentCardError
        kiosk_id = self.context.settings.kiosk.id
        record = copy.copy(visit)
        record.individual_number = None
        reference = self.store.save_visit(record, kiosk_id=kiosk_id, status="in_progress")
        visit.reference = reference
        self.store.log_access(
            actor=f"kiosk:{kiosk_id}", action="individual_number_read", visit_reference=reference
        )
        log.info("individual number read from the card for visit %s", reference)
        return number

    def abandon(self, visit: Visit) -> None:
        """Record a visit that was left before the end (no personal data is kept)."""
        visit.forget_card()
        self.store.save_visit(visit, kiosk_id=self.context.settings.kiosk.id, status="abandoned")

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
        try:
            document = render_visit_document(
                visit, ticket, self.context.settings, catalog, texts, self._today(), FORMS
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

    def _print_ticket(self, visit: Visit, ticket: Ticket, reference: str) -> PrintJob:
        from kiosk.queue import QueueService

        settings = self.context.settings
        queue = QueueService(
            self.store,
            self.context.catalog,
            settings.counters,
            max_passes=settings.queue.max_passes,
        )
        slip = build_slip(
            ticket,
            reference=reference,
            texts=self.context.texts_for(visit.language),
            settings=self.context.settings,
            minutes=queue.estimate_minutes(ticket.category, ticket.waiting_ahead),
        )
        return self.ticket_printer.print_ticket(slip)

    def _folder(self) -> Path | None:
        ticket_pdf = getattr(self.ticket_printer, "printer", None)
        printers = (self.forms_printer, ticket_pdf)
        folders = [p.folder for p in printers if isinstance(p, FolderPrinter)]
        return folders[0] if folders else None


def _attempt(submit: Callable[[], list[PrintJob]]) -> tuple[list[PrintJob], str]:
    """The jobs ``submit`` handed over, or none and the printer's error code."""
    try:
        return submit(), ""
    except PrinterError as e:
        return [], e.code
