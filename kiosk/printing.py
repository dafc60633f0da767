"""Printers: CUPS queues (via ``lp`` and ``lpstat``) and a folder of PDF files for demos.

Printing is two steps. ``print_pdf`` hands one PDF over and returns as soon as the
printer has accepted it; ``wait`` follows that job until CUPS reports it done and
returns a :class:`JobOutcome`. A visit submits all its jobs first, then waits for
them, so the printers work at the same time and every job is queued before the
kiosk waits for any.

Errors are one hierarchy, :class:`PrinterError`, whose ``code`` is stable so the UI
can translate it (:func:`message_key`); the message is English, for the log, and
says what to do. Nothing here cancels a job: a job that did not complete is left
in its queue for staff to release or cancel.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Literal, Protocol

if TYPE_CHECKING:
    from kiosk.config import Settings

log = logging.getLogger(__name__)

QueueStatus = Literal["ready", "printing", "stopped", "rejecting", "missing", "no_scheduler"]
JobState = Literal["completed", "not_completed", "not_submitted"]
_REQUEST_ID = re.compile(r"request id is (\S+)")
_TIMEOUT = 30.0
JOB_TIMEOUT = 60.0
"""Seconds ``wait`` follows a job by default before calling it stuck."""
OFFLINE_AFTER = 15.0
"""Seconds a printer may stay ``connecting-to-device`` before it counts as offline."""
FAULT_GRACE = 2.0
"""Seconds a fault reason must last on a printing queue (a new job may start with
the reasons the last one left until its backend reports afresh)."""
POLL_INTERVAL = 0.5


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
    """The job did not complete in time, or is held; it is left in the queue for staff."""

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
        """Block until the job is done or ``timeout`` seconds pass; never raises PrinterError."""
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


@dataclass(frozen=True)
class QueueReport:
    """What ``lpstat -r -l -p Q -a Q`` says about a queue."""

    status: QueueStatus
    reasons: tuple[str, ...] = ()  # printer-state-reasons, e.g. ("media-empty-error",)
    message: str = ""  # printer-state-message: the backend's or the operator's words
    printing_job: str = ""  # the job id after "now printing"


class CupsPrinter:
    """A CUPS queue, driven through the ``lp`` and ``lpstat`` commands."""

    def __init__(
        self,
        queue: str,
        server: str | None = None,
        *,
        options: Mapping[str, str] | None = None,
        timeout: float = _TIMEOUT,
        job_timeout: float = JOB_TIMEOUT,
        offline_after: float = OFFLINE_AFTER,
        fault_grace: float = FAULT_GRACE,
        poll_interval: float = POLL_INTERVAL,
    ) -> None:
        """``options`` become ``lp -o key=value``, e.g. ``{"media": "Custom.80x120mm"}``.

        ``timeout`` bounds each CUPS command; ``job_timeout`` is how long ``wait``
        follows a job by default.
        """
        if not queue or queue.startswith("-"):
            raise ValueError(f"invalid CUPS queue name {queue!r}")
        self.queue = queue
        self.server = server
        self.options = dict(options or {})
        self.timeout = timeout
        self.job_timeout = job_timeout
        self.offline_after = offline_after
        self.fault_grace = fault_grace
        self.poll_interval = poll_interval

    @property
    def description(self) -> str:
        return f"CUPS queue {self.queue}" + (f" on {self.server}" if self.server else "")

    def status(self) -> QueueStatus:
        """The queue's state, asked from the scheduler."""
        return self.report().status

    def report(self) -> QueueReport:
        """The queue's state, reasons and message (``lpstat -r -l -p Q -a Q``)."""
        result = self._run(["lpstat", "-r", "-l", "-p", self.queue, "-a", self.queue])
        return parse_queue_report(self.queue, result.stdout, result.stderr)

    def print_pdf(self, pdf: bytes, *, title: str) -> PrintJob:
        """Submit the PDF (on lp's standard input: no temporary file holds personal data)."""
        if not pdf.startswith(b"%PDF-"):
            raise ValueError("print_pdf expects PDF bytes")
        self.check_ready()
        args = ["lp", "-d", self.queue, "-t", _clean_title(title)]
        for key, value in self.options.items():
            args += ["-o", f"{key}={value}"]
        result = self._run(args, stdin=pdf)
        if result.returncode != 0:
            raise self._lp_error(result.stderr.strip() or result.stdout.strip())
        match = _REQUEST_ID.search(result.stdout)
        if not match:
            raise PrintFailed(
                f"lp accepted the job for {self.description} but printed no job id "
                f"({result.stdout.strip()!r}); check the CUPS error log"
            )
        return PrintJob(match.group(1), self.description)

    def check_ready(self) -> None:
        """Raise a PrinterUnavailable (or subclass) unless the queue accepts and prints jobs."""
        report = self.report()
        if report.status not in ("ready", "printing"):
            raise _queue_error(self, report)

    def wait(self, job: PrintJob, timeout: float | None = None) -> JobOutcome:
        """Follow ``job`` until CUPS no longer lists it as not completed.

        Returns early with an error when the queue is stopped, the printer reports
        a fault, the job is held or stopped by CUPS, or CUPS goes away; after
        ``timeout`` (default ``job_timeout``) the job is stuck. The job is never
        cancelled. lpstat cannot tell a completed job from one cancelled or aborted
        (CUPS 2.4 shows both alike), so a job that left the queue counts as completed.
        """
        limit = self.job_timeout if timeout is None else timeout
        watch = _JobWatch(self, job, time.monotonic())
        deadline = watch.started + limit
        while True:
            try:
                report, reasons = self._poll(job, max(deadline - time.monotonic(), 1.0))
            except PrinterError as e:
                return _failed(job, e)
            if reasons is None:
                return JobOutcome(job, "completed")
            now = time.monotonic()
            error = watch.verdict(report, reasons, now)
            if error is None and now >= deadline:
                error = watch.stuck(report, limit)
            if error is not None:
                return _failed(job, error)
            time.sleep(max(min(self.poll_interval, deadline - now), 0.01))

    def _poll(self, job: PrintJob, timeout: float) -> tuple[QueueReport, tuple[str, ...] | None]:
        """The queue's report and the job's reasons; None when the job is no longer queued."""
        timeout = min(timeout, self.timeout)
        result = self._run(["lpstat", "-r", "-l", "-p", self.queue, "-a", self.queue], timeout)
        report = parse_queue_report(self.queue, result.stdout, result.stderr)
        if report.status in ("no_scheduler", "missing"):
            raise _queue_error(self, report)
        jobs = self._run(["lpstat", "-W", "not-completed", "-l", "-o", self.queue], timeout)
        if jobs.returncode != 0:  # "Invalid destination": deleted since the first call
            raise _queue_error(self, QueueReport("missing"))
        return report, parse_jobs(jobs.stdout).get(job.id)

    def _lp_error(self, message: str) -> PrinterError:
        if "not running" in message or "Unable to connect" in message:
            return CupsNotRunning(f"{self.description}: CUPS does not answer: {message}")
        if "not accepting" in message or "does not exist" in message:
            return PrinterUnavailable(f"{self.description} refused the job: {message}")
        return PrintFailed(
            f"lp could not submit to {self.description}: {message}; check the CUPS error log"
        )

    def _run(
        self, args: list[str], timeout: float | None = None, *, stdin: bytes | None = None
    ) -> _Result:
        if self.server:
            args = [args[0], "-h", self.server, *args[1:]]
        env = {**os.environ, "LC_ALL": "C", "LANG": "C"}  # lpstat's output is parsed
        limit = self.timeout if timeout is None else timeout
        try:
            done = subprocess.run(  # noqa: S603 - fixed argv, no shell
                args, input=stdin, capture_output=True, timeout=limit, env=env, check=False
            )
        except FileNotFoundError as exc:
            raise PrinterUnavailable(
                f"{args[0]} not found: install the CUPS client tools (cups-client)"
            ) from exc
        except subprocess.TimeoutExpired as exc:
            raise CupsNotRunning(
                f"{args[0]} got no answer from CUPS within {limit:.0f} s; "
                "check that cupsd is running and not hung"
            ) from exc
        return _Result(done.returncode, _text(done.stdout), _text(done.stderr))


