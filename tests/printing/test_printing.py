"""Printers: the folder printer, error codes, and real CUPS jobs on a private cupsd."""

from __future__ import annotations

import re
import shutil
import stat
import subprocess
from datetime import datetime
from pathlib import Path

import pytest

from kiosk.forms import render_ticket
from kiosk.printing import (
    ERROR_CODES,
    CupsNotRunning,
    CupsPrinter,
    FolderPrinter,
    JobStuck,
    OutOfPaper,
    PaperJam,
    PrinterError,
    PrinterOffline,
    PrinterUnavailable,
    PrintFailed,
    print_and_wait,
    printer_from_settings,
    safe_filename,
)
from kiosk.visit import Ticket
from tests.cups_fixture import CupsServer

PDF = b"%PDF-1.4\n%kiosk test\n"


@pytest.fixture(scope="module")
def ticket_pdf() -> bytes:
    ticket = Ticket("B-007", "tax", 7, "5", 2, datetime(2026, 11, 22, 9, 30))
    return render_ticket(
        ticket,
        ward_name="大阪市北区役所",
        counter_label="5番窓口",
        category_label="税の証明",
        language_line="Please wait.",
    )


def test_folder_printer_writes_owner_only_pdf(tmp_path: Path) -> None:
    folder = tmp_path / "out" / "nested"
    job = FolderPrinter(folder).print_pdf(PDF, title="住民異動届 moving-in")
    path = Path(job.destination)
    assert path.parent == folder
    assert path.read_bytes() == PDF
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert path.name.endswith("-住民異動届_moving-in.pdf")
    assert job.id == path.stem


def test_folder_printer_keeps_every_job(tmp_path: Path) -> None:
    printer = FolderPrinter(tmp_path)
    paths = {printer.print_pdf(PDF, title="same").destination for _ in range(5)}
    assert len(paths) == 5
    assert printer.status() == "ready"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("../../etc/passwd", "etc_passwd"),
        ("", "job"),
        ("a/b\\c d", "a_b_c_d"),
        ("x" * 99, "x" * 60),
    ],
)
def test_safe_filename(title: str, expected: str) -> None:
    assert safe_filename(title) == expected


def test_folder_printer_unavailable_when_folder_cannot_exist(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    printer = FolderPrinter(blocker / "out")
    with pytest.raises(PrinterUnavailable) as info:
        printer.print_pdf(PDF, title="x")
    assert info.value.code == "printer_unavailable"
    assert printer.status() == "missing"


def test_printers_refuse_non_pdf(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="PDF"):
        FolderPrinter(tmp_path).print_pdf(b"hello", title="x")
    with pytest.raises(ValueError, match="PDF"):
        CupsPrinter("q").print_pdf(b"hello", title="x")


@pytest.mark.parametrize(
    ("cls", "code", "base"),
    [
        (PrinterUnavailable, "printer_unavailable", PrinterError),
        (CupsNotRunning, "cups_not_running", PrinterUnavailable),
        (PrinterOffline, "printer_offline", PrinterUnavailable),
        (OutOfPaper, "out_of_paper", PrinterUnavailable),
        (PaperJam, "paper_jam", PrinterUnavailable),
        (PrintFailed, "print_failed", PrinterError),
        (JobStuck, "job_stuck", PrinterError),
    ],
)
def test_error_codes_are_stable(cls: type[PrinterError], code: str, base: type) -> None:
    assert cls("x").code == code
    assert issubclass(cls, base)
    assert code in ERROR_CODES


def test_folder_jobs_complete_at_once(tmp_path: Path) -> None:
    printer = FolderPrinter(tmp_path)
    outcome = print_and_wait(printer, PDF, title="x")
    assert outcome.ok
    assert outcome.job is not None
    Path(outcome.job.destination).unlink()
    gone = printer.wait(outcome.job)
    assert gone.state == "not_completed"
    assert isinstance(gone.error, PrintFailed)


def test_printer_from_settings(tmp_path: Path) -> None:
    assert isinstance(printer_from_settings("", tmp_path), FolderPrinter)
    assert isinstance(printer_from_settings("  ", tmp_path), FolderPrinter)
    cups = printer_from_settings("front-desk", tmp_path, job_timeout=12)
    assert isinstance(cups, CupsPrinter)
    assert cups.queue == "front-desk"
    assert cups.job_timeout == 12


def test_cups_printer_rejects_option_like_queue() -> None:
    with pytest.raises(ValueError, match="queue"):
        CupsPrinter("-oevil")


@pytest.mark.skipif(not shutil.which("lpstat"), reason="needs lpstat (cups-client)")
def test_no_scheduler_is_unavailable(tmp_path: Path) -> None:
    printer = CupsPrinter("kiosk-pdf", server=str(tmp_path / "no-cupsd.sock"))
    assert printer.status() == "no_scheduler"
    with pytest.raises(CupsNotRunning, match="CUPS is not running") as info:
        printer.print_pdf(PDF, title="x")
    assert info.value.code == "cups_not_running"
    assert isinstance(info.value, PrinterUnavailable)


def test_missing_lp_is_unavailable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(PrinterUnavailable, match="cups-client"):
        CupsPrinter("kiosk-pdf").status()


@pytest.mark.cups
def test_cups_job_arrives_as_pdf(cups_pdf_queue: CupsServer, ticket_pdf: bytes) -> None:
    printer = CupsPrinter(cups_pdf_queue.queue, server=cups_pdf_queue.server)
    assert printer.status() == "ready"
    job = printer.print_pdf(ticket_pdf, title="Queue ticket")
    assert job.id.startswith(f"{cups_pdf_queue.queue}-")
    assert cups_pdf_queue.queue in job.destination
    out = cups_pdf_queue.wait_for_output(job.id, timeout=30)
    assert out.read_bytes().startswith(b"%PDF-")
    # cups-pdf re-renders through PostScript; the Latin text survives extraction.
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, check=True).stdout
    assert b"Please wait." in text
    assert b"09:30" in text


