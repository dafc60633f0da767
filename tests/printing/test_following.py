"""Following a job on a private cupsd until it completes, or until CUPS says why not.

The failures are real: queues on the kiosk-fault backend (tests/cups_fixture.py)
report printer-state-reasons like a printer does, so the scheduler shows them. A job
the kiosk gives up on is cancelled: it must never print later, unattended.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from kiosk.i18n import Translations
from kiosk.printing import (
    CupsNotRunning,
    CupsPrinter,
    JobOutcome,
    JobStuck,
    OutOfPaper,
    PaperJam,
    PrinterError,
    PrinterOffline,
    PrinterUnavailable,
    PrintJob,
    message_key,
    print_and_wait,
)
from tests.cups_fixture import BACKEND_HOLD, BACKEND_STOP, CupsServer, FaultQueue

pytestmark = pytest.mark.cups

# Short waits keep each test well under 10 s; the defaults are for real printers.
FAST = {"job_timeout": 5.0, "fault_grace": 0.3, "offline_after": 0.5, "poll_interval": 0.1}


@pytest.fixture(scope="module")
def pdf() -> bytes:
    import io

    from reportlab.pdfgen.canvas import Canvas  # a one-line page, quick for the filters

    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    canvas.drawString(72, 720, "kiosk printing test")
    canvas.save()
    return buffer.getvalue()


def printer_for(server: CupsServer, queue: str, **overrides: float) -> CupsPrinter:
    return CupsPrinter(queue, server=server.server, **{**FAST, **overrides})


def assert_cancelled(server: CupsServer, queue: str, job: PrintJob, outcome: JobOutcome) -> None:
    """The job is gone from the queue and from the spool: it cannot print later."""
    assert outcome.state == "cancelled", outcome.error
    assert f"cancels job {job.id}" in str(outcome.error)
    assert job.id not in server.not_completed_jobs(queue)
    assert spooled_files(server, job) == []


def spooled_files(server: CupsServer, job: PrintJob) -> list[str]:
    """The job's document files in cupsd's spool (d<job>-<doc>), after a bounded wait."""
    pattern = f"d{int(job.id.rsplit('-', 1)[-1]):05d}-*"
    deadline = time.monotonic() + 5
    while (files := sorted(p.name for p in (server.root / "spool").glob(pattern))) and (
        time.monotonic() < deadline
    ):
        time.sleep(0.1)
    return files


def assert_visitor_told(error: PrinterError | None) -> None:
    """Every language has a message for the error that sends the visitor to the counter."""
    assert error is not None
    for language, counter in (("ja", "窓口"), ("en", "counter"), ("ko", "창구")):
        text = Translations.load(language).text(message_key(error.code))
        assert counter in text, (language, error.code)


def test_the_job_completes_and_the_pdf_arrives(cups_pdf_queue: CupsServer, pdf: bytes) -> None:
    printer = printer_for(cups_pdf_queue, cups_pdf_queue.queue)
    job = printer.print_pdf(pdf, title="follow me")
    outcome = printer.wait(job)
    assert outcome.ok, (outcome.error, cups_pdf_queue.log_tail())
    assert outcome.state == "completed"
    assert outcome.error is None
    outcome.check()
    # Completed means the PDF is there already: no waiting for it.
    number = job.id.rsplit("-", 1)[-1]
    [out] = cups_pdf_queue.output_dir.glob(f"*job_{number}.pdf")
    assert out.read_bytes().startswith(b"%PDF-")
    assert job.id not in cups_pdf_queue.not_completed_jobs()


def test_cups_keeps_no_job_files_after_a_job(cups_pdf_queue: CupsServer, pdf: bytes) -> None:
    # The fixture's cupsd.conf went through installer/debian/cups-privacy.sh, as a
    # kiosk's does: the printed document (personal data) is not kept in the spool.
    conf = (cups_pdf_queue.root / "etc" / "cupsd.conf").read_text()
    assert "\nPreserveJobFiles No\n" in conf and "\nPreserveJobHistory 300\n" in conf
    printer = printer_for(cups_pdf_queue, cups_pdf_queue.queue)
    job = printer.print_pdf(pdf, title="no copy kept")
    assert printer.wait(job).ok
    assert spooled_files(cups_pdf_queue, job) == []


def test_cancelling_a_job_that_already_ended_is_no_failure(
    cups_pdf_queue: CupsServer, pdf: bytes
) -> None:
    printer = printer_for(cups_pdf_queue, cups_pdf_queue.queue)
    job = printer.print_pdf(pdf, title="done already")
    assert printer.wait(job).ok
    outcome = printer._give_up(job, JobStuck("a verdict that came too late (test)"))
    assert outcome.state == "cancelled"  # nothing is left in the queue to print later
    assert "Cancelling it failed" not in str(outcome.error)
    gone = PrintJob(f"{cups_pdf_queue.queue}-99999", printer.description)
    assert printer._give_up(gone, JobStuck("x")).state == "cancelled"


def test_print_and_wait_reports_a_refusal(cups_pdf_queue: CupsServer, pdf: bytes) -> None:
    cups_pdf_queue.disable(reason="toner cover open")
    outcome = print_and_wait(printer_for(cups_pdf_queue, cups_pdf_queue.queue), pdf, title="x")
    assert outcome.state == "not_submitted"
    assert outcome.job is None
    assert isinstance(outcome.error, PrinterUnavailable)
    assert outcome.error.code == "printer_unavailable"
    assert "toner cover open" in str(outcome.error)
    assert "cupsenable kiosk-pdf" in str(outcome.error)
    assert_visitor_told(outcome.error)
    with pytest.raises(PrinterUnavailable):
        outcome.check()


def test_a_queue_that_stops_during_the_job(
    fault_queue: FaultQueue, cups_server: CupsServer, pdf: bytes
) -> None:
    queue = fault_queue(status=BACKEND_STOP)
    printer = printer_for(cups_server, queue)
    job = printer.print_pdf(pdf, title="x")
    outcome = printer.wait(job)
    assert type(outcome.error) is PrinterUnavailable, outcome.error
    assert f"cupsenable {queue}" in str(outcome.error)
    assert_cancelled(cups_server, queue, job, outcome)
    assert printer.status() == "stopped"


def test_a_job_on_a_queue_staff_paused_is_cancelled(
    fault_queue: FaultQueue, cups_server: CupsServer, pdf: bytes
) -> None:
    queue = fault_queue(sleep=30)
    printer = printer_for(cups_server, queue)
    job = printer.print_pdf(pdf, title="x")
    cups_server.disable(queue, reason="paused by staff")
    outcome = printer.wait(job)
    assert type(outcome.error) is PrinterUnavailable, outcome.error
    assert "is stopped" in str(outcome.error)
    assert_cancelled(cups_server, queue, job, outcome)
    cups_server.enable(queue)  # nothing is left to print once the queue runs again
    assert cups_server.not_completed_jobs(queue) == []


def test_a_missing_queue(cups_server: CupsServer, pdf: bytes) -> None:
    outcome = print_and_wait(printer_for(cups_server, "no-such-printer"), pdf, title="x")
    assert outcome.state == "not_submitted"
    assert type(outcome.error) is PrinterUnavailable
    assert "does not exist" in str(outcome.error)
    assert_visitor_told(outcome.error)


def test_a_queue_deleted_while_following(
    fault_queue: FaultQueue, cups_server: CupsServer, pdf: bytes
) -> None:
    queue = fault_queue(sleep=30)
    printer = printer_for(cups_server, queue)
    job = printer.print_pdf(pdf, title="x")
    cups_server.remove_queue(queue)
    outcome = printer.wait(job)
    assert type(outcome.error) is PrinterUnavailable
    assert "does not exist" in str(outcome.error)


def test_no_scheduler(tmp_path: Path) -> None:
    printer = CupsPrinter("kiosk-pdf", server=str(tmp_path / "no-cupsd.sock"), **FAST)
    outcome = printer.wait(PrintJob("kiosk-pdf-1", printer.description))
    assert outcome.state == "not_completed"  # not even cancelled: the log says so
    assert isinstance(outcome.error, CupsNotRunning)
    assert "Cancelling it failed" in str(outcome.error)
    assert outcome.error.code == "cups_not_running"
    assert "systemctl start cups" in str(outcome.error)
    assert_visitor_told(outcome.error)


def test_out_of_paper_stops_the_queue(
    fault_queue: FaultQueue, cups_server: CupsServer, pdf: bytes
) -> None:
    queue = fault_queue("media-empty-error", status=BACKEND_STOP)
    printer = printer_for(cups_server, queue)
    job = printer.print_pdf(pdf, title="x")
    outcome = printer.wait(job)
    assert isinstance(outcome.error, OutOfPaper), outcome.error
    assert outcome.error.code == "out_of_paper"
    assert "load paper" in str(outcome.error)
    assert f"cupsenable {queue}" in str(outcome.error)
    assert_cancelled(cups_server, queue, job, outcome)
    assert_visitor_told(outcome.error)
    # The next visitor hears the same before anything is submitted.
    with pytest.raises(OutOfPaper):
        printer.print_pdf(pdf, title="y")


def test_out_of_paper_while_printing(
    fault_queue: FaultQueue, cups_server: CupsServer, pdf: bytes
) -> None:
    queue = fault_queue("media-needed-error", sleep=30)
    printer = printer_for(cups_server, queue)
    outcome = printer.wait(printer.print_pdf(pdf, title="x"))
    assert isinstance(outcome.error, OutOfPaper), outcome.error
    assert "needs paper" in str(outcome.error)


def test_paper_jam(fault_queue: FaultQueue, cups_server: CupsServer, pdf: bytes) -> None:
    queue = fault_queue("media-jam-error", sleep=30)
    printer = printer_for(cups_server, queue)
    job = printer.print_pdf(pdf, title="x")
    outcome = printer.wait(job)
    assert isinstance(outcome.error, PaperJam), outcome.error
    assert outcome.error.code == "paper_jam"
    assert "clear the jam" in str(outcome.error)
    assert_cancelled(cups_server, queue, job, outcome)
    assert_visitor_told(outcome.error)


def test_offline(fault_queue: FaultQueue, cups_server: CupsServer, pdf: bytes) -> None:
    queue = fault_queue("offline-report", sleep=30)
    printer = printer_for(cups_server, queue)
    outcome = printer.wait(printer.print_pdf(pdf, title="x"))
    assert isinstance(outcome.error, PrinterOffline), outcome.error
    assert outcome.error.code == "printer_offline"
    assert "is offline" in str(outcome.error)
    assert_visitor_told(outcome.error)


def test_connecting_for_too_long_is_offline(
    fault_queue: FaultQueue, cups_server: CupsServer, pdf: bytes
) -> None:
    queue = fault_queue("connecting-to-device", sleep=30)
    printer = printer_for(cups_server, queue)
    outcome = printer.wait(printer.print_pdf(pdf, title="x"))
    assert isinstance(outcome.error, PrinterOffline), outcome.error
    assert "connecting to the printer" in str(outcome.error)


def test_a_stuck_job_is_cancelled_at_the_timeout(
    fault_queue: FaultQueue, cups_server: CupsServer, pdf: bytes
) -> None:
    queue = fault_queue(sleep=30)
    printer = printer_for(cups_server, queue)
    job = printer.print_pdf(pdf, title="x")
    started = time.monotonic()
    outcome = printer.wait(job, timeout=1.5)
    assert 1.5 <= time.monotonic() - started < 4
    assert isinstance(outcome.error, JobStuck), outcome.error
    assert outcome.error.code == "job_stuck"
    assert "has been printing it" in str(outcome.error)
    assert_cancelled(cups_server, queue, job, outcome)
    assert_visitor_told(outcome.error)


def test_a_job_waiting_behind_a_stuck_one_is_cancelled_not_the_other(
    fault_queue: FaultQueue, cups_server: CupsServer, pdf: bytes
) -> None:
    queue = fault_queue(sleep=30)
    printer = printer_for(cups_server, queue)
    first = printer.print_pdf(pdf, title="first")
    second = printer.print_pdf(pdf, title="second")
    outcome = printer.wait(second, timeout=1.5)
    assert "waits behind job" in str(outcome.error)
    assert_cancelled(cups_server, queue, second, outcome)
    assert first.id in cups_server.not_completed_jobs(queue)  # its own wait decides on it


def test_a_held_job_is_stuck_at_once(
    fault_queue: FaultQueue, cups_server: CupsServer, pdf: bytes
) -> None:
    queue = fault_queue(status=BACKEND_HOLD)
    printer = printer_for(cups_server, queue)
    job = printer.print_pdf(pdf, title="x")
    started = time.monotonic()
    outcome = printer.wait(job)
    assert time.monotonic() - started < FAST["job_timeout"]
    assert isinstance(outcome.error, JobStuck), outcome.error
    assert "is held" in str(outcome.error)
    assert_cancelled(cups_server, queue, job, outcome)
