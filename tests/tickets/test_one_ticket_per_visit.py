"""One visit, one ticket, one forms job: whatever fails, however often it is tried again.

The checkout keeps a visit's progress across attempts (``CheckoutProgress``): a ticket
issued by an attempt that then failed is reused, a job already handed to a printer is
not submitted again, and a wait estimate the database cannot give is left off the
ticket instead of stopping it.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.checkout import Checkout
from kiosk.checkout_progress import CheckoutProgress
from kiosk.config import Settings
from kiosk.context import KioskContext
from kiosk.printing import CupsPrinter, FolderPrinter
from kiosk.storage import DatabaseUnavailable
from kiosk.tickets import PdfTicketPrinter
from kiosk.visit import Visit
from tests.cups_fixture import CupsServer
from tests.keys import open_store
from tests.kiosk_fixture import pdf_text

ANSWERS = {"purpose": "certificate", "certificate_kind": "juminhyo", "priority": "none"}


class LostAnswer:
    """The real store, but the answer to the first ticket is lost after the database
    committed it (a connection that dropped at the wrong moment)."""

    def __init__(self, store: Any) -> None:
        self._store = store
        self.issued = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def issue_ticket(self, **kwargs: Any) -> Any:
        ticket = self._store.issue_ticket(**kwargs)
        self.issued += 1
        if self.issued == 1:
            raise DatabaseUnavailable("the connection dropped after COMMIT (test)")
        return ticket


class NoEstimate:
    """The real store, but the queue's service times cannot be read."""

    def __init__(self, store: Any) -> None:
        self._store = store

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def service_seconds(self, category: str) -> list[float]:
        raise DatabaseUnavailable("statement timeout (test)")


class CrashOnce:
    """A ticket printer whose first ticket fails with an error no one planned for."""

    def __init__(self, printer: PdfTicketPrinter) -> None:
        self.printer = printer
        self.crashed = False

    def print_ticket(self, slip: Any) -> Any:
        if not self.crashed:
            self.crashed = True
            raise RuntimeError("the ticket printer's driver crashed (test)")
        return self.printer.print_ticket(slip)


def checkout_with(
    context: KioskContext, wrap: Any = None, *, forms: Any = None, tickets: Any = None
) -> Checkout:
    settings = context.settings
    folder = FolderPrinter(settings.output_dir())

    def store() -> Any:
        real = open_store(settings.database_url(), settings.private_key_file())
        return wrap(real) if wrap else real

    return Checkout(context, store, forms or folder, tickets or PdfTicketPrinter(folder))


def visit(context: KioskContext) -> Visit:
    procedures = [p.id for p in context.catalog.procedures_for(ANSWERS)]
    return Visit(language="en", answers=dict(ANSWERS), procedures=procedures)


def rows(settings: Settings, table: str) -> int:
    path = settings.database_url().removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        return int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608


def printed(settings: Settings, kind: str) -> list[Path]:
    return sorted(settings.output_dir().glob(f"*{kind}*.pdf"))


_queues = itertools.count(1)


@pytest.fixture
def forms_queue(cups_pdf_queue: CupsServer) -> Iterator[str]:
    """A cups-pdf queue of its own, so its job list holds only this test's jobs."""
    name = f"kiosk-once-{next(_queues)}"
    cups_pdf_queue.add_queue(name)
    yield name
    cups_pdf_queue.remove_queue(name)


def jobs_on(server: CupsServer, queue: str) -> list[str]:
    """Every job the queue took: completed ones (kept 300 s) and the rest."""
    out = server.run("lpstat", "-W", "all", "-o", queue).stdout
    return [line.split()[0] for line in out.splitlines() if line.strip()]


def test_a_ticket_whose_answer_was_lost_is_reused_when_tried_again(kiosk_context):
    settings = kiosk_context.settings
    checkout = checkout_with(kiosk_context, LostAnswer)
    progress, record = CheckoutProgress(), visit(kiosk_context)
    try:
        with pytest.raises(DatabaseUnavailable):
            checkout.complete(record, progress)
        assert printed(settings, "forms") == []  # nothing is printed before the ticket
        outcome = checkout.complete(visit(kiosk_context), progress)  # "Try again"
    finally:
        checkout.close()
    assert outcome.ticket.code == "A-001"
    assert outcome.reference == progress.reference
    assert rows(settings, "tickets") == 1
    assert rows(settings, "visits") == 1  # stored once, then updated
    assert len(printed(settings, "forms")) == len(printed(settings, "ticket")) == 1


@pytest.mark.cups
def test_forms_already_with_the_printer_are_not_submitted_again(
    kiosk_context, cups_pdf_queue, forms_queue
):
    settings = kiosk_context.settings
    folder = FolderPrinter(settings.output_dir())
    tickets = CrashOnce(PdfTicketPrinter(folder))
    forms = CupsPrinter(forms_queue, server=cups_pdf_queue.server, job_timeout=30)
    checkout = checkout_with(kiosk_context, forms=forms, tickets=tickets)
    progress = CheckoutProgress()
    try:
        with pytest.raises(RuntimeError, match="driver crashed"):
            checkout.complete(visit(kiosk_context), progress)
        assert len(jobs_on(cups_pdf_queue, forms_queue)) == 1
        outcome = checkout.complete(visit(kiosk_context), progress)  # "Try again"
    finally:
        checkout.close()
    assert outcome.print_error == "", cups_pdf_queue.log_tail()
    assert jobs_on(cups_pdf_queue, forms_queue) == [job.id for job in outcome.jobs[:1]]
    assert rows(settings, "tickets") == 1
    assert len(printed(settings, "ticket")) == 1


def test_a_failed_estimate_prints_the_ticket_without_it(kiosk_context):
    settings = kiosk_context.settings
    checkout = checkout_with(kiosk_context, NoEstimate)
    try:
        outcome = checkout.complete(visit(kiosk_context))
    finally:
        checkout.close()
    assert outcome.print_error == ""
    assert outcome.ticket.code == "A-001"
    [ticket] = printed(settings, "ticket")
    text = pdf_text(ticket)
    assert "A-001" in text and outcome.reference in text
    assert "Estimated wait" not in text
    assert "Waiting ahead" in text  # the rest of the ticket is all there
