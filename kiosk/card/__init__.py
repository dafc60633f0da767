"""My Number card: APDUs, TLV, the card-info input support AP, PC/SC and a virtual card.

Layers, one way only: ``apdu``/``tlv``/``errors`` <- ``session`` (over a
``Connection``) <- ``service`` (the UI facade) ; ``pcsc`` and ``pcsc_watcher``
are the pyscard backend, ``readers`` says which readers may serve, ``virtual`` is
the test double. Nothing here imports Qt; only ``pcsc`` and ``pcsc_watcher`` import
pyscard.
"""

from kiosk.card.errors import (
    ApduError,
    CardBusyError,
    CardCommunicationError,
    CardDataRefusedError,
    CardError,
    CardRemovedError,
    CardTimeoutError,
    MalformedDataError,
    NoCardError,
    NoReaderError,
    NotMyNumberCardError,
    PinBlockedError,
    PinLastTryError,
    ReaderNotAllowedError,
    ReaderNotConfiguredError,
    WrongPinError,
)

__all__ = [
    "ApduError",
    "CardBusyError",
    "CardCommunicationError",
    "CardDataRefusedError",
    "CardError",
    "CardRemovedError",
    "CardTimeoutError",
    "MalformedDataError",
    "NoCardError",
    "NoReaderError",
    "NotMyNumberCardError",
    "PinBlockedError",
    "PinLastTryError",
    "ReaderNotAllowedError",
    "ReaderNotConfiguredError",
    "WrongPinError",
]
