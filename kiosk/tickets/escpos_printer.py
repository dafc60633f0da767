"""A receipt printer spoken to in ESC/POS over the network (port 9100), USB or serial.

Each ticket is one connection: open, ask for the paper status (``DLE EOT 4``),
send the whole job, ask again, close. A printer that cannot be reached is
:class:`PrinterUnavailable`, an empty roll :class:`OutOfPaper`, a connection lost
while sending :class:`PrintFailed`; each message says what to check.
"""

from __future__ import annotations

import errno
import logging
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

from kiosk.config import EscposSettings
from kiosk.printing import PrinterUnavailable, PrintFailed, PrintJob
from kiosk.tickets.printer import OutOfPaper
from kiosk.tickets.slip import TicketSlip

log = logging.getLogger(__name__)

PaperState = Literal["ok", "near_end", "out", "unknown"]

# DLE EOT 4: "transmit roll paper sensor status", answered with one byte even while busy.
PAPER_STATUS_QUERY = b"\x10\x04\x04"
_FIXED_MASK, _FIXED_BITS = 0x93, 0x12  # bits 0, 1, 4, 7 of the answer are always 0, 1, 1, 0
_NEAR_END_BITS = 0x0C  # bits 2-3: the roll is near its end
_PAPER_END_BITS = 0x60  # bits 5-6: no paper
# How long to wait for the status byte; a printer that never answers is printed to anyway.
STATUS_WAIT_SECONDS = 1.5


def paper_state(answer: bytes) -> PaperState:
    """The paper state in a ``DLE EOT 4`` answer; "unknown" if it is not one."""
    for byte in answer:
        if byte & _FIXED_MASK == _FIXED_BITS:
            if byte & _PAPER_END_BITS:
                return "out"
            return "near_end" if byte & _NEAR_END_BITS else "ok"
    return "unknown"


@dataclass(frozen=True)
class Target:
    """How to reach one printer: python-escpos's connection, what to call it, what to check."""

    connect: Callable[[], Any]  # a python-escpos printer (Network, Usb, Serial), not yet open
    description: str
    advice: str


class EscposTicketPrinter:
    """Prints tickets on an ESC/POS receipt printer; one connection per ticket."""

    def __init__(
        self,
        target: Target,
        *,
        width_dots: int = 576,
        status_wait: float = STATUS_WAIT_SECONDS,
    ) -> None:
        self.target = target
        self.width_dots = width_dots
        self.status_wait = status_wait
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: EscposSettings) -> EscposTicketPrinter:
        return cls(target_from_settings(settings), width_dots=settings.width_dots)

    @property
    def description(self) -> str:
        return self.target.description

    def print_ticket(self, slip: TicketSlip) -> PrintJob:
        """Print one ticket; raises PrinterUnavailable, OutOfPaper or PrintFailed."""
        from kiosk.tickets.receipt import compose_receipt  # Pillow and python-escpos load here

        job = compose_receipt(slip, self.width_dots)
        with self._lock, self._connection() as printer:
            checked = self._require_paper(printer)
            self._send(printer, job)
            if checked:  # the roll may have run out during this ticket
                self._require_paper(printer, while_printing=True)
        log.info("ticket %s sent to %s (%d bytes)", slip.code, self.description, len(job))
        return PrintJob(f"ticket-{slip.code}", self.description)

    def check_ready(self) -> PaperState:
        """Connect and ask for the paper status, printing nothing (for ``ward-kiosk doctor``).

        Raises PrinterUnavailable or OutOfPaper; returns "ok", "near_end" or "unknown"
        (the printer does not answer status queries).
        """
        with self._lock, self._connection() as printer:
            return self._paper(printer)

    @contextmanager
    def _connection(self) -> Iterator[Any]:
        printer = self.target.connect()
        try:
            printer.open()
        except _open_errors() as e:
            raise PrinterUnavailable(
                f"{self.description}: {_reason(e)}; {self.target.advice}"
            ) from e
        try:
            yield printer
        finally:
            _close(printer)

    def _require_paper(self, printer: Any, *, while_printing: bool = False) -> bool:
        """Raise OutOfPaper on an empty roll; False when the printer gave no status."""
        state = self._paper(printer)
        if state == "out":
            when = "ran out of paper while printing" if while_printing else "is out of paper"
            raise OutOfPaper(f"{self.description} {when}; put in a new roll and close the cover")
        if state == "near_end":
            log.warning("%s: the paper roll is nearly used up; replace it soon", self.description)
        return state != "unknown"

    def _paper(self, printer: Any) -> PaperState:
        try:
            printer._raw(PAPER_STATUS_QUERY)
            answer = _read_within(printer, self.status_wait)
        except OSError as e:
            raise PrinterUnavailable(
                f"{self.description} stopped answering: {_reason(e)}; {self.target.advice}"
            ) from e
        state = paper_state(answer)
        if state == "unknown":
            log.info("%s gave no paper status (%r); printing anyway", self.description, answer)
        return state

    def _send(self, printer: Any, job: bytes) -> None:
        try:
            printer._raw(job)
        except OSError as e:
            raise PrintFailed(
                f"the connection to {self.description} broke while sending the ticket "
                f"({_reason(e)}); it may be partly printed: check the printer and its cable"
            ) from e


