"""The folder printer (demo and tests only) and the printer for "no printer set".

The folder printer writes each job as an owner-only PDF file. The files hold personal
data, so it exists only where a setting turns it on (``printing.folder_printer``, on
in demo mode), and ``purge_printed`` deletes them on the retention schedule of the
database's card data. Without a queue and without the folder printer, ``NoPrinter``
refuses every job: the visitor is sent to staff with the ticket on screen.
"""

from __future__ import annotations

import logging
import os
import re
import time
from datetime import datetime, timedelta
from pathlib import Path

from kiosk.printing.errors import PrinterUnavailable, PrintFailed
from kiosk.printing.jobs import JobOutcome, PrintJob, QueueStatus, failed

log = logging.getLogger(__name__)


class FolderPrinter:
    """Writes each job as a PDF file into a folder: the demo's printer (personal data!)."""

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
        return failed(job, PrintFailed(f"{job.destination} has gone; print again"))

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


class NoPrinter:
    """No queue is set and the folder printer is off: every job is refused."""

    def __init__(self, setting: str) -> None:
        self.setting = setting

    @property
    def description(self) -> str:
        return f"no printer ({self.setting} is empty)"

    def status(self) -> QueueStatus:
        return "missing"

    def print_pdf(self, pdf: bytes, *, title: str) -> PrintJob:
        raise PrinterUnavailable(
            f"no printer is set: {self.setting} is empty; set it to a CUPS queue "
            "(lpstat -p lists them). The folder printer is for demos only"
        )

    def wait(self, job: PrintJob, timeout: float | None = None) -> JobOutcome:
        return failed(job, PrinterUnavailable(f"{self.description}: nothing was printed"))


def purge_printed(folder: Path, older_than: timedelta, now: float | None = None) -> int:
    """Delete the PDFs in ``folder`` written more than ``older_than`` ago; how many.

    The folder printer's files hold the same card data as the database, so they are
    deleted on the same schedule (``kiosk.personal_data_retention_days``).
    """
    cutoff = (time.time() if now is None else now) - older_than.total_seconds()
    try:
        files = [p for p in folder.glob("*.pdf") if p.is_file() and not p.is_symlink()]
    except OSError as e:
        log.warning("printed PDFs in %s cannot be listed: %s; check the folder", folder, e)
        return 0
    removed = 0
    for path in files:
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
        except OSError as e:
            log.warning("printed PDF %s cannot be deleted: %s; delete it by hand", path, e)
    if removed:
        log.info("deleted %d printed PDFs older than %s from %s", removed, older_than, folder)
    return removed
