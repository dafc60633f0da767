"""The folder printer exists only where a setting turns it on, and its PDFs expire.

Its files hold the visitor's card data: outside demo mode (``printing.folder_printer``
off) a kiosk without a queue prints nothing and sends the visitor to staff, and the
PDFs are deleted on the retention schedule of the database's card data.
"""

from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path

from kiosk.cli.run import demo_settings
from kiosk.config import Settings
from kiosk.context import KioskContext
from kiosk.doctor import printer_checks
from kiosk.printing import (
    FolderPrinter,
    NoPrinter,
    PrinterUnavailable,
    configured_printer,
    print_and_wait,
    printer_from_settings,
    purge_printed,
)
from kiosk.tickets import PdfTicketPrinter, ticket_printer_from_settings
from kiosk.visit import Visit
from tests.kiosk_fixture import make_checkout

PDF = b"%PDF-1.4\n%kiosk test\n"
DAY = 24 * 3600


def settings_for(tmp_path: Path, **printing: object) -> Settings:
    return Settings.model_validate(
        {
            "database": {
                "url": f"sqlite:///{tmp_path / 'kiosk.db'}",
                "private_key_file": str(tmp_path / "keys" / "ward-key.pem"),
                "public_key_file": str(tmp_path / "keys" / "ward-key.pem.pub"),
            },
            "printing": {"output_dir": str(tmp_path / "printed"), **printing},
        }
    )


def test_without_a_queue_a_production_kiosk_writes_no_pdf(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    forms = configured_printer(settings, "", "printing.forms_printer")
    assert isinstance(forms, NoPrinter)
    outcome = print_and_wait(forms, PDF, title="forms-V7K2Q9XA")
    assert outcome.state == "not_submitted"
    assert isinstance(outcome.error, PrinterUnavailable)
    assert outcome.error.code == "printer_unavailable"  # the visitor is sent to staff
    assert "printing.forms_printer is empty" in str(outcome.error)
    assert isinstance(ticket_printer_from_settings(settings), PdfTicketPrinter)
    assert not (tmp_path / "printed").exists()


def test_the_folder_printer_is_on_in_demo_mode_and_when_set(tmp_path: Path) -> None:
    assert isinstance(
        configured_printer(settings_for(tmp_path, folder_printer=True), ""), FolderPrinter
    )
    demo = demo_settings(settings_for(tmp_path))
    assert isinstance(configured_printer(demo, ""), FolderPrinter)
    # A queue always wins: the folder printer is only the demo's stand-in for one.
    assert not isinstance(configured_printer(demo, "front-desk"), FolderPrinter)
    assert isinstance(printer_from_settings("", None, setting="x"), NoPrinter)


def test_doctor_says_when_the_folder_printer_is_on(tmp_path: Path) -> None:
    checks = printer_checks(settings_for(tmp_path, folder_printer=True))
    assert [(c.check, c.status) for c in checks] == [
        ("forms printer", "warning"),
        ("ticket printer", "warning"),
    ]
    assert "folder printer is on" in checks[0].detail
    assert str(tmp_path / "printed") in checks[0].detail
    assert checks[0].action is not None and "folder_printer off" in checks[0].action


def test_doctor_reports_a_missing_queue_as_an_error(tmp_path: Path) -> None:
    forms, ticket = printer_checks(settings_for(tmp_path))
    assert (forms.status, ticket.status) == ("error", "error")
    assert "printing.forms_printer is empty" in forms.detail
    assert "sent to staff" in forms.detail
    assert forms.action is not None and "set printing.forms_printer" in forms.action


def write_pdf(folder: Path, name: str, age_days: float) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(PDF)
    then = time.time() - age_days * DAY
    os.utime(path, (then, then))
    return path


def test_printed_pdfs_older_than_the_retention_are_deleted(tmp_path: Path) -> None:
    old = write_pdf(tmp_path, "20260101-forms-OLD.pdf", 8)
    new = write_pdf(tmp_path, "20260108-forms-NEW.pdf", 6)
    other = tmp_path / "notes.txt"  # only the printer's PDFs are its to delete
    other.write_text("x")
    os.utime(other, (0, 0))
    assert purge_printed(tmp_path, timedelta(days=7)) == 1
    assert not old.exists()
    assert new.exists() and other.exists()
    assert purge_printed(tmp_path, timedelta(days=7)) == 0
    assert purge_printed(tmp_path / "never-made", timedelta(days=7)) == 0


def test_the_purge_schedule_deletes_printed_pdfs_with_the_card_data(tmp_path: Path) -> None:
    # Checkout.purge_expired is what the kiosk runs at start and every hour
    # (kiosk.ui.app), and what `ward-kiosk data purge` does.
    settings = settings_for(tmp_path, folder_printer=True)
    context = KioskContext.load(settings=settings)
    checkout = make_checkout(context)  # forms and tickets to the folder printer
    try:
        answers = {"purpose": "certificate", "certificate_kind": "juminhyo"}
        procedures = [p.id for p in context.catalog.procedures_for(answers)]
        outcome = checkout.complete(Visit(language="en", answers=answers, procedures=procedures))
        printed = [Path(job.destination) for job in outcome.jobs]
        assert printed and all(path.is_file() for path in printed)
        old = write_pdf(settings.output_dir(), "20260101-forms-OLD.pdf", 8)
        checkout.purge_expired()
        assert not old.exists()
        assert all(path.is_file() for path in printed)  # within the retention period
        for path in printed:
            os.utime(path, (time.time() - 8 * DAY,) * 2)
        checkout.purge_expired()
        assert not any(path.exists() for path in printed)
    finally:
        checkout.close()


def test_a_retention_of_zero_days_deletes_every_pdf_at_once(tmp_path: Path) -> None:
    write_pdf(tmp_path, "a.pdf", 0.001)
    assert purge_printed(tmp_path, timedelta(days=0)) == 1
