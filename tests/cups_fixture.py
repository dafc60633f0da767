"""pytest plugin: a private CUPS scheduler with a cups-pdf queue, for printing tests.

Load it with ``pytest_plugins = ["tests.cups_fixture"]`` in the top conftest.py.

Fixtures:

``cups_server`` (session)
    Starts ``cupsd -f`` with its own config, spool, state, cache and log folders in a
    temporary folder, listening only on a unix socket there (``CupsServer.server``,
    usable as ``CupsPrinter(queue, server=...)`` or ``lp -h``). It has one queue,
    ``kiosk-pdf``, printing through the cups-pdf backend into ``CupsServer.output_dir``.
``cups_pdf_queue`` (function)
    The same server, with ``kiosk-pdf`` enabled and accepting again before each test,
    so a test may stop or reject it.
``fault_queue`` (function)
    Makes queues on the ``kiosk-fault`` test backend, deleted after the test.

Failures are real: the server's ServerBin is a folder of links to the system's
filters and backends plus one more backend, ``kiosk-fault`` (a shell script, see
FAULT_BACKEND). Like a real backend it reports printer-state-reasons on standard
error (``STATE: +media-empty-error``), stays busy as long as its device URI says
(``kiosk-fault:/media-jam-error?sleep=30``), then exits with the status the URI
names (``exit=4``, CUPS_BACKEND_STOP, stops the queue and keeps the job).

cups-pdf reads its settings only from ``/etc/cups`` (compiled in), but it picks
``/etc/cups/cups-pdf-<instance>.conf`` for a device URI ``cups-pdf:/<instance>``; the
fixture writes such a file (output, spool and log paths in the temporary folder) and
removes it afterwards, leaving the system's cups-pdf.conf and cupsd alone. It needs
root, since cupsd runs the cups-pdf backend (mode 0700) as root. Without root or the
packages (cups, cups-client, printer-driver-cups-pdf) the CUPS tests are skipped.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

QUEUE = "kiosk-pdf"
CUPS_PDF_BACKEND = Path("/usr/lib/cups/backend/cups-pdf")
CUPS_PDF_PPD = Path("/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd")
CUPS_PDF_CONFIG_DIR = Path("/etc/cups")
SYSTEM_SERVER_BIN = Path("/usr/lib/cups")
FAULT_SCHEME = "kiosk-fault"
# Backend exit statuses (man 7 backend; cups/backend.h).
BACKEND_OK, BACKEND_FAILED, BACKEND_HOLD, BACKEND_STOP, BACKEND_RETRY = 0, 1, 3, 4, 6
START_TIMEOUT = 20.0
CUPS_PRIVACY = Path(__file__).resolve().parents[1] / "installer" / "debian" / "cups-privacy.sh"
ENV = {**os.environ, "LC_ALL": "C", "LANG": "C"}


@dataclass
class CupsServer:
    """A running private cupsd and its cups-pdf queue."""

    root: Path  # spool/ is its RequestRoot, etc/cupsd.conf its settings
    server: str  # unix socket path, for ``lp -h`` / ``CupsPrinter(server=...)``
    queue: str
    output_dir: Path  # where cups-pdf writes each job as <title>-job_<n>.pdf
    log_dir: Path
    instance: str  # the cups-pdf instance name (device URI cups-pdf:/<instance>)

    def run(self, tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """Run a CUPS command-line tool against this server."""
        return subprocess.run(
            [tool, "-h", self.server, *args],
            capture_output=True,
            text=True,
            env=ENV,
            timeout=30,
            check=check,
        )

    def disable(self, queue: str | None = None, reason: str = "stopped by a test") -> None:
        self.run("cupsdisable", "-r", reason, queue or self.queue)

    def enable(self, queue: str | None = None) -> None:
        self.run("cupsenable", queue or self.queue)
        self.run("cupsaccept", queue or self.queue)

    def reject(self, queue: str | None = None, reason: str = "rejected by a test") -> None:
        self.run("cupsreject", "-r", reason, queue or self.queue)

    def add_queue(self, name: str) -> None:
        """Add another cups-pdf queue writing into the same output folder."""
        self.run(
            "lpadmin", "-p", name, "-E", "-v", f"cups-pdf:/{self.instance}", "-P", str(CUPS_PDF_PPD)
        )

    def add_fault_queue(
        self, name: str, reasons: str = "none", *, sleep: int = 0, status: int = BACKEND_OK
    ) -> None:
        """Add a queue on the kiosk-fault backend: it raises ``reasons`` (printer-state-
        reasons, e.g. ``media-empty-error``), is busy for ``sleep`` seconds, then exits
        with ``status`` (a CUPS backend status: BACKEND_STOP stops the queue)."""
        uri = f"{FAULT_SCHEME}:/{reasons}?sleep={sleep}&exit={status}"
        self.run("lpadmin", "-p", name, "-E", "-v", uri, "-P", str(CUPS_PDF_PPD))

    def remove_queue(self, name: str) -> None:
        """Delete a queue and its jobs (CUPS stops a backend that is still running)."""
        self.run("lpadmin", "-x", name, check=False)

    def not_completed_jobs(self, queue: str | None = None) -> list[str]:
        out = self.run("lpstat", "-W", "not-completed", "-o", queue or self.queue).stdout
        return [line.split()[0] for line in out.splitlines() if line.strip()]

    def completed_jobs(self) -> str:
        return self.run("lpstat", "-W", "completed", "-o").stdout

    def wait_for_output(self, job_id: str, timeout: float = 30.0) -> Path:
        """Wait (bounded) until the job is completed and its PDF is in output_dir."""
        number = job_id.rsplit("-", 1)[-1]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            files = sorted(self.output_dir.glob(f"*job_{number}.pdf"))
            done = any(line.split()[:1] == [job_id] for line in self.completed_jobs().splitlines())
            if done and files and files[0].stat().st_size > 0:
                return files[0]
            time.sleep(0.2)
        raise AssertionError(
            f"job {job_id} produced no PDF in {self.output_dir} within {timeout:.0f} s\n"
            f"{self.log_tail()}"
        )

    def log_tail(self, lines: int = 30) -> str:
        """Last lines of cupsd's and cups-pdf's logs, for failure messages."""
        out = []
        for log in [*sorted(self.log_dir.glob("*_log")), self.log_dir / "cupsd.out"]:
            if log.exists():
                text = log.read_text(errors="replace").splitlines()[-lines:]
                out.append(f"--- {log.name}\n" + "\n".join(text))
        return "\n".join(out)


def _missing_prerequisites() -> str:
    if os.geteuid() != 0:
        return "the private cupsd must run as root (cups-pdf backend is root-only)"
    if not shutil.which("cupsd") and not Path("/usr/sbin/cupsd").exists():
        return "cupsd not installed (apt-get install cups)"
    if not shutil.which("lp"):
        return "lp not installed (apt-get install cups-client)"
    if not CUPS_PDF_BACKEND.exists() or not CUPS_PDF_PPD.exists():
        return "cups-pdf not installed (apt-get install printer-driver-cups-pdf)"
    if not os.access(CUPS_PDF_CONFIG_DIR, os.W_OK):
        return f"{CUPS_PDF_CONFIG_DIR} is not writable (cups-pdf instance config goes there)"
    return ""


# A CUPS backend is an executable in ServerBin/backend named after its URI scheme.
FAULT_BACKEND = r"""#!/bin/sh
# kiosk-fault: a printer for tests that fails the way real printers report it.
# Device URI: kiosk-fault:/REASONS?sleep=SECONDS&exit=STATUS
#   REASONS  printer-state-reasons to raise (comma-separated), or "none"
#   SECONDS  how long the printer is busy before the backend exits (default 0)
#   STATUS   the backend's exit status (0 ok, 1 failed, 3 hold, 4 stop, 6 retry)
if [ $# -eq 0 ]; then
  echo 'direct kiosk-fault "Unknown" "Kiosk test printer with faults"'
  exit 0
fi
uri=${DEVICE_URI#kiosk-fault:/}
reasons=${uri%%\?*}
param() { printf '%s' "$uri" | sed -n "s/.*[?&]$1=\([0-9]*\).*/\1/p"; }
seconds=$(param sleep)
status=$(param exit)
if [ $# -ge 6 ]; then cat -- "$6" >/dev/null; else cat >/dev/null; fi
echo "INFO: kiosk-fault printing for ${seconds:-0} s" >&2
if [ "$reasons" != none ]; then
  echo "STATE: +$reasons" >&2
  echo "INFO: kiosk-fault reports $reasons" >&2
fi
trap 'kill $busy 2>/dev/null; exit 1' TERM INT
sleep "${seconds:-0}" </dev/null >/dev/null 2>&1 &
busy=$!
wait $busy
exit "${status:-0}"
"""


def _write_server_bin(root: Path) -> Path:
    """ServerBin: the system's filters and backends, plus the kiosk-fault backend."""
    server_bin = root / "lib"
    (server_bin / "backend").mkdir(parents=True)
    for entry in SYSTEM_SERVER_BIN.iterdir():
        if entry.name != "backend":
            (server_bin / entry.name).symlink_to(entry)
    for backend in (SYSTEM_SERVER_BIN / "backend").iterdir():
        (server_bin / "backend" / backend.name).symlink_to(backend)
    fault = server_bin / "backend" / FAULT_SCHEME
    fault.write_text(FAULT_BACKEND)
    fault.chmod(0o755)  # world-executable: cupsd runs it as lp, not root
    return server_bin


def _write_configs(root: Path) -> None:
    etc = root / "etc"
    for sub in ("etc/ppd", "etc/ssl", "spool/tmp", "log", "state", "cache", "out"):
        (root / sub).mkdir(parents=True)
    server_bin = _write_server_bin(root)
    (etc / "cups-files.conf").write_text(
        f"ServerRoot {etc}\nServerBin {server_bin}\n"
        f"RequestRoot {root / 'spool'}\nTempDir {root / 'spool/tmp'}\n"
        f"StateDir {root / 'state'}\nCacheDir {root / 'cache'}\n"
        f"ErrorLog {root / 'log/error_log'}\nAccessLog {root / 'log/access_log'}\n"
        f"PageLog {root / 'log/page_log'}\nUser lp\nGroup lp\nSystemGroup root\n"
    )
    # No network listener, no browsing, no authentication: only this socket's users.
    (etc / "cupsd.conf").write_text(
        f"LogLevel info\nListen {root / 'cups.sock'}\nBrowsing Off\nWebInterface No\n"
        "DefaultAuthType None\n<Location />\n  Order allow,deny\n  Allow all\n</Location>\n"
        "<Policy default>\n  <Limit All>\n    Order deny,allow\n  </Limit>\n</Policy>\n"
    )
    # Job files and history as the installer sets them for a kiosk's CUPS.
    privacy = ["bash", str(CUPS_PRIVACY), str(etc / "cupsd.conf")]
    subprocess.run(privacy, check=True, capture_output=True, timeout=30)


def _wait_until_running(server: CupsServer, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"cupsd exited with {process.returncode}\n{server.log_tail()}")
        sock = Path(server.server)
        if sock.exists() and "scheduler is running" in server.run("lpstat", "-r").stdout:
            return
        time.sleep(0.1)
    pytest.fail(f"cupsd did not answer within {START_TIMEOUT:.0f} s\n{server.log_tail()}")


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def cups_server() -> Iterator[CupsServer]:
    """A private cupsd with the cups-pdf queue ``kiosk-pdf`` (see the module docstring)."""
    missing = _missing_prerequisites()
    if missing:
        pytest.skip(f"CUPS tests need: {missing}")
    # Not pytest's tmp_path: that is 0700, and cupsd's filters run as user lp.
    root = Path(tempfile.mkdtemp(prefix="kiosk-cups-"))
    root.chmod(0o755)
    instance = "kiosk" + "".join(ch for ch in root.name.rsplit("-", 1)[-1] if ch.isalnum())
    server = CupsServer(root, str(root / "cups.sock"), QUEUE, root / "out", root / "log", instance)
    pdf_config = CUPS_PDF_CONFIG_DIR / f"cups-pdf-{instance}.conf"
    _write_configs(root)
    pdf_config.write_text(
        f"Out {server.output_dir}\nAnonDirName {server.output_dir}\nSpool {root / 'spool-pdf'}\n"
        f"GSTmp {root / 'spool/tmp'}\nLog {server.log_dir}\nLogType 3\nLabel 2\n"
    )
    etc = root / "etc"
    with (server.log_dir / "cupsd.out").open("wb") as out:
        process = subprocess.Popen(
            [
                shutil.which("cupsd") or "/usr/sbin/cupsd",
                "-f",
                "-c",
                str(etc / "cupsd.conf"),
                "-s",
                str(etc / "cups-files.conf"),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=ENV,
        )
    try:
        _wait_until_running(server, process)
        server.add_queue(QUEUE)
        yield server
    finally:
        _stop(process)
        pdf_config.unlink(missing_ok=True)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def cups_pdf_queue(cups_server: CupsServer) -> CupsServer:
    """The private server with ``kiosk-pdf`` enabled and accepting jobs."""
    cups_server.enable()
    return cups_server


FaultQueue = Callable[..., str]


@pytest.fixture
def fault_queue(cups_server: CupsServer) -> Iterator[FaultQueue]:
    """Make kiosk-fault queues for one test: ``fault_queue("media-jam-error", sleep=30)``
    returns a new queue's name (arguments as ``CupsServer.add_fault_queue``); the queues
    and their jobs are deleted after the test."""
    made: list[str] = []

    def make(reasons: str = "none", *, sleep: int = 0, status: int = BACKEND_OK) -> str:
        name = f"kiosk-fault-{next(_fault_numbers)}"
        cups_server.add_fault_queue(name, reasons, sleep=sleep, status=status)
        made.append(name)
        return name

    yield make
    for name in made:
        cups_server.remove_queue(name)


_fault_numbers = itertools.count(1)
