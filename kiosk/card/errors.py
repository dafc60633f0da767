"""Card errors: one hierarchy, each with a stable ``code`` for JSON and the UI.

Messages are English and meant for logs and developers; the UI maps ``code``
to a translated message. No message ever holds a PIN or personal data.
"""

from __future__ import annotations

from typing import ClassVar


class CardError(Exception):
    """Anything that went wrong while talking to a card or a reader."""

    code: ClassVar[str] = "card_error"


class NoReaderError(CardError):
    """No PC/SC service, no reader, or no reader matching the configured name."""

    code = "no_reader"


class ReaderNotAllowedError(CardError):
    """A virtual reader (e.g. vsmartcard's "Virtual PCD") outside demo mode and the tests.

    Refused before connecting: it never receives a command, let alone a PIN.
    """

    code = "reader_not_allowed"

    def __init__(self, reader: str) -> None:
        super().__init__(
            f"reader {reader!r} is a virtual reader, refused while card.allow_virtual_reader"
            " is off: set card.reader to the real card reader's name"
        )
        self.reader = reader


class ReaderNotConfiguredError(CardError):
    """``card.reader`` is empty outside demo mode: the kiosk takes no reader it was not named."""

    code = "reader_not_configured"

    def __init__(self) -> None:
        super().__init__(
            "card.reader is not set: set [card] reader to part of the card reader's name"
            " (ward-kiosk card status lists the readers)"
        )


class NoCardError(CardError):
    """The reader is there but holds no card."""

    code = "no_card"


class NotMyNumberCardError(CardError):
    """The card has no 券面事項入力補助AP: not a My Number card."""

    code = "not_mynumber_card"


class CardRemovedError(CardError):
    """The card left the reader during a command (lifted, pulled out)."""

    code = "card_removed"


class WrongPinError(CardError):
    """The card refused the PIN; ``tries_left`` more tries before it blocks."""

    code = "wrong_pin"

    def __init__(self, tries_left: int) -> None:
        super().__init__(f"wrong PIN, {tries_left} tries left")
        self.tries_left = tries_left


class PinLastTryError(CardError):
    """Only one try is left: the kiosk refuses to be the one that locks the card."""

    code = "pin_last_try"

    def __init__(self) -> None:
        super().__init__("one PIN try left: not verifying at the kiosk")
        self.tries_left = 1


class PinBlockedError(CardError):
    """The PIN is blocked; only a ward counter can reset it."""

    code = "pin_blocked"

    def __init__(self) -> None:
        super().__init__("PIN blocked")
        self.tries_left = 0


class CardBusyError(CardError):
    """Another program holds the card (PC/SC sharing violation); it may let go soon.

    The code stays ``card_error``; the class lets the UI say "the reader is in
    use, wait a moment and try again".
    """

    code = "card_error"


class CardCommunicationError(CardError):
    """Malformed data, an unexpected status word, a timeout or a transport failure."""

    code = "card_error"


class CardTimeoutError(CardCommunicationError):
    """The card (or reader driver) did not answer within the service's time limit."""


class MalformedDataError(CardCommunicationError):
    """Bytes from the card do not have the expected structure."""


class CardDataRefusedError(MalformedDataError):
    """Text on the card breaks the kiosk's rules (too long, control characters).

    The message names the item and the rule, never the text.
    """

    code = "card_data_refused"


class ApduError(CardCommunicationError):
    """The card answered a command with an unexpected status word."""

    def __init__(self, sw: int, message: str = "unexpected status word") -> None:
        super().__init__(f"{message} {sw:04X}")
        self.sw = sw
