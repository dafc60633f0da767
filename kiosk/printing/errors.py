"""Printing errors: one hierarchy whose ``code`` the UI translates.

The message is English, for the log, and says what to do; the visitor's text is
``printing.errors.<code>`` in ``resources/i18n/<lang>/printing.toml``.
"""

from __future__ import annotations

from typing import ClassVar


class PrinterError(Exception):
    """A job could not be printed. ``code`` tells the UI which message to show."""

    code: ClassVar[str] = "print_failed"


class PrinterUnavailable(PrinterError):
    """The printer cannot take jobs now: queue missing, stopped or rejecting."""

    code: ClassVar[str] = "printer_unavailable"


class CupsNotRunning(PrinterUnavailable):
    """The CUPS scheduler does not answer."""

    code: ClassVar[str] = "cups_not_running"


class PrinterOffline(PrinterUnavailable):
    """CUPS cannot reach the printer (``offline-report``, or connecting for too long)."""

    code: ClassVar[str] = "printer_offline"


class OutOfPaper(PrinterUnavailable):
    """The printer reports ``media-empty`` or ``media-needed``."""

    code: ClassVar[str] = "out_of_paper"


class PaperJam(PrinterUnavailable):
    """The printer reports ``media-jam``."""

    code: ClassVar[str] = "paper_jam"


class PrintFailed(PrinterError):
    """The printer was there but the job was refused, could not be written, or was stopped."""

    code: ClassVar[str] = "print_failed"


class JobStuck(PrinterError):
    """The job did not complete in time, or is held; the kiosk cancels it."""

    code: ClassVar[str] = "job_stuck"


ERROR_CLASSES: tuple[type[PrinterError], ...] = (
    PrinterUnavailable,
    CupsNotRunning,
    PrinterOffline,
    OutOfPaper,
    PaperJam,
    PrintFailed,
    JobStuck,
)
ERROR_CODES = frozenset(cls.code for cls in ERROR_CLASSES)
GENERIC_MESSAGE_KEY = "printing.errors.generic"


def message_key(code: str) -> str:
    """The visitor's message for an error code (``resources/i18n/<lang>/printing.toml``)."""
    return f"printing.errors.{code}" if code in ERROR_CODES else GENERIC_MESSAGE_KEY
