"""The virtual card as an in-process backend: no pcscd, same interfaces as PC/SC."""

from __future__ import annotations

from kiosk.card.apdu import split_response
from kiosk.card.connection import Connection
from kiosk.card.errors import CardCommunicationError, CardRemovedError, NoCardError
from kiosk.card.virtual.card import CardVanished, VirtualMyNumberCard


class VirtualConnection(Connection):
    """A connection straight to a :class:`VirtualMyNumberCard`; closing resets the card."""

    def __init__(self, card: VirtualMyNumberCard) -> None:
        self._card: VirtualMyNumberCard | None = card
        card.power_on()

    def send_and_receive(self, apdu: bytes) -> tuple[bytes, int]:
        if self._card is None:
            raise CardCommunicationError("connection closed")
        try:
            return split_response(self._card.process(apdu))
        except CardVanished:
            raise CardRemovedError("card removed during a command") from None

    def close(self) -> None:
        if self._card is not None and not self._card.vanished:
            self._card.reset()
        self._card = None


class VirtualBackend:
    """A reader holding ``card`` (or nothing); a :class:`~kiosk.card.service.CardBackend`."""

    def __init__(self, card: VirtualMyNumberCard | None = None) -> None:
        self.card = card

    def card_present(self) -> bool:
        return self.card is not None and not self.card.vanished

    def connect(self) -> Connection:
        if self.card is None or not self.card_present():
            raise NoCardError("no card in the virtual reader")
        return VirtualConnection(self.card)
