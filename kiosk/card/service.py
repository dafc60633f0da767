"""The facade the UI calls from a worker thread. Every call blocks and opens its own session.

Every call that talks to the card ends within ``timeout`` seconds. pcsc-lite has
no timeout of its own for a card that stops answering (``SCardTransmit`` waits
as long as the reader driver does, and vsmartcard's vpcd waits forever), nor
for another program's transaction (``SCardConnect`` waits until it ends). So
sessions run on a helper thread: past the deadline the caller gets
:class:`CardTimeoutError` (or :class:`CardBusyError` while still connecting),
and the abandoned session sends nothing more.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from kiosk.card.connection import Connection
from kiosk.card.errors import (
    CardBusyError,
    CardTimeoutError,
    PinBlockedError,
    PinLastTryError,
)
from kiosk.card.session import PIN_LENGTH, MyNumberSession
from kiosk.person import Person

log = logging.getLogger(__name__)

TIMEOUT_S = 10.0
CONNECT_WAIT_S = 2.0  # longer than pcsc.BUSY_WAIT_S, so that its CardBusyError comes first
IDLE_EXIT_S = 10.0

T = TypeVar("T")


class CardBackend(Protocol):
    """Where connections come from: PC/SC in production, a virtual card in tests."""

    def card_present(self) -> bool: ...

    def connect(self) -> Connection: ...


@dataclass
class CardData:
    """What one card session read: the 4 basic items, and the individual number if asked.

    The individual number is 特定個人情報: it is kept out of ``repr``. (Not frozen:
    ``kiosk.services.CardData`` declares plain, settable attributes.)
    """

    person: Person
    individual_number: str | None = field(default=None, repr=False)


class CardService:
    """Reads the My Number card in one reader; raises :mod:`kiosk.card.errors` errors.

    ``reader`` is a substring of the reader name (None: any reader, one holding
    a card first). ``allow_virtual`` (demo mode, tests) lets a virtual reader
    serve and ``reader`` be None; without it those are refused before
    connecting (:mod:`kiosk.card.readers`). ``backend`` replaces PC/SC, e.g.
    with a virtual card. ``timeout`` bounds every call that talks to the card.
    """

    def __init__(
        self,
        reader: str | None = None,
        *,
        allow_virtual: bool = False,
        backend: CardBackend | None = None,
        timeout: float = TIMEOUT_S,
    ) -> None:
        self._backend = backend if backend is not None else _pcsc_backend(reader, allow_virtual)
        self.timeout = timeout
        self._worker = _Worker()

    def card_present(self) -> bool:
        """True when the reader holds a card (any card)."""
        return self._backend.card_present()

    def tries_left(self) -> int:
        """PIN tries left (0-3) without spending one. Ask before every PIN entry."""
        return self._run(lambda session: session.tries_left())

    def read_basic_info(self, pin: str) -> Person:
        """Verify ``pin`` and read the 4 basic items (see :meth:`read_card`)."""
        return self.read_card(pin).person

    def read_card(self, pin: str, *, with_number: bool = False) -> CardData:
        """Verify ``pin`` once and read the 4 basic items, and the individual number if asked.

        One session, one VERIFY. Raises ValueError for a PIN that is not 4 ASCII
        digits (nothing sent), PinLastTryError (no VERIFY sent) when one try is
        left, PinBlockedError, WrongPinError (with ``tries_left``),
        NotMyNumberCardError, NoCardError, CardBusyError, CardTimeoutError, ...
        """
        if len(pin) != PIN_LENGTH or not (pin.isascii() and pin.isdigit()):
            raise ValueError("the PIN must be 4 ASCII digits")

        def read(session: MyNumberSession) -> CardData:
            _refuse_risky_verify(session.tries_left())
            session.verify_pin(pin)
            person = session.read_basic_info()
            if not with_number:
                return CardData(person)
            log.info("reading the individual number from the card")  # every access is logged
            return CardData(person, session.read_individual_number())

        return self._run(read)

    def _run(self, work: Callable[[MyNumberSession], T]) -> T:
        """``work`` in a session on the helper thread, waited for at most :attr:`timeout`."""
        call = _Call(self._backend, work)
        deadline = time.monotonic() + self.timeout
        self._worker.submit(call)
        # One wake-up in the usual case: most sessions end within the connect allowance.
        if call.done.wait(min(CONNECT_WAIT_S, self.timeout)):
            return call.result()
        if not call.connected.is_set():
            self._abandon(call)  # pcsc-lite waits forever for another program's transaction
            raise CardBusyError("could not connect to the card: another program is using it")
        if not call.done.wait(max(0.0, deadline - time.monotonic())):
            self._abandon(call)
            raise CardTimeoutError(
                f"the card did not answer within {self.timeout:g} s (take it out and put it back)"
            )
        return call.result()

    def _abandon(self, call: _Call[T]) -> None:
        """Let ``call`` run out on its own; later calls get a thread that is not stuck."""
        call.abandoned.set()
        self._worker = _Worker()


class _Call(Generic[T]):
    """One session, run by a :class:`_Worker`; the caller takes the result or the error."""

    def __init__(self, backend: CardBackend, work: Callable[[MyNumberSession], T]) -> None:
        self._backend = backend
        self._work = work
        self.connected = threading.Event()  # set once connecting has ended, either way
        self.done = threading.Event()
        self.abandoned = threading.Event()
        self._value: list[T] = []  # empty until the work returned
        self._error: BaseException | None = None

    def run(self) -> None:
        try:
            if not self.abandoned.is_set():
                connection = self._backend.connect()
                self.connected.set()
                with _Guarded(connection, self.abandoned) as guarded:
                    session = MyNumberSession(guarded)
                    session.select()
                    self._value.append(self._work(session))
        except BaseException as err:  # noqa: BLE001 - handed over to the caller's thread
            self._error = err
        finally:
            self.connected.set()
            self.done.set()

    def result(self) -> T:
        if self._error is not None:
            raise self._error
        return self._value[0]


class _Worker:
    """A daemon thread running calls one at a time; it ends after :data:`IDLE_EXIT_S` idle.

    Handing a call to a waiting thread costs far less than starting a thread per call.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: queue.SimpleQueue[_Call[Any]] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    def submit(self, call: _Call[Any]) -> None:
        with self._lock:
            self._calls.put(call)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._serve, name="card-session", daemon=True
                )
                self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                call = self._calls.get(timeout=IDLE_EXIT_S)
            except queue.Empty:
                with self._lock:
                    if self._calls.empty():
                        self._thread = None
                        return
                continue
            call.run()


class _Guarded(Connection):
    """Passes commands on until the caller gave up waiting; then refuses to send more."""

    def __init__(self, connection: Connection, abandoned: threading.Event) -> None:
        self._connection = connection
        self._abandoned = abandoned

    def send_and_receive(self, apdu: bytes) -> tuple[bytes, int]:
        if self._abandoned.is_set():
            raise CardTimeoutError("the session was abandoned after a timeout")
        return self._connection.send_and_receive(apdu)

    def close(self) -> None:
        self._connection.close()


def _refuse_risky_verify(tries_left: int) -> None:
    """A kiosk must never be what locks a card: stop before the last try."""
    if tries_left == 0:
        raise PinBlockedError()
    if tries_left == 1:
        raise PinLastTryError()


def _pcsc_backend(reader: str | None, allow_virtual: bool) -> CardBackend:
    from kiosk.card.pcsc import PcscBackend  # pyscard loads only when PC/SC is used

    return PcscBackend(reader, allow_virtual=allow_virtual)
