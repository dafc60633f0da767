"""My Number card: APDUs, TLV, the card-info input support AP, PC/SC and a virtual card.

Layers, one way only: ``apdu``/``tlv``/``errors`` <- ``session`` (over a
``Connection``) <- ``service`` (the UI facade) ; ``pcsc`` is the pyscard
backend, ``virtual`` the test double. Nothing here imports Qt; only ``pcsc``
imports pyscard.
"""

from kiosk.card.errors import (
    ApduError,
    CardBusyError,
    CardCommunicationError,
    CardError,
    CardRemovedError,
    CardTimeoutError,
    MalformedDataError,
    NoCardError,
    NoReaderError,
    NotMyNumberCardError,
    PinBlockedError,
    PinLastTryError,
    WrongPinError,
)

__all__ = [
    "ApduError",
    "CardBusyError",
    "CardCommunicationError",
    "CardError",
    "CardRemovedError",
    "CardTimeoutError",
    "MalformedDataError",
    "NoCardError",
    "NoReaderError",
    "NotMyNumberCardError",
    "PinBlockedError",
    "PinLastTryError",
    "WrongPinError",
]
