"""``ward-kiosk print``: the printers, checked from the command line.

``print test`` prints a one-page test PDF on each configured printer (a test
ticket on an ESC/POS receipt printer) and follows each job until it completes;
``print reprint`` prints a stored visit's cover page and forms again.
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

import click

from kiosk.cli.common import cli_actor, config_option, settings_from
from kiosk.config import Settings
from kiosk.printing import (
    JOB_TIMEOUT,
    CupsPrinter,
    FolderPrinter,
    JobOutcome,
    JobState,
    Printer,
    PrinterError,
    PrinterUnavailable,
    folder_of,
    print_and_wait,
    printer_from_settings,
)

ROLES = ("forms", "ticket")
MM = 72 / 25.4
PAGES = {"forms": (210 * MM, 297 * MM), "ticket": (80 * MM, 120 * MM)}  # A4, the ticket roll
TITLE = "印刷テスト / Printer test"


@dataclass(frozen=True)
class PageResult:
    """One printer's test page, as ``print test`` reports it (one JSON object)."""

    printer: str  # "forms" or "ticket"
    destination: str  # the CUPS queue, or the file a folder printer wrote
    job: str | None
    state: JobState
    error: str | None  # the error code, as the kiosk shows it to visitors
    message: str  # what happened, in English, with what to do


@click.group("print")
def print_group() -> None:
    """Printers: test pages (and reprints)."""


@print_group.command("test")
@config_option
@click.option(
    "--printer",
    "which",
    type=click.Choice([*ROLES, "all"]),
    default="all",
    show_default=True,
    help="Which configured printer gets a test page.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.5),
    default=JOB_TIMEOUT,
    show_default=True,
    help="Seconds to follow each job before calling it stuck.",
)
def print_test(config_file: Path | None, which: str, timeout: float) -> None:
    """Print a test page on each configured printer and follow each job.

    Prints one JSON object per printer: printer, destination, job, state, error,
    message. Exits 1 if any page did not complete.
    """
    settings = settings_from(config_file)
    roles = ROLES if which == "all" else (which,)
    results = [print_test_page(settings, role, timeout=timeout) for role in roles]
    for result in results:
        click.echo(json.dumps(asdict(result), ensure_ascii=False))
    if any(result.state != "completed" for result in results):
        sys.exit(1)


def print_test_page(settings: Settings, role: str, *, timeout: float = JOB_TIMEOUT) -> PageResult:
    """Render and print the test page on the printer configured for ``role``, and follow it."""
    printing = settings.printing
    if role == "ticket" and printing.escpos.connection:
        return print_test_receipt(settings)
    queue = printing.forms_printer if role == "forms" else printing.ticket_printer
    server = printing.cups_server or None
    try:
        printer = printer_from_settings(
            queue,
            folder_of(settings),
            server=server,
            job_timeout=timeout,
            setting=f"printing.{role}_printer",
        )
    except ValueError as e:
        error = PrinterUnavailable(f"{e}; fix printing.{role}_printer in the settings")
        return _result(role, queue, JobOutcome(None, "not_submitted", error))
    pdf = render_test_page(_page_lines(settings, role, printer), PAGES[role])
    outcome = print_and_wait(printer, pdf, title=f"test-page-{role}")
    return _result(role, _destination(printer, outcome), outcome)


def print_test_receipt(settings: Settings) -> PageResult:
    """A test ticket (code TEST) on the ESC/POS receipt printer."""
    from kiosk.i18n import REFERENCE_LANGUAGE, Translations
    from kiosk.tickets import ticket_printer_from_settings
    from kiosk.tickets.slip import TicketSlip, slip_texts

    texts = Translations.load(REFERENCE_LANGUAGE)
    line = texts.text("printing.test_page.line")
    now = datetime.now().astimezone()
    slip = TicketSlip(
        code="TEST",
        language=REFERENCE_LANGUAGE,
        ward_name=settings.ward.name,
        category_label=TITLE,
        counter_label=f"{settings.printing.escpos.connection} receipt printer",
        waiting_ahead=0,
        estimate_minutes=None,
        issued_at=now,
        reference="TEST",
        language_line=line,
        texts=slip_texts(texts, 0, None, now),
    )
    printer = ticket_printer_from_settings(settings)
    destination = f"escpos:{settings.printing.escpos.connection}"
    try:
        job = printer.print_ticket(slip)
    except PrinterError as e:
        return _result("ticket", destination, JobOutcome(None, "not_submitted", e))
    return _result("ticket", destination, JobOutcome(job, "completed"))