@dataclass
class _JobWatch:
    """What one ``wait`` has seen so far: when each printer reason first appeared."""

    printer: CupsPrinter
    job: PrintJob
    started: float
    seen: dict[str, float] = field(default_factory=dict)

    def verdict(
        self, report: QueueReport, reasons: tuple[str, ...], now: float
    ) -> PrinterError | None:
        """An error when the job cannot complete without staff; None to keep waiting."""
        # Reasons are live only while a backend runs; an idle queue keeps stale ones.
        live = report.reasons if report.status == "printing" else ()
        self.seen = {reason: self.seen.get(reason, now) for reason in live}
        if report.status == "stopped" or "printer-stopped" in reasons:
            stopped = QueueReport("stopped", report.reasons, report.message)
            return _queue_error(self.printer, stopped, then=self._left())
        return self._fault(report, now) or self._job_problem(report, reasons)

    def _fault(self, report: QueueReport, now: float) -> PrinterError | None:
        lasting = [r for r, since in self.seen.items() if now - since >= self.printer.fault_grace]
        fault = printer_fault(lasting)
        if fault:
            return fault[0](
                f"{self.printer.description} {fault[1]}{_why(report)}; "
                f"{_advice(fault[0])}. {self._left()}"
            )
        connecting = self.seen.get("connecting-to-device")
        if connecting is not None and now - connecting >= self.printer.offline_after:
            return PrinterOffline(
                f"{self.printer.description} has been connecting to the printer for "
                f"{now - connecting:.0f} s{_why(report)}; {_advice(PrinterOffline)}. {self._left()}"
            )
        return None

    def _job_problem(self, report: QueueReport, reasons: tuple[str, ...]) -> PrinterError | None:
        if any(r.startswith(("job-hold", "job-held")) for r in reasons):
            return JobStuck(
                f"job {self.job.id} is held ({' '.join(reasons)}); release it with "
                f"lp -i {self.job.id} -H resume, or cancel it with cancel {self.job.id}"
            )
        if "job-completed-with-errors" in reasons and report.printing_job != self.job.id:
            return PrintFailed(
                f"CUPS stopped job {self.job.id}{_why(report)}; see the CUPS error log, then "
                f"restart it with lp -i {self.job.id} -H restart or cancel it"
            )
        return None

    def stuck(self, report: QueueReport, limit: float) -> JobStuck:
        if report.printing_job == self.job.id:
            where = f"{self.printer.description} has been printing it for over {limit:.0f} s"
        elif report.printing_job:
            where = f"it waits behind job {report.printing_job} on {self.printer.description}"
        else:
            where = f"it is still waiting in {self.printer.description}"
        alerts = f" (printer reasons: {' '.join(report.reasons)})" if report.reasons else ""
        return JobStuck(
            f"job {self.job.id} did not complete within {limit:.0f} s: {where}{_why(report)}"
            f"{alerts}; check the printer. {self._left()}"
        )

    def _left(self) -> str:
        return (
            f"Job {self.job.id} is left in the queue and prints once the printer is ready; "
            f"cancel it (cancel {self.job.id}) if staff print the forms at the counter"
        )


