"""Printers: CUPS queues (via ``lp``, ``lpstat`` and ``cancel``) and, for demos, a folder.

Printing is two steps. ``print_pdf`` hands one PDF over and returns as soon as the
printer has accepted it; ``wait`` follows that job until CUPS reports it done and
returns a :class:`JobOutcome`. A visit submits all its jobs first, then waits for
them, so the printers work at the same time and every job is queued before the
kiosk waits for any. A job the kiosk gives up on is cancelled: it never prints
later, unattended.

Errors are one hierarchy, :class:`PrinterError`, whose ``code`` is stable so the UI
can translate it (:func:`message_key`); the message is English, for the log, and
says what to do.

Modules: ``errors`` (the hierarchy), ``jobs`` (job, outcome, the ``Printer``
protocol), ``lpstat`` (what CUPS prints, parsed), ``cups`` (the CUPS queue),
``folder`` (the demo's folder printer, its purge, and ``NoPrinter``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.printing.cups import (
    FAULT_GRACE,
    JOB_TIMEOUT,
    OFFLINE_AFTER,
    POLL_INTERVAL,
    CupsPrinter,
)
from kiosk.printing.errors import (
    ERROR_CLASSES,
    ERROR_CODES,
    GENERIC_MESSAGE_KEY,
    CupsNotRunning,
    JobStuck,
    OutOfPaper,
    PaperJam,
    PrinterError,
    PrinterOffline,
    PrinterUnavailable,
    PrintFailed,
    message_key,
)
from kiosk.printing.folder import FolderPrinter, NoPrinter, purge_printed, safe_filename
from kiosk.printing.jobs import (
    JobOutcome,
    JobState,
    Printer,
    PrintJob,
    QueueStatus,
    print_and_wait,
)
from kiosk.printing.lpstat import QueueReport, parse_jobs, parse_queue_report, printer_fault

if TYPE_CHECKING:
    from kiosk.config import Settings

__all__ = [
    "ERROR_CLASSES",
    "ERROR_CODES",
    "FAULT_GRACE",
    "GENERIC_MESSAGE_KEY",
    "JOB_TIMEOUT",
    "OFFLINE_AFTER",
    "POLL_INTERVAL",
    "CupsNotRunning",
    "CupsPrinter",
    "FolderPrinter",
    "JobOutcome",
    "JobState",
    "JobStuck",
    "NoPrinter",
    "OutOfPaper",
    "PaperJam",
    "PrintFailed",
    "PrintJob",
    "Printer",
    "PrinterError",
    "PrinterOffline",
    "PrinterUnavailable",
    "QueueReport",
    "QueueStatus",
    "configured_printer",
    "folder_of",
    "message_key",
    "parse_jobs",
    "parse_queue_report",
    "print_and_wait",
    "printer_fault",
    "printer_from_settings",
    "purge_printed",
    "safe_filename",
]


def printer_from_settings(
    queue: str,
    output_dir: Path | None,
    *,
    server: str | None = None,
    job_timeout: float = JOB_TIMEOUT,
    setting: str = "the printer queue",
) -> Printer:
    """The CUPS queue ``queue``; when it is empty, a folder printer writing to
    ``output_dir``, or (``output_dir`` None: the folder printer is off) ``NoPrinter``."""
    queue = queue.strip()
    if queue:
        return CupsPrinter(queue, server, job_timeout=job_timeout)
    if output_dir is None:
        return NoPrinter(setting)
    return FolderPrinter(output_dir)


def folder_of(settings: Settings) -> Path | None:
    """The folder printer's folder, or None when it is off (outside demo mode)."""
    return settings.output_dir() if settings.printing.folder_printer else None


def configured_printer(settings: Settings, queue: str, setting: str = "") -> Printer:
    """``queue`` on the settings' CUPS server, followed up to the job timeout; when
    ``queue`` is empty, the output folder if the folder printer is on, else NoPrinter."""
    printing = settings.printing
    return printer_from_settings(
        queue,
        folder_of(settings),
        server=printing.cups_server or None,
        job_timeout=printing.job_timeout_seconds,
        setting=setting or "the printer queue in [printing]",
    )
