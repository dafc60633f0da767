"""Start a pcscd of our own, on a socket we choose, with the vpcd reader on a port we choose.

pcscd 1.9 ignores ``PCSCLITE_CSOCK_NAME`` for the socket it creates (only the
client library reads it), so we hand it a listening socket the way systemd
does (``LISTEN_FDS=1``, ``LISTEN_PID``, fd 3). For a socket other than the
system one, and when root, pcscd also gets a private ``/run/pcscd`` (a mount
namespace) so its pid file cannot clobber a system pcscd's.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

DEFAULT_SOCKET = Path("/run/pcscd/pcscd.comm")
RUN_DIR = Path("/run/pcscd")
VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
STOP_TIMEOUT_S = 5.0
SH = "/bin/sh"

_ACTIVATE = 'export LISTEN_FDS=1 LISTEN_PID=$$; exec "$@" 3<&0 0</dev/null'
_ISOLATE = 'mount --bind "$1" /run/pcscd && shift && ' + _ACTIVATE


def socket_path() -> Path:
    """The pcscd socket clients use: ``PCSCLITE_CSOCK_NAME`` or the system one."""
    return Path(os.environ.get("PCSCLITE_CSOCK_NAME") or DEFAULT_SOCKET)


def pcscd_running(path: Path | None = None) -> bool:
    """True when something accepts connections on the pcscd socket."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        try:
            probe.connect(str(path or socket_path()))
        except OSError:
            return False
    return True


def vpcd_config(port: int) -> str:
    """A reader.conf.d entry for vpcd's slot 0 on ``port`` (slot 1 takes ``port + 1``)."""
    return (
        f'FRIENDLYNAME "Virtual PCD"\nDEVICENAME /dev/null:0x{port:X}\n'
        f"LIBPATH {VPCD_DRIVER}\nCHANNELID 0x{port:X}\n"
    )


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("", port))
        except OSError:
            return False
    return True


def free_port_pair(attempts: int = 50) -> int:
    """A port that is free together with the next one (vpcd listens on both)."""
    for _ in range(attempts):
        with socket.socket() as probe:
            probe.bind(("", 0))
            port = int(probe.getsockname()[1])
        if port < 65535 and _port_free(port + 1):
            return port
    raise OSError("no free pair of TCP ports")


@dataclass
class PcscdProcess:
    """A pcscd we started; :meth:`stop` ends it and removes its socket."""

    process: subprocess.Popen[bytes]
    socket_path: Path

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.socket_path.unlink(missing_ok=True)


def start_pcscd(socket_file: Path, config_dir: Path, log_file: Path | None = None) -> PcscdProcess:
    """Start ``pcscd --foreground -c config_dir`` serving ``socket_file``."""
    pcscd = shutil.which("pcscd") or shutil.which("pcscd", path="/usr/sbin:/sbin")
    if pcscd is None:
        raise FileNotFoundError("pcscd is not installed (Debian package pcscd)")
    command = [SH, "-c", _ACTIVATE, "sh", pcscd, "--foreground", "-c", str(config_dir)]
    isolate = _isolation(socket_file)
    if isolate is not None:
        command = [*isolate, SH, "-c", _ISOLATE, "sh", str(socket_file.parent), *command[4:]]
    output = log_file.open("ab") if log_file else nullcontext(subprocess.DEVNULL)
    with _listen(socket_file) as listener, output as out:
        process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell interpolation
            command, stdin=listener.fileno(), stdout=out, stderr=subprocess.STDOUT
        )
    return PcscdProcess(process, socket_file)


def _listen(path: Path) -> socket.socket:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    path.chmod(0o666)
    listener.listen(64)
    return listener


def _isolation(socket_file: Path) -> list[str] | None:
    """``unshare`` argv giving pcscd a private /run/pcscd, or None (system socket, not root)."""
    unshare = shutil.which("unshare")
    if socket_file == DEFAULT_SOCKET or os.geteuid() != 0 or unshare is None:
        return None
    RUN_DIR.mkdir(mode=0o755, parents=True, exist_ok=True)
    argv = [unshare, "--mount", "--propagation", "private"]
    probe = subprocess.run([*argv, "true"], capture_output=True, check=False)  # noqa: S603
    return argv if probe.returncode == 0 else None