def _queue_error(printer: CupsPrinter, report: QueueReport, then: str = "") -> PrinterUnavailable:
    """The error for a queue that cannot print now, most specific first; ``then`` is
    appended (what happens to a job already queued)."""
    queue, state, then = printer.queue, report.status, f". {then}" if then else ""
    if state == "no_scheduler":
        return CupsNotRunning(
            f"CUPS is not running at {printer.server or 'the default server'}; "
            f"start it (systemctl start cups) and print again{then}"
        )
    if state == "missing":
        return PrinterUnavailable(
            f"{printer.description} does not exist; add it with lpadmin or fix the "
            f"printer queue in the kiosk settings{then}"
        )
    if state == "rejecting":
        return PrinterUnavailable(
            f"{printer.description} is rejecting jobs{_why(report)}; run: cupsaccept {queue}{then}"
        )
    fault = printer_fault(report.reasons)
    cls, what = fault if fault else (PrinterUnavailable, "is stopped")
    return cls(
        f"{printer.description} {what}{_why(report)}; fix the printer "
        f"({_advice(cls)}), then run: cupsenable {queue}{then}"
    )


def _failed(job: PrintJob, error: PrinterError) -> JobOutcome:
    log.warning("print job %s did not complete (%s): %s", job.id, error.code, error)
    return JobOutcome(job, "not_completed", error)


