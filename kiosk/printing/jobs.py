"""What every printer shares: a job, how it ended, and the ``Printer`` protocol."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal, Protocol

from kiosk.printing.errors import PrinterError

log = logging.getLogger(__name__)

QueueStatus = Literal["ready", "printing", "stopped", "rejecting", "missing", "no_scheduler"]
JobState = Literal["completed", "not_completed", "cancelled", "not_submitted"]
"""``not_completed``: still queued; ``cancelled``: the kiosk gave up on it and cancelled
it, so it can never print later, unattended."""


@dataclass(frozen=True)
class PrintJob:
    """A job handed to a printer: its id and where it went (queue or file path)."""

    id: str
    destination: str


@dataclass(frozen=True)
class JobOutcome:
    """How a job ended as far as the kiosk followed it. ``error`` is None when completed."""

    job: PrintJob | None
    state: JobState
    error: PrinterError | None = None

    @property
    def ok(self) -> bool:
        return self.state == "completed"

    def check(self) -> None:
        """Raise the error, if any (like ``CompletedProcess.check_returncode``)."""
        if self.error is not None:
            raise self.error


class Printer(Protocol):
    def print_pdf(self, pdf: bytes, *, title: str) -> PrintJob:
        """Hand one PDF over; raises PrinterError. Keep personal data out of ``title``."""
        ...

    def wait(self, job: PrintJob, timeout: float | None = None) -> JobOutcome:
        """Block until the job is done or ``timeout`` seconds pass; never raises PrinterError.

        A job the printer gives up on is cancelled, never left to print unattended."""
        ...


def print_and_wait(
    printer: Printer, pdf: bytes, *, title: str, timeout: float | None = None
) -> JobOutcome:
    """Submit one PDF and follow it; a refused job is an outcome, not an exception."""
    try:
        job = printer.print_pdf(pdf, title=title)
    except PrinterError as e:
        return JobOutcome(None, "not_submitted", e)
    return printer.wait(job, timeout)


def failed(job: PrintJob, error: PrinterError, state: JobState = "not_completed") -> JobOutcome:
    log.warning("print job %s did not complete (%s): %s", job.id, error.code, error)
    return JobOutcome(job, state, error)
