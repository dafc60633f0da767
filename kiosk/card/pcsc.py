"""PC/SC backend over pyscard: readers, card presence and a :class:`Connection`.

Every pyscard result code is mapped to our errors in :func:`_error`. Each call
opens its own PC/SC context, so the functions are safe from any thread and a
pcscd that restarts is picked up by the next call.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import NoReturn, TypeVar

from smartcard import scard

from kiosk.card.apdu import split_response
from kiosk.card.connection import Connection
from kiosk.card.errors import (
    CardBusyError,
    CardCommunicationError,
    CardError,
    CardRemovedError,
    CardTimeoutError,
    NoCardError,
    NoReaderError,
)
from kiosk.card.readers import ReaderPolicy

REMOVAL_GRACE_MS = 1500  # pcscd polls readers every 400 ms
BUSY_WAIT_S = 1.0  # how long another program may hold the card before we give up
BUSY_POLL_S = 0.05
PROTOCOLS = scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1

_SERVICE_GONE = {
    scard.SCARD_E_NO_SERVICE,
    scard.SCARD_E_SERVICE_STOPPED,
    scard.SCARD_F_COMM_ERROR,  # libpcsclite lost its socket to pcscd
}
_NO_READER = _SERVICE_GONE | {
    scard.SCARD_E_NO_READERS_AVAILABLE,
    scard.SCARD_E_UNKNOWN_READER,
    scard.SCARD_E_READER_UNAVAILABLE,
}
_NO_CARD = {
    scard.SCARD_E_NO_SMARTCARD,
    scard.SCARD_W_REMOVED_CARD,
    scard.SCARD_W_UNPOWERED_CARD,
    scard.SCARD_W_UNRESPONSIVE_CARD,
}

T = TypeVar("T")


def _error(hresult: int, doing: str, no_card: type[CardError] = NoCardError) -> CardError:
    """The error matching a failed PC/SC result code."""
    message = f"{doing}: {scard.SCardGetErrorMessage(hresult)} (0x{hresult & 0xFFFFFFFF:08X})"
    if hresult in _NO_READER:
        return NoReaderError(message)
    if hresult in _NO_CARD:
        return no_card(message)
    if hresult == scard.SCARD_E_SHARING_VIOLATION:
        return CardBusyError(message)
    if hresult == scard.SCARD_E_TIMEOUT:
        return CardTimeoutError(message)
    return CardCommunicationError(message)


def _check(hresult: int, doing: str) -> None:
    """Raise the error matching a PC/SC result code; return quietly on success."""
    if hresult != scard.SCARD_S_SUCCESS:
        raise _error(hresult, doing)


def _establish() -> int:
    hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    _check(hresult, "connecting to the PC/SC service")
    return int(context)


@contextmanager
def _context() -> Iterator[int]:
    context = _establish()
    try:
        yield context
    finally:
        scard.SCardReleaseContext(context)


def _readers(context: int) -> list[str]:
    hresult, readers = scard.SCardListReaders(context, [])
    if hresult == scard.SCARD_E_NO_READERS_AVAILABLE:
        return []
    _check(hresult, "listing readers")
    return list(readers)


def _state(context: int, reader: str, known: int = 0, timeout_ms: int = 0) -> tuple[int, bytes]:
    """Reader state flags and ATR, waiting up to ``timeout_ms`` for a change from ``known``."""
    hresult, states = scard.SCardGetStatusChange(context, timeout_ms, [(reader, known)])
    if hresult == scard.SCARD_E_TIMEOUT:
        return known, b""
    _check(hresult, "reading the reader state")
    _, state, atr = states[0]
    if state & scard.SCARD_STATE_UNKNOWN:
        raise NoReaderError(f"reader {reader!r} is gone")
    return state & ~scard.SCARD_STATE_CHANGED, bytes(atr)


def has_card(state: int) -> bool:
    """True when PC/SC reader state flags show a responsive card."""
    return bool(state & scard.SCARD_STATE_PRESENT) and not state & scard.SCARD_STATE_MUTE


def _atr(context: int, reader: str) -> bytes | None:
    state, atr = _state(context, reader)
    return atr if has_card(state) else None


def _find(context: int, policy: ReaderPolicy) -> str:
    """The reader ``policy`` allows, one with a card first; nothing is sent to any reader."""
    readers = policy.usable(_readers(context))
    if not readers:
        raise NoReaderError(f"no reader matching {policy.name!r}" if policy.name else "no reader")
    if len(readers) == 1:
        return readers[0]
    with_card = [r for r in readers if _atr(context, r) is not None]
    return (with_card or readers)[0]


def list_readers() -> list[str]:
    """Names of the readers PC/SC knows; raise NoReaderError if pcscd is not running."""
    with _context() as context:
        return _readers(context)


def find_reader(name: str | None = None, *, allow_virtual: bool = False) -> str:
    """The reader whose name contains ``name``, one with a card first.

    ``name`` None (any reader) and virtual readers need ``allow_virtual`` (demo, tests):
    see :class:`~kiosk.card.readers.ReaderPolicy` for the errors.
    """
    with _context() as context:
        return _find(context, ReaderPolicy(name, allow_virtual))


def card_atr(reader: str) -> bytes | None:
    """ATR of the card in ``reader``, or None when it holds no (responsive) card."""
    with _context() as context:
        return _atr(context, reader)


def card_present(reader: str) -> bool:
    """True when ``reader`` holds a responsive card."""
    return card_atr(reader) is not None


def card_events(reader: str) -> tuple[bool, int]:
    """Card present, and the reader's card event count (high word of the PC/SC event state)."""
    with _context() as context:
        state, _ = _state(context, reader)
    return has_card(state), state >> 16