# -- what lpstat prints ----------------------------------------------------------------

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


def _why(report: QueueReport) -> str:
    return f" (printer says: {report.message})" if report.message else ""


def _advice(cls: type[PrinterError]) -> str:
    return _ADVICE.get(cls, "paper, covers, cable")


@dataclass(frozen=True)
class _Result:
    returncode: int
    stdout: str
    stderr: str


def _text(data: bytes | None) -> str:
    return (data or b"").decode("utf-8", "replace")


def _clean_title(title: str) -> str:
    return " ".join(title.split())[:100] or "kiosk"


class FolderPrinter:
    """Writes each job as a PDF file into a folder: the demo's printer."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    @property
    def description(self) -> str:
        return f"folder {self.folder}"

    def status(self) -> QueueStatus:
        try:
            self._ensure_folder()
        except PrinterUnavailable:
            return "missing"
        return "ready" if os.access(self.folder, os.W_OK) else "stopped"

    def print_pdf(self, pdf: bytes, *, title: str) -> PrintJob:
        """Write ``<timestamp>-<title>.pdf``, owner-only (0600): forms hold personal data."""
        if not pdf.startswith(b"%PDF-"):
            raise ValueError("print_pdf expects PDF bytes")
        self._ensure_folder()
        stem = f"{datetime.now():%Y%m%d-%H%M%S-%f}-{safe_filename(title)}"
        path = self.folder / f"{stem}.pdf"
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError as exc:
            raise PrintFailed(f"could not create {path}: {exc}; check the folder") from exc
        try:
            with os.fdopen(fd, "wb") as out:
                os.fchmod(out.fileno(), 0o600)  # whatever the umask
                out.write(pdf)
        except OSError as exc:
            path.unlink(missing_ok=True)
            raise PrintFailed(f"could not write {path}: {exc}; check free disk space") from exc
        return PrintJob(stem, str(path))

    def wait(self, job: PrintJob, timeout: float | None = None) -> JobOutcome:
        """A file is done once written: completed if it is still there."""
        if Path(job.destination).is_file():
            return JobOutcome(job, "completed")
        return _failed(job, PrintFailed(f"{job.destination} has gone; print again"))

    def _ensure_folder(self) -> None:
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise PrinterUnavailable(
                f"output folder {self.folder} cannot be created: {exc}; fix the output_dir "
                "setting or its permissions"
            ) from exc


def safe_filename(title: str, limit: int = 60) -> str:
    """A file-name-safe version of title (letters, digits, - and _ only)."""
    cleaned = re.sub(r"[^\w-]+", "_", title).strip("_.")
    return cleaned[:limit] or "job"


def printer_from_settings(
    queue: str, output_dir: Path, *, server: str | None = None, job_timeout: float = JOB_TIMEOUT
) -> Printer:
    """The configured CUPS queue, or a folder printer when no queue is set."""
    queue = queue.strip()
    if queue:
        return CupsPrinter(queue, server, job_timeout=job_timeout)
    return FolderPrinter(output_dir)


def configured_printer(settings: Settings, queue: str) -> Printer:
    """``queue`` on the settings' CUPS server, followed up to the job timeout, or the
    output folder when ``queue`` is empty."""
    printing = settings.printing
    return printer_from_settings(
        queue,
        settings.output_dir(),
        server=printing.cups_server or None,
        job_timeout=printing.job_timeout_seconds,
    )
