"""Printers: CUPS queues (via ``lp``) and a folder of PDF files for demos.

Errors are one hierarchy, :class:`PrinterError`, whose ``code`` is stable
(``printer_unavailable`` or ``print_failed``) so the UI can translate it; the
message is English, for the log, and says what to do.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import ClassVar, Literal, Protocol

QueueStatus = Literal["ready", "printing", "stopped", "rejecting", "missing", "no_scheduler"]
_REQUEST_ID = re.compile(r"request id is (\S+)")
_TIMEOUT = 30.0


class PrinterError(Exception):
    """A print job could not be handed over. ``code`` tells the UI which message to show."""

    code: ClassVar[str] = "print_failed"


class PrinterUnavailable(PrinterError):
    """The printer cannot take jobs now: CUPS down, queue missing, stopped or rejecting."""

    code: ClassVar[str] = "printer_unavailable"


class PrintFailed(PrinterError):
    """The printer was there but the job was refused or could not be written."""

    code: ClassVar[str] = "print_failed"


@dataclass(frozen=True)
class PrintJob:
    """A job handed to a printer: its id and where it went (queue or file path)."""

    id: str
    destination: str


class Printer(Protocol):
    def print_pdf(self, pdf: bytes, *, title: str) -> PrintJob:
        """Hand one PDF over; raises PrinterError. Keep personal data out of ``title``."""
        ...


class CupsPrinter:
    """A CUPS queue, driven through the ``lp`` and ``lpstat`` commands."""

    def __init__(
        self,
        queue: str,
        server: str | None = None,
        *,
        options: Mapping[str, str] | None = None,
        timeout: float = _TIMEOUT,
    ) -> None:
        """``options`` become ``lp -o key=value``, e.g. ``{"media": "Custom.80x120mm"}``."""
        if not queue or queue.startswith("-"):
            raise ValueError(f"invalid CUPS queue name {queue!r}")
        self.queue = queue
        self.server = server
        self.options = dict(options or {})
        self.timeout = timeout

    @property
    def description(self) -> str:
        return f"CUPS queue {self.queue}" + (f" on {self.server}" if self.server else "")

    def status(self) -> QueueStatus:
        """The queue's state, asked from the scheduler (``lpstat -r -p -a``)."""
        return self._status()[0]

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
        """Raise PrinterUnavailable unless the queue accepts and prints jobs."""
        state, reason = self._status()
        if state in ("ready", "printing"):
            return
        why = f" (reason: {reason})" if reason else ""
        advice = {
            "no_scheduler": f"CUPS is not running at {self.server or 'the default server'}; "
            "start it (systemctl start cups) and try again",
            "missing": f"{self.description} does not exist; add it with lpadmin or fix the "
            "printer queue in the kiosk settings",
            "stopped": f"{self.description} is stopped{why}; fix the printer (paper, cover, "
            f"cable), then run: cupsenable {self.queue}",
            "rejecting": f"{self.description} is rejecting jobs{why}; run: cupsaccept {self.queue}",
        }
        raise PrinterUnavailable(advice[state])

    def _status(self) -> tuple[QueueStatus, str]:
        result = self._run(["lpstat", "-r", "-p", self.queue, "-a", self.queue])
        out = result.stdout
        if "scheduler is not running" in out:
            return "no_scheduler", ""
        if "Invalid destination" in result.stderr or f"printer {self.queue} " not in out:
            return "missing", ""
        reason = _reason(out)
        if f"printer {self.queue} disabled" in out:
            return "stopped", reason
        if f"{self.queue} not accepting" in out:
            return "rejecting", reason
        return ("printing" if "now printing" in out else "ready"), ""

    def _lp_error(self, message: str) -> PrinterError:
        unavailable = ("not accepting", "does not exist", "not running", "Unable to connect")
        if any(text in message for text in unavailable):
            return PrinterUnavailable(f"{self.description} refused the job: {message}")
        return PrintFailed(
            f"lp could not submit to {self.description}: {message}; check the CUPS error log"
        )

    def _run(self, args: list[str], *, stdin: bytes | None = None) -> _Result:
        if self.server:
            args = [args[0], "-h", self.server, *args[1:]]
        env = {**os.environ, "LC_ALL": "C", "LANG": "C"}  # lpstat's output is parsed
        try:
            done = subprocess.run(  # noqa: S603 - fixed argv, no shell
                args,
                input=stdin,
                capture_output=True,
                timeout=self.timeout,
                env=env,
                check=False,
            )
        except FileNotFoundError as exc:
            raise PrinterUnavailable(
                f"{args[0]} not found: install the CUPS client tools (cups-client)"
            ) from exc
        except subprocess.TimeoutExpired as exc:
            raise PrinterUnavailable(
                f"{args[0]} got no answer from CUPS within {self.timeout:.0f} s; "
                "check that cupsd is running and not hung"
            ) from exc
        return _Result(done.returncode, _text(done.stdout), _text(done.stderr))


@dataclass(frozen=True)
class _Result:
    returncode: int
    stdout: str
    stderr: str


def _text(data: bytes | None) -> str:
    return (data or b"").decode("utf-8", "replace")


def _reason(lpstat_out: str) -> str:
    """The first indented line lpstat prints under a state: the operator's reason."""
    for line in lpstat_out.splitlines():
        if line.startswith("\t") and line.strip():
            return line.strip()
    return ""


def _clean_title(title: str) -> str:
    return " ".join(title.split())[:100] or "kiosk"


class FolderPrinter:
    """Writes each job as a PDF file into a folder: the demo's printer."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

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


def printer_from_settings(queue: str, output_dir: Path, *, server: str | None = None) -> Printer:
    """The configured CUPS queue, or a folder printer when no queue is set."""
    queue = queue.strip()
    return CupsPrinter(queue, server) if queue else FolderPrinter(output_dir)
