"""Tell systemd how the kiosk is doing (the sd_notify protocol), with no library.

A service started by systemd with ``Type=notify`` finds the socket to write to in
``$NOTIFY_SOCKET``: a path, or ``@name`` in the abstract namespace. Each message is
one datagram of ``KEY=value`` lines: ``READY=1`` once the window is on screen,
``WATCHDOG=1`` at least every ``$WATCHDOG_USEC`` microseconds (else systemd kills and
restarts the service), ``STOPPING=1`` on the way out. Outside systemd every call
does nothing.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Mapping

log = logging.getLogger(__name__)

NOTIFY_SOCKET = "NOTIFY_SOCKET"
WATCHDOG_USEC = "WATCHDOG_USEC"
WATCHDOG_PID = "WATCHDOG_PID"


class Notifier:
    """Sends sd_notify messages to the socket the environment names."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        environ = os.environ if environ is None else environ
        self._address = _address(environ.get(NOTIFY_SOCKET, ""))
        self._watchdog_usec = _watchdog_usec(environ)
        self._warned = False

    @property
    def enabled(self) -> bool:
        return self._address is not None

    def watchdog_interval_ms(self) -> int | None:
        """How often to send WATCHDOG=1: half the service's WatchdogSec, or None."""
        if self._address is None or self._watchdog_usec is None:
            return None
        return max(1, self._watchdog_usec // 2000)

    def ready(self, status: str = "") -> bool:
        return self.notify("READY=1", *([f"STATUS={status}"] if status else []))

    def watchdog(self) -> bool:
        return self.notify("WATCHDOG=1")

    def stopping(self) -> bool:
        return self.notify("STOPPING=1")

    def notify(self, *fields: str) -> bool:
        """Send one message; False when there is no socket or it cannot be written."""
        if self._address is None:
            return False
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
                sock.sendto("\n".join(fields).encode(), self._address)
        except OSError as e:
            if not self._warned:  # once: the watchdog would repeat it every few seconds
                log.warning("could not notify systemd at %s: %s", self._address, e)
                self._warned = True
            return False
        return True


def _address(value: str) -> str | bytes | None:
    if value.startswith("@"):
        return b"\0" + value[1:].encode()
    if value.startswith("/"):
        return value
    return None


def _watchdog_usec(environ: Mapping[str, str]) -> int | None:
    """WATCHDOG_USEC when it is meant for this process.

    systemd names the service's main process in WATCHDOG_PID. Under ``cage`` that is
    the compositor and the kiosk is its child: the parent's PID counts as ours.
    """
    try:
        usec = int(environ.get(WATCHDOG_USEC, ""))
    except ValueError:
        return None
    pid = environ.get(WATCHDOG_PID, "")
    if pid and pid not in {str(os.getpid()), str(os.getppid())}:
        return None
    return usec if usec > 0 else None