def _read_within(printer: Any, seconds: float) -> bytes:
    """What the printer sends back within ``seconds``; b"" if nothing (or it cannot say)."""
    device = printer.device
    previous = _swap_timeout(device, seconds)
    try:
        if _is_serial(device):  # pyserial waits for every byte asked for: ask for one
            return bytes(device.read(1))
        return bytes(printer._read() or b"")
    except NotImplementedError:
        return b""
    except OSError as e:
        if isinstance(e, TimeoutError) or getattr(e, "errno", None) == errno.ETIMEDOUT:
            return b""
        raise
    finally:
        _swap_timeout(device, previous)


def _swap_timeout(device: Any, seconds: float | None) -> float | None:
    """Set a socket's or serial port's read timeout; returns the one it had (None: other)."""
    if isinstance(device, socket.socket):
        previous = device.gettimeout()
        device.settimeout(seconds)
        return previous
    if _is_serial(device):
        previous = device.timeout
        device.timeout = seconds
        return float(previous) if previous is not None else None
    return None


def _is_serial(device: Any) -> bool:
    return hasattr(device, "timeout") and hasattr(device, "in_waiting")  # pyserial's Serial


def _close(printer: Any) -> None:
    _drain(printer.device)
    try:
        printer.close()
    except OSError as e:  # the job is out; a failing close changes nothing for the visitor
        log.info("closing the receipt printer connection: %s", e)


def _drain(device: Any) -> None:
    """Read what a socket still holds (a late status answer): closing a socket with unread
    data resets the connection, and the printer could lose the end of the ticket."""
    if not isinstance(device, socket.socket):
        return
    device.setblocking(False)
    try:
        while device.recv(256):
            pass
    except OSError:  # nothing more to read (BlockingIOError), or the printer is gone
        pass


def _reason(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__


def _open_errors() -> tuple[type[BaseException], ...]:
    """What opening a connection raises when the printer cannot be reached."""
    from escpos.exceptions import DeviceNotFoundError

    # RuntimeError: pyusb or pyserial missing; ValueError: pyusb found no libusb.
    return (DeviceNotFoundError, OSError, RuntimeError, ValueError)


def target_from_settings(s: EscposSettings) -> Target:
    """The connection ``[printing.escpos]`` describes."""
    if s.connection == "network":
        return network_target(s.host, s.port, timeout=s.timeout_seconds)
    if s.connection == "usb":
        return usb_target(s.usb_vendor, s.usb_product, s.usb_in_endpoint, s.usb_out_endpoint, s)
    if s.connection == "serial":
        return serial_target(s.serial_device, s.baudrate, timeout=s.timeout_seconds)
    raise ValueError("[printing.escpos] connection is empty: no receipt printer is configured")


# python-escpos is imported when a ticket is printed, not when the kiosk starts.


def network_target(host: str, port: int = 9100, *, timeout: float = 10.0) -> Target:
    def connect() -> Any:
        from escpos.printer import Network

        return Network(host, port=port, timeout=timeout)

    return Target(
        connect=connect,
        description=f"receipt printer {host}:{port}",
        advice="check that the printer is switched on and on the network, and the host and "
        "port in [printing.escpos] (the printer's self-test page shows its address)",
    )


def usb_target(vendor: int, product: int, in_ep: int, out_ep: int, s: EscposSettings) -> Target:
    timeout_ms = round(s.timeout_seconds * 1000)

    def connect() -> Any:
        from escpos.printer import Usb

        return Usb(vendor, product, timeout=timeout_ms, in_ep=in_ep, out_ep=out_ep)

    return Target(
        connect=connect,
        description=f"USB receipt printer {vendor:04x}:{product:04x}",
        advice="check the cable and the power, that lsusb lists the printer with these ids "
        "(usb_vendor, usb_product in [printing.escpos]), and that the kiosk user may use it "
        "(a udev rule)",
    )


def serial_target(device: str, baudrate: int, *, timeout: float = 10.0) -> Target:
    def connect() -> Any:
        from escpos.printer import Serial

        return Serial(device, baudrate=baudrate, timeout=timeout)

    return Target(
        connect=connect,
        description=f"serial receipt printer {device}",
        advice="check the cable and the power, serial_device and baudrate in "
        "[printing.escpos] (the self-test page shows the speed), and that the kiosk user "
        "may use the port (group dialout)",
    )
