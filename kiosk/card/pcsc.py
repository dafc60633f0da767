"""PC/SC backend over pyscard: readers, card presence and a :class:`Connection`.

Every pyscard result code is mapped to our errors in :func:`_check`. Each call
opens its own PC/SC context, so the functions are safe from any thread.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

from smartcard import scard

from kiosk.card.apdu import split_response
from kiosk.card.connection import Connection
from kiosk.card.errors import (
    CardCommunicationError,
    CardError,
    CardRemovedError,
    NoCardError,
    NoReaderError,
)

REMOVAL_GRACE_MS = 1500  # pcscd polls readers every 400 ms

_NO_READER = {
    scard.SCARD_E_NO_SERVICE,
    scard.SCARD_E_SERVICE_STOPPED,
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


def _error(hresult: int, doing: str, no_card: type[CardError] = NoCardError) -> CardError:
    """The error matching a failed PC/SC result code."""
    message = f"{doing}: {scard.SCardGetErrorMessage(hresult)} (0x{hresult & 0xFFFFFFFF:08X})"
    if hresult in _NO_READER:
        return NoReaderError(message)
    if hresult in _NO_CARD:
        return no_card(message)
    return CardCommunicationError(message)


def _check(hresult: int, doing: str) -> None:
    """Raise the error matching a PC/SC result code; return quietly on success."""
    if hresult != scard.SCARD_S_SUCCESS:
        raise _error(hresult, doing)


@contextmanager
def _context() -> Iterator[int]:
    hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    _check(hresult, "connecting to the PC/SC service")
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


def _has_card(state: int) -> bool:
    return bool(state & scard.SCARD_STATE_PRESENT) and not state & scard.SCARD_STATE_MUTE


def _atr(context: int, reader: str) -> bytes | None:
    state, atr = _state(context, reader)
    return atr if _has_card(state) else None


def list_readers() -> list[str]:
    """Names of the readers PC/SC knows; raise NoReaderError if pcscd is not running."""
    with _context() as context:
        return _readers(context)


def find_reader(name: str | None = None) -> str:
    """The reader whose name contains ``name`` (any reader if None), one with a card first."""
    with _context() as context:
        readers = _readers(context)
        if name is not None:
            readers = [r for r in readers if name.casefold() in r.casefold()]
        if not readers:
            raise NoReaderError(f"no reader matching {name!r}" if name else "no reader")
        with_card = [r for r in readers if _atr(context, r) is not None]
        return (with_card or readers)[0]


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
    return _has_card(state), state >> 16


class PcscConnection(Connection):
    """A shared connection to the card in one reader, inside a PC/SC transaction.

    Closing resets the card, so a verified PIN never outlives the session.
    """

    def __init__(self, reader: str) -> None:
        self.reader = reader
        hresult, self._context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        _check(hresult, "connecting to the PC/SC service")
        self._card: int | None = None
        try:
            self._card, self._protocol = self._connect()
        except CardError:
            scard.SCardReleaseContext(self._context)
            raise

    def _connect(self) -> tuple[int, int]:
        protocols = scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1
        hresult, card, protocol = scard.SCardConnect(
            self._context, self.reader, scard.SCARD_SHARE_SHARED, protocols
        )
        _check(hresult, "connecting to the card")
        hresult = scard.SCardBeginTransaction(card)
        if hresult != scard.SCARD_S_SUCCESS:
            scard.SCardDisconnect(card, scard.SCARD_LEAVE_CARD)
            _check(hresult, "starting a transaction")
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
        if self._card_gone():
            raise CardRemovedError("card removed during a command")
        if hresult == scard.SCARD_S_SUCCESS:
            raise CardCommunicationError("the card gave no status word")
        raise _error(hresult, "sending a command", no_card=CardRemovedError)

    def _card_gone(self) -> bool:
        """True if the card is gone, or leaves within the grace time (pcscd notices late)."""
        try:
            state, _ = _state(self._context, self.reader)
            if _has_card(state):
                state, _ = _state(self._context, self.reader, state, REMOVAL_GRACE_MS)
        except NoReaderError:
            return True
        return not _has_card(state)

    def close(self) -> None:
        if self._card is None:
            return
        scard.SCardEndTransaction(self._card, scard.SCARD_LEAVE_CARD)
        scard.SCardDisconnect(self._card, scard.SCARD_RESET_CARD)
        scard.SCardReleaseContext(self._context)
        self._card = None


class PcscBackend:
    """Finds the reader by name on every call, so a reader plugged in later is used."""

    def __init__(self, reader: str | None = None) -> None:
        self.reader = reader

    def card_present(self) -> bool:
        return card_present(find_reader(self.reader))

    def connect(self) -> Connection:
        return PcscConnection(find_reader(self.reader))