@pytest.mark.cups
def test_stopped_queue_is_unavailable(cups_pdf_queue: CupsServer) -> None:
    cups_pdf_queue.disable(reason="paper jam")
    printer = CupsPrinter(cups_pdf_queue.queue, server=cups_pdf_queue.server)
    assert printer.status() == "stopped"
    with pytest.raises(PrinterUnavailable, match=r"paper jam.*cupsenable") as info:
        printer.print_pdf(PDF, title="x")
    assert info.value.code == "printer_unavailable"


@pytest.mark.cups
def test_rejecting_queue_is_unavailable(cups_pdf_queue: CupsServer) -> None:
    cups_pdf_queue.reject()
    printer = CupsPrinter(cups_pdf_queue.queue, server=cups_pdf_queue.server)
    assert printer.status() == "rejecting"
    with pytest.raises(PrinterUnavailable, match="cupsaccept"):
        printer.print_pdf(PDF, title="x")


@pytest.mark.cups
def test_missing_queue_is_unavailable(cups_pdf_queue: CupsServer) -> None:
    printer = CupsPrinter("no-such-queue", server=cups_pdf_queue.server)
    assert printer.status() == "missing"
    with pytest.raises(PrinterUnavailable, match="does not exist") as info:
        printer.print_pdf(PDF, title="x")
    assert info.value.code == "printer_unavailable"


@pytest.mark.cups
def test_second_queue_prints_too(cups_pdf_queue: CupsServer, ticket_pdf: bytes) -> None:
    cups_pdf_queue.add_queue("kiosk-pdf-2")
    job = CupsPrinter("kiosk-pdf-2", server=cups_pdf_queue.server).print_pdf(
        ticket_pdf, title="second"
    )
    assert cups_pdf_queue.wait_for_output(job.id).exists()


@pytest.mark.cups
def test_cups_options_set_the_media(cups_pdf_queue: CupsServer, ticket_pdf: bytes) -> None:
    printer = CupsPrinter(
        cups_pdf_queue.queue, server=cups_pdf_queue.server, options={"media": "Custom.80x120mm"}
    )
    out = cups_pdf_queue.wait_for_output(printer.print_pdf(ticket_pdf, title="ticket").id)
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True)
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info.stdout)
    assert size is not None
    assert float(size[1]) == pytest.approx(80 / 25.4 * 72, abs=1.5)
    assert float(size[2]) == pytest.approx(120 / 25.4 * 72, abs=1.5)
