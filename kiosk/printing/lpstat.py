"""What ``lpstat`` prints, parsed: a queue's state, its printer's faults, the jobs' reasons.

Run the commands with ``LC_ALL=C``: the parsers read CUPS 2.4's English output.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from kiosk.printing.errors import (
    OutOfPaper,
    PaperJam,
    PrinterError,
    PrinterOffline,
    PrinterUnavailable,
)
from kiosk.printing.jobs import QueueStatus


@dataclass(frozen=True)
class QueueReport:
    """What ``lpstat -r -l -p Q -a Q`` says about a queue."""

    status: QueueStatus
    reasons: tuple[str, ...] = ()  # printer-state-reasons, e.g. ("media-empty-error",)
    message: str = ""  # printer-state-message: the backend's or the operator's words
    printing_job: str = ""  # the job id after "now printing"


_FAULTS: dict[str, tuple[type[PrinterUnavailable], str]] = {
    "media-empty": (OutOfPaper, "is out of paper"),
    "media-needed": (OutOfPaper, "needs paper"),
    "media-jam": (PaperJam, "has a paper jam"),
    "offline": (PrinterOffline, "is offline"),
}
_ADVICE: dict[type[PrinterError], str] = {
    OutOfPaper: "load paper",
    PaperJam: "clear the jam and close the covers",
    PrinterOffline: "check that the printer is on and its cable or network is connected",
}


def printer_fault(reasons: Iterable[str]) -> tuple[type[PrinterUnavailable], str] | None:
    """The fault among printer-state-reasons: ``media-empty-error`` is out of paper, etc.

    Warnings (``media-empty-warning``) are not faults; ``offline-report`` is how CUPS
    backends say offline.
    """
    for reason in reasons:
        base, _, severity = reason.rpartition("-")
        if severity not in ("error", "warning", "report"):
            base, severity = reason, ""
        if base in _FAULTS and (severity in ("error", "") or base == "offline"):
            return _FAULTS[base]
    return None


def parse_queue_report(queue: str, out: str, err: str = "") -> QueueReport:
    """Parse ``lpstat -r -l -p QUEUE -a QUEUE`` (run with LC_ALL=C)."""
    if "scheduler is not running" in out:
        return QueueReport("no_scheduler")
    lines = out.splitlines()
    head = next((i for i, line in enumerate(lines) if _is_printer_line(line, queue)), None)
    if head is None or "Invalid destination" in err:
        return QueueReport("missing")
    block = _indented(lines[head + 1 :])
    first = lines[head]
    reasons = _alerts(block)
    message = _message(block)
    printing = re.search(r" now printing (\S+?)\.\s", first)
    if " disabled since " in first:
        return QueueReport("stopped", reasons, message)
    if re.search(rf"^{re.escape(queue)} not accepting", out, re.IGNORECASE | re.MULTILINE):
        return QueueReport("rejecting", reasons, message)
    job = printing.group(1) if printing else ""
    return QueueReport("printing" if job else "ready", reasons, message, job)


def parse_jobs(out: str) -> dict[str, tuple[str, ...]]:
    """Parse ``lpstat -W not-completed -l -o QUEUE``: job id -> job-state-reasons."""
    jobs: dict[str, tuple[str, ...]] = {}
    current = ""
    for line in out.splitlines():
        if line and not line[0].isspace():
            current = line.split()[0]
            jobs[current] = ()
        elif current and line.strip().startswith("Alerts:"):
            jobs[current] = _words(line.split(":", 1)[1])
    return jobs


def _is_printer_line(line: str, queue: str) -> bool:
    return line.lower().startswith(f"printer {queue.lower()} ")  # names are case-insensitive


def _indented(lines: list[str]) -> list[str]:
    block = []
    for line in lines:
        if not line.startswith("\t"):
            break
        block.append(line.strip())
    return block


def _alerts(block: list[str]) -> tuple[str, ...]:
    alerts = next((line for line in block if line.startswith("Alerts:")), "")
    return _words(alerts.removeprefix("Alerts:"))


def _message(block: list[str]) -> str:
    """The printer-state-message: the line right under the printer's, if it is not a field."""
    fields = ("Form mounted:", "Alerts:", "Description:")
    if block and not block[0].startswith(fields) and block[0] != "reason unknown":
        return block[0]
    return ""


def _words(text: str) -> tuple[str, ...]:
    return tuple(word for word in text.split() if word != "none")


def why(report: QueueReport) -> str:
    """The printer's own words, for a log message ("" when it said nothing)."""
    return f" (printer says: {report.message})" if report.message else ""


def advice(cls: type[PrinterError]) -> str:
    """What staff do about a fault, for a log message."""
    return _ADVICE.get(cls, "paper, covers, cable")
