"""A receipt printer on a loopback TCP port: it keeps the bytes and answers DLE EOT 4.

Like a real networked printer on port 9100, it takes one connection at a time,
reads until the kiosk closes it, and answers each paper-status query with one
byte: 0x12 (paper present), 0x1E (near its end) or 0x72 (no paper); ``paper=None``
never answers, like a printer that does not report status.
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field

PAPER_STATUS_QUERY = b"\x10\x04\x04"
PAPER_ANSWERS = {"ok": b"\x12", "near_end": b"\x1e", "out": b"\x72", None: b""}


@dataclass
class Connection:
    received: bytearray = field(default_factory=bytearray)
    queries: int = 0


class LoopbackPrinter:
    def __init__(self, port: int = 0, *, paper: str | None = "ok", hang_up: bool = False) -> None:
        """``hang_up``: close every connection as soon as it is accepted."""
        self.paper = paper
        self.hang_up = hang_up
        self.connections: list[Connection] = []
        self._done = threading.Semaphore(0)
        self._server = socket.create_server(("127.0.0.1", port))
        self._server.settimeout(0.2)
        self.port = self._server.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="loopback-printer", daemon=True)
        self._thread.start()

    @property
    def received(self) -> bytes:
        """Everything every connection sent, in order."""
        return b"".join(bytes(c.received) for c in self.connections)

    def wait_for_connection(self, timeout: float = 10.0) -> Connection:
        """The next connection to be closed by the kiosk, with what it sent."""
        if not self._done.acquire(timeout=timeout):
            raise TimeoutError(f"no connection to 127.0.0.1:{self.port} ended in {timeout} s")
        return self.connections[-1]

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._server.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._server.accept()
            except TimeoutError:
                continue
            with client:
                self._talk(client)

    def _talk(self, client: socket.socket) -> None:
        connection = Connection()
        self.connections.append(connection)
        if self.hang_up:
            client.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
            )
            self._done.release()
            return
        client.settimeout(10)
        while chunk := _recv(client):
            connection.received += chunk
            self._answer(client, connection)
        self._done.release()

    def _answer(self, client: socket.socket, connection: Connection) -> None:
        asked = connection.received.count(PAPER_STATUS_QUERY)
        while connection.queries < asked:
            connection.queries += 1
            if PAPER_ANSWERS[self.paper]:
                client.sendall(PAPER_ANSWERS[self.paper])


def _recv(client: socket.socket) -> bytes:
    try:
        return client.recv(65536)
    except OSError:
        return b""
