"""The end of a visit: store it, issue the ticket, print the forms and the ticket.

Blocking; the UI runs it on a worker thread. A printer failure never loses the
visit: it is stored before anything is printed, and the ticket is shown on
screen whatever the printers do.
"""

from __future__ import annotations

import copy
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.catalog import CatalogError, Procedure
from kiosk.context import KioskContext
from kiosk.guidance import counter_label
from kiosk.printing import FolderPrinter, Printer, PrinterError, PrintJob
from kiosk.services import CardReader
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
    print_error: str  # an error code, "" when everything printed
    saved_to: Path | None  # the folder, when jobs are written to files


@dataclass(frozen=True)
class _FormInput:
    visit: Visit
    ward: str
    today: date


def _moving_in(form: _FormInput) -> bytes:
    from kiosk.forms.moving_in import MovingInData, render_moving_in

    data = MovingInData(
        ward_name=form.ward,
        filed_on=form.today,
        person=form.visit.person,
        answers=dict(form.visit.answers),
        visit_reference=form.visit.reference,
    )
    rendered = render_moving_in(data)
    if rendered.needs_review:
        log.warning(
            "form moving_in for visit %s has characters the font lacks in %s",
            form.visit.reference,
            sorted(rendered.missing_glyphs),
        )
    return rendered.pdf


FORMS: dict[str, Callable[[_FormInput], bytes]] = {"moving_in": _moving_in}


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
        ticket_printer: Printer,
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
        jobs: list[PrintJob] = []
        error = ""
        try:
            jobs.extend(self._print_forms(visit))
            jobs.append(self._print_ticket(visit, ticket))
        except PrinterError as e:
            log.warning("printing for visit %s failed: %s", reference, e.code)
            error = e.code
        return Outcome(reference, ticket, tuple(jobs), error, self._folder())

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
        )

    def _print_forms(self, visit: Visit) -> list[PrintJob]:
        catalog = self.context.catalog
        form_ids = dict.fromkeys(f for p in visit.procedures for f in catalog.procedure(p).forms)
        ward = self.context.settings.ward.form_addressee()
        form_input = _FormInput(visit, ward, self._today())
        return [
            self.forms_printer.print_pdf(
                FORMS[form_id](form_input), title=f"{form_id}-{visit.reference}"
            )
            for form_id in form_ids
        ]

    def _print_ticket(self, visit: Visit, ticket: Ticket) -> PrintJob:
        from kiosk.forms.ticket import render_ticket

        settings = self.context.settings
        texts = self.context.texts_for(visit.language)
        pdf = render_ticket(
            ticket,
            ward_name=settings.ward.name_in(visit.language),
            counter_label=counter_label(settings, texts, ticket.counter),
            category_label=texts.text(f"catalog.categories.{ticket.category}"),
            language_line=texts.text("ui.ticket.line"),
        )
        return self.ticket_printer.print_pdf(pdf, title=f"ticket-{ticket.code}")

    def _folder(self) -> Path | None:
        printers = (self.forms_printer, self.ticket_printer)
        folders = [p.folder for p in printers if isinstance(p, FolderPrinter)]
        return folders[0] if folders else None
