"""A CUPS queue, driven through the ``lp``, ``lpstat`` and ``cancel`` commands.

``print_pdf`` hands a PDF over (on lp's standard input) and returns the job id;
``wait`` follows the job until CUPS no longer lists it. A job the kiosk gives up on
(a stopped queue, a fault, a held job, the job timeout) is cancelled and purged, so
that it can never print later, unattended, for the next visitor to pick up.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from kiosk.printing.errors import (
    CupsNotRunning,
    JobStuck,
    PrinterError,
    PrinterOffline,
    PrinterUnavailable,
    PrintFailed,
)
from kiosk.printing.jobs import JobOutcome, PrintJob, QueueStatus, failed
from kiosk.printing.lpstat import (
    QueueReport,
    advice,
    parse_jobs,
    parse_queue_report,
    printer_fault,
    why,
)

log = logging.getLogger(__name__)

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
CANCEL_TIMEOUT = 10.0
"""Seconds ``cancel`` may take before the kiosk reports the job as not cancelled."""
_GONE = ("is already", "does not exist")  # what cancel says about a job no longer queued


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
        ``timeout`` (default ``job_timeout``) the job is stuck. A job given up on is
        cancelled (state ``cancelled``; ``not_completed`` if even that failed). lpstat
        cannot tell a completed job from one cancelled or aborted (CUPS 2.4 shows both
        alike), so a job that left the queue counts as completed.
        """
        limit = self.job_timeout if timeout is None else timeout
        watch = _JobWatch(self, job, time.monotonic())
        deadline = watch.started + limit
        while True:
            try:
                report, reasons = self._poll(job, max(deadline - time.monotonic(), 1.0))
            except PrinterError as e:
                return self._give_up(job, e)
            if reasons is None:
                return JobOutcome(job, "completed")
            now = time.monotonic()
            error = watch.verdict(report, reasons, now)
            if error is None and now >= deadline:
                error = watch.stuck(report, limit)
            if error is not None:
                return self._give_up(job, error)
            time.sleep(max(min(self.poll_interval, deadline - now), 0.01))

    def cancel(self, job: PrintJob) -> str:
        """Cancel ``job`` and purge its files (``cancel -x``); "" when done, else why not."""
        try:
            result = self._run(["cancel", "-x", job.id], min(self.timeout, CANCEL_TIMEOUT))
        except PrinterError as e:
            return str(e)
        if result.returncode == 0:
            log.info("print job %s cancelled", job.id)
            return ""
        return result.stderr.strip() or result.stdout.strip() or f"exit {result.returncode}"

    def _give_up(self, job: PrintJob, error: PrinterError) -> JobOutcome:
        """Cancel a job the kiosk stops following, so that it never prints unattended."""
        problem = self.cancel(job)
        if not problem:
            return failed(job, error, "cancelled")
        if any(gone in problem for gone in _GONE):  # it ended meanwhile: nothing is left
            log.info("print job %s had already left the queue: %s", job.id, problem)
            return failed(job, error, "cancelled")
        log.error(
            "print job %s could not be cancelled (%s) and may print later, unattended: "
            "cancel it by hand (cancel %s) before the printer or CUPS is running again",
            job.id,
            problem,
            job.id,
        )
        return failed(job, type(error)(f"{error}. Cancelling it failed: {problem}"))

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
                f"{self.printer.description} {fault[1]}{why(report)}; "
                f"{advice(fault[0])}. {self._left()}"
            )
        connecting = self.seen.get("connecting-to-device")
        if connecting is not None and now - connecting >= self.printer.offline_after:
            return PrinterOffline(
                f"{self.printer.description} has been connecting to the printer for "
                f"{now - connecting:.0f} s{why(report)}; {advice(PrinterOffline)}. {self._left()}"
            )
        return None

    def _job_problem(self, report: QueueReport, reasons: tuple[str, ...]) -> PrinterError | None:
        if any(r.startswith(("job-hold", "job-held")) for r in reasons):
            return JobStuck(
                f"job {self.job.id} is held ({' '.join(reasons)}); check that the queue "
                f"holds no jobs (lpoptions -p {self.printer.queue}: job-hold-until). "
                f"{self._left()}"
            )
        if "job-completed-with-errors" in reasons and report.printing_job != self.job.id:
            return PrintFailed(
                f"CUPS stopped job {self.job.id}{why(report)}; see the CUPS error log. "
                f"{self._left()}"
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
            f"job {self.job.id} did not complete within {limit:.0f} s: {where}{why(report)}"
            f"{alerts}; check the printer. {self._left()}"
        )

    def _left(self) -> str:
        return (
            f"The kiosk cancels job {self.job.id} so that it cannot print later, unattended; "
            "staff print the forms at the counter (ward-kiosk print reprint REFERENCE)"
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
            f"{printer.description} is rejecting jobs{why(report)}; run: cupsaccept {queue}{then}"
        )
    fault = printer_fault(report.reasons)
    cls, what = fault if fault else (PrinterUnavailable, "is stopped")
    return cls(
        f"{printer.description} {what}{why(report)}; fix the printer "
        f"({advice(cls)}), then run: cupsenable {queue}{then}"
    )


@dataclass(frozen=True)
class _Result:
    returncode: int
    stdout: str
    stderr: str


def _text(data: bytes | None) -> str:
    return (data or b"").decode("utf-8", "replace")


def _clean_title(title: str) -> str:
    return " ".join(title.split())[:100] or "kiosk"
