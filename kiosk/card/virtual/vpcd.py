"""Client side of the vpcd protocol: plays a virtual card into pcscd's vpcd reader.

Each message is a 2-byte big-endian length and a payload. A 1-byte payload is
a control code (0 power off, 1 power on, 2 reset, 4 get ATR); anything longer
is a command APDU. ATR requests and APDUs are answered in the same framing.
"""

from __future__ import annotations

import logging
import select
import signal
import socket
import threading

from kiosk.card.virtual.card import CardVanished, VirtualMyNumberCard

log = logging.getLogger(__name__)

VPCD_PORT = 35963
CTRL_OFF, CTRL_ON, CTRL_RESET, CTRL_ATR = 0, 1, 2, 4
POLL_S = 0.1  # how often the loop notices stop(), insert() and remove()
RETRY_S = 0.2  # wait between connection attempts while vpcd is not listening
IO_TIMEOUT_S = 5.0


def _recv_exact(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError("vpcd closed the link")
        data += chunk
        _ack_now(sock)
    return data


def _ack_now(sock: socket.socket) -> None:
    """ACK at once: vpcd writes length and payload separately, and Nagle's algorithm on
    its side would otherwise wait for our delayed ACK (about 40 ms per message)."""
    quickack = getattr(socket, "TCP_QUICKACK", None)
    if quickack is not None:
        sock.setsockopt(socket.IPPROTO_TCP, quickack, 1)


def _frame(payload: bytes) -> bytes:
    return len(payload).to_bytes(2, "big") + payload


class VpcdEmulator:
    """Connects to vpcd while a card is inserted; reconnects when the link drops.

    Run :meth:`serve_forever` in the foreground, or :meth:`start` a thread;
    :meth:`stop` ends either. :meth:`remove` lifts the card, :meth:`insert`
    puts one (back) in.
    """

    def __init__(
        self,
        card: VirtualMyNumberCard | None = None,
        port: int = VPCD_PORT,
        host: str = "127.0.0.1",
    ) -> None:
        self.port = port
        self.host = host
        self._card = card
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def card(self) -> VirtualMyNumberCard | None:
        return self._card

    def insert(self, card: VirtualMyNumberCard) -> None:
        card.resume()
        self._card = card
        self._wake.set()

    def remove(self) -> None:
        """Lift the card, even in the middle of a delayed answer."""
        card, self._card = self._card, None
        if card is not None:
            card.interrupt()
        self._wake.set()

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self.serve_forever, name="vpcd-emulator", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._card is not None:
            self._card.interrupt()
        self._wake.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def serve_forever(self) -> None:
        """Serve until :meth:`stop`."""
        while not self._stop.is_set():
            card = self._card
            if card is None or card.vanished:
                self._wake.wait(POLL_S)
                self._wake.clear()
            else:
                self._serve_link(card)

    def _serve_link(self, card: VirtualMyNumberCard) -> None:
        try:
            sock = socket.create_connection((self.host, self.port), timeout=IO_TIMEOUT_S)
        except OSError:
            self._stop.wait(RETRY_S)
            return
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        log.debug("vpcd: card inserted on %s:%d", self.host, self.port)
        with sock:
            try:
                while self._card is card and not self._stop.is_set():
                    self._serve_one(sock, card)
            except (OSError, CardVanished) as err:
                log.debug("vpcd: link closed (%s)", type(err).__name__)
        log.debug("vpcd: card removed from %s:%d", self.host, self.port)

    def _serve_one(self, sock: socket.socket, card: VirtualMyNumberCard) -> None:
        readable, _, _ = select.select([sock], [], [], POLL_S)
        if not readable:
            return
        payload = _recv_exact(sock, int.from_bytes(_recv_exact(sock, 2), "big"))
        if len(payload) == 1:
            reply = self._control(card, payload[0])
        else:
            reply = card.process(payload) if payload else None
        if reply is not None:
            sock.sendall(_frame(reply))

    @staticmethod
    def _control(card: VirtualMyNumberCard, code: int) -> bytes | None:
        if code == CTRL_ATR:
            return card.atr
        actions = {CTRL_OFF: card.power_off, CTRL_ON: card.power_on, CTRL_RESET: card.reset}
        if code in actions:
            actions[code]()
        return None


def run_until_signalled(emulator: VpcdEmulator) -> None:
    """Serve in the foreground until Ctrl-C or SIGTERM."""
    previous = signal.signal(signal.SIGTERM, lambda *_: emulator.stop())
    try:
        emulator.serve_forever()
    except KeyboardInterrupt:
        emulator.stop()
    finally:
        signal.signal(signal.SIGTERM, previous)