@print_group.command("reprint")
@config_option
@click.argument("reference")
def print_reprint(config_file: Path | None, reference: str) -> None:
    """Print a visit's cover page and forms again (staff at the counter), and follow the job.

    Prints JSON: visit, job, destination, state, error, message. Exits 1 if the
    forms did not print. The access is written to the access log.
    """
    from kiosk.assembly import assemble
    from kiosk.context import KioskContext
    from kiosk.storage import StorageError

    context = KioskContext.load(settings=settings_from(config_file))
    checkout = assemble(context, role="counter").checkout  # reading the visit back
    try:
        outcome = checkout.reprint(reference, actor=cli_actor())
    except (StorageError, PrinterError) as e:
        raise click.ClickException(str(e)) from None
    finally:
        checkout.close()
    error = outcome.error
    report = {
        "visit": reference.strip().upper(),
        "job": outcome.job.id if outcome.job else None,
        "destination": outcome.job.destination if outcome.job else None,
        "state": outcome.state,
        "error": error.code if error else None,
        "message": str(error) if error else _reprinted(outcome),
    }
    click.echo(json.dumps(report, ensure_ascii=False))
    if not outcome.ok:
        sys.exit(1)


def _reprinted(outcome: JobOutcome) -> str:
    if outcome.job is None:
        return "nothing to print: the visit's procedures have no form"
    return "the cover page and forms were printed again"


def render_test_page(lines: Sequence[str], page: tuple[float, float]) -> bytes:
    """One page: the lines from the top, each fitted to the width, inside a frame."""
    from reportlab.pdfgen.canvas import Canvas

    from kiosk.forms import fonts

    width, height = page
    margin = min(width, height) * 0.06
    box = min((height - 2 * margin) / max(len(lines), 1), 12 * MM)
    buffer = io.BytesIO()
    with fonts.rendering() as font_name:
        canvas = Canvas(buffer, pagesize=page, pageCompression=1, initialFontName=font_name)
        canvas.setTitle(TITLE)
        canvas.setCreator("ward-kiosk")
        canvas.rect(margin / 2, margin / 2, width - margin, height - margin)
        top = height - margin
        for number, line in enumerate(lines):
            fitted = fonts.fit(line, width - 2 * margin, box, size=16 if number == 0 else 11)
            fonts.draw_fitted(canvas, fitted, margin, top - (number + 1) * box, box)
        canvas.showPage()
        canvas.save()
    return buffer.getvalue()


def _page_lines(settings: Settings, role: str, printer: Printer) -> list[str]:
    from kiosk.i18n import REFERENCE_LANGUAGE, Translations, available_languages

    where = printer.description if isinstance(printer, CupsPrinter) else "a folder of PDF files"
    lines = [
        TITLE,
        settings.ward.name,
        f"{role} printer: {where}",
        f"{datetime.now():%Y-%m-%d %H:%M:%S}",
    ]
    for language in sorted(available_languages(), key=lambda code: code != REFERENCE_LANGUAGE):
        lines.append(f"{language}: {Translations.load(language).text('printing.test_page.line')}")
    return lines


def _destination(printer: Printer, outcome: JobOutcome) -> str:
    if isinstance(printer, CupsPrinter):
        return printer.queue
    if outcome.job is not None:
        return outcome.job.destination
    return str(printer.folder) if isinstance(printer, FolderPrinter) else ""


def _result(role: str, destination: str, outcome: JobOutcome) -> PageResult:
    error = outcome.error
    message = str(error) if error else f"test page printed on the {role} printer"
    return PageResult(
        printer=role,
        destination=destination,
        job=outcome.job.id if outcome.job else None,
        state=outcome.state,
        error=error.code if error else None,
        message=message,
    )
