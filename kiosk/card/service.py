"""The facade the UI calls from a worker thread. Every call blocks and opens its own session."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

from kiosk.card.connection import Connection
from kiosk.card.errors import PinBlockedError, PinLastTryError
from kiosk.card.session import MyNumberSession
from kiosk.person import Person


class CardBackend(Protocol):
    """Where connections come from: PC/SC in production, a virtual card in tests."""

    def card_present(self) -> bool: ...

    def connect(self) -> Connection: ...


class CardService:
    """Reads the My Number card in one reader; raises :mod:`kiosk.card.errors` errors.

    ``reader`` is a substring of the reader name (None: any reader, one holding
    a card first). ``backend`` replaces PC/SC, e.g. with a virtual card.
    """

    def __init__(self, reader: str | None = None, *, backend: CardBackend | None = None) -> None:
        self._backend = backend if backend is not None else _pcsc_backend(reader)

    def card_present(self) -> bool:
        """True when the reader holds a card (any card)."""
        return self._backend.card_present()

    def tries_left(self) -> int:
        """PIN tries left (0-3) without spending one. Ask before every PIN entry."""
        with self._session() as session:
            return session.tries_left()

    def read_basic_info(self, pin: str) -> Person:
        """Verify ``pin`` and read the 4 basic items.

        Raises PinLastTryError (nothing sent) when one try is left, PinBlockedError,
        WrongPinError (with ``tries_left``), NotMyNumberCardError, NoCardError, ...
        """
        with self._session() as session:
            _refuse_risky_verify(session.tries_left())
            session.verify_pin(pin)
            return session.read_basic_info()

    @contextmanager
    def _session(self) -> Iterator[MyNumberSession]:
        with self._backend.connect() as connection:
            session = MyNumberSession(connection)
            session.select()
            yield session


def _refuse_risky_verify(tries_left: int) -> None:
    """A kiosk must never be what locks a card: stop before the last try."""
    if tries_left == 0:
        raise PinBlockedError()
    if tries_left == 1:
        raise PinLastTryError()


def _pcsc_backend(reader: str | None) -> CardBackend:
    from kiosk.card.pcsc import PcscBackend  # pyscard loads only when PC/SC is used

    return PcscBackend(reader)