class PcscConnection(Connection):
    """An exclusive connection to the card in one reader (by its full name).

    Exclusive, so no other program can slip commands in between ours (no
    transaction needed: pcsc-lite's SCardBeginTransaction waits forever for
    another holder, a sharing violation does not). If another program holds
    the card for longer than :data:`BUSY_WAIT_S`: :class:`CardBusyError`.
    Closing resets the card, so a verified PIN never outlives the session.

    Without ``context`` the connection opens and releases its own PC/SC
    context. With one, the caller keeps it: it is left alone if connecting
    fails, and handed to ``on_close`` (else released) when the connection closes.
    A virtual reader without ``allow_virtual`` is refused before connecting.
    """

    def __init__(
        self,
        reader: str,
        *,
        context: int | None = None,
        on_close: Callable[[int], None] | None = None,
        allow_virtual: bool = False,
    ) -> None:
        ReaderPolicy(allow_virtual=allow_virtual).check(reader)
        self.reader = reader
        self._context = _establish() if context is None else context
        self._on_close = on_close or scard.SCardReleaseContext
        self._card: int | None = None
        try:
            self._card, self._protocol = self._connect()
        except CardError:
            if context is None:
                scard.SCardReleaseContext(self._context)
            raise

    def _connect(self) -> tuple[int, int]:
        deadline = time.monotonic() + BUSY_WAIT_S
        while True:
            hresult, card, protocol = scard.SCardConnect(
                self._context, self.reader, scard.SCARD_SHARE_EXCLUSIVE, PROTOCOLS
            )
            if hresult != scard.SCARD_E_SHARING_VIOLATION or time.monotonic() >= deadline:
                break
            time.sleep(BUSY_POLL_S)
        if hresult == scard.SCARD_E_SHARING_VIOLATION:
            raise CardBusyError(f"another program is using the card in {self.reader!r}")
        _check(hresult, "connecting to the card")
        return card, protocol

    def send_and_receive(self, apdu: bytes) -> tuple[bytes, int]:
        if self._card is None:
            raise CardCommunicationError("connection closed")
        hresult, response = scard.SCardTransmit(self._card, self._protocol, list(apdu))
        if hresult != scard.SCARD_S_SUCCESS or len(response) < 2:
            self._transmit_failed(hresult)
        return split_response(bytes(response))

    def _transmit_failed(self, hresult: int) -> NoReturn:
        """A failed or empty exchange: some drivers report a lifted card only as no answer."""
        if hresult in _SERVICE_GONE:
            raise _error(hresult, "sending a command")
        if self._card_gone():
            raise CardRemovedError("card removed during a command")
        if hresult == scard.SCARD_S_SUCCESS:
            raise CardCommunicationError("the card gave no status word")
        raise _error(hresult, "sending a command", no_card=CardRemovedError)

    def _card_gone(self) -> bool:
        """True if the card is gone, or leaves within the grace time (pcscd notices late)."""
        try:
            state, _ = _state(self._context, self.reader)
            if has_card(state):
                state, _ = _state(self._context, self.reader, state, REMOVAL_GRACE_MS)
        except NoReaderError:
            return True
        return not has_card(state)

    def close(self) -> None:
        if self._card is None:
            return
        scard.SCardDisconnect(self._card, scard.SCARD_RESET_CARD)
        self._card = None
        self._on_close(self._context)


def connect(name: str | None = None, *, allow_virtual: bool = False) -> PcscConnection:
    """Find the reader matching ``name`` and connect to its card, in one PC/SC context."""
    policy = ReaderPolicy(name, allow_virtual)
    context = _establish()
    try:
        return PcscConnection(_find(context, policy), context=context, allow_virtual=allow_virtual)
    except CardError:
        scard.SCardReleaseContext(context)
        raise


class _ContextPool:
    """At most one idle PC/SC context, kept for the next call."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._spare: int | None = None

    def take(self) -> int | None:
        with self._lock:
            context, self._spare = self._spare, None
        return context

    def give_back(self, context: int) -> None:
        with self._lock:
            if self._spare is None:
                self._spare = context
                return
        scard.SCardReleaseContext(context)

    def close(self) -> None:
        context = self.take()
        if context is not None:
            scard.SCardReleaseContext(context)


class PcscBackend:
    """Finds the reader by name on every call, so a reader plugged in later is used.

    One PC/SC context is kept between calls (establishing one costs about as
    much as two APDUs) and released with the backend; a call that finds it
    dead, because pcscd restarted, retries once with a fresh one. A session
    that never ends keeps its own context, so the next call never waits behind
    it. The reader found by the last connection is tried first; the readers
    are listed again when that fails. Which readers may serve: ``reader`` and
    ``allow_virtual`` as for :class:`~kiosk.card.readers.ReaderPolicy`.
    """

    def __init__(self, reader: str | None = None, *, allow_virtual: bool = False) -> None:
        self.reader = reader
        self._policy = ReaderPolicy(reader, allow_virtual)
        self._pool = _ContextPool()
        self._found: str | None = None
        weakref.finalize(self, self._pool.close)  # pcscd serves at most 200 contexts

    def card_present(self) -> bool:
        def present(context: int) -> bool:
            present = _atr(context, _find(context, self._policy)) is not None
            self._pool.give_back(context)
            return present

        return self._with_context(present)

    def connect(self) -> Connection:
        return self._with_context(self._connect)

    def _connect(self, context: int) -> Connection:
        """To the reader found last time, which skips listing the readers; else look again."""
        found = self._found
        if found is not None:
            try:
                return self._open(found, context)
            except (NoReaderError, NoCardError):
                self._found = None  # unplugged, or the card went into another matching reader
        found = _find(context, self._policy)
        connection = self._open(found, context)
        self._found = found
        return connection

    def _open(self, reader: str, context: int) -> PcscConnection:
        allow = self._policy.allow_virtual
        on_close = self._pool.give_back
        return PcscConnection(reader, context=context, on_close=on_close, allow_virtual=allow)

    def _with_context(self, use: Callable[[int], T]) -> T:
        """``use(context)``, which owns the context once it returns; fresh if the kept one died."""
        context = self._pool.take()
        if context is not None:
            try:
                return use(context)
            except NoReaderError:
                pass  # pcscd may have restarted since the context was made
            except CardError:
                self._pool.give_back(context)
                raise
            scard.SCardReleaseContext(context)
        context = _establish()
        try:
            return use(context)
        except CardError:
            self._pool.give_back(context)
            raise
