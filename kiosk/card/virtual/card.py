"""The virtual My Number card: an APDU state machine for the 券面事項入力補助AP.

Answers as docs/card.md and the reference describe. The retry counter lives
as long as the object (it survives resets); the verified state does not.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from collections.abc import Callable
from functools import reduce

from kiosk.card import tlv
from kiosk.card.apdu import (
    AID_KENHOJO,
    CLA,
    EF_BASIC_INFO,
    EF_INDIVIDUAL_NUMBER,
    EF_PIN,
    INS_READ_BINARY,
    INS_SELECT,
    INS_VERIFY,
    MAX_SHORT_LE,
    P1_SELECT_DF_NAME,
    P1_SELECT_EF,
    P2_VERIFY_SPECIFIC,
    SW_AUTH_BLOCKED,
    SW_CLA_NOT_SUPPORTED,
    SW_FILE_NOT_FOUND,
    SW_INCOMPATIBLE_FILE,
    SW_INS_NOT_SUPPORTED,
    SW_NO_CURRENT_EF,
    SW_OFFSET_OUT_OF_RANGE,
    SW_OK,
    SW_PIN_COUNTER,
    SW_SECURITY_NOT_SATISFIED,
    SW_WRONG_LENGTH,
    SW_WRONG_P1P2,
    Command,
    parse_command,
    redact,
)
from kiosk.card.errors import MalformedDataError
from kiosk.card.session import (
    MAX_PIN_TRIES,
    SEX_CODES,
    TAG_ADDRESS,
    TAG_BASIC_INFO,
    TAG_BIRTH_DATE,
    TAG_HEADER,
    TAG_INDIVIDUAL_NUMBER,
    TAG_NAME,
    TAG_SEX,
)
from kiosk.card.virtual.persona import Persona
from kiosk.person import Person

Answer = tuple[bytes, int]


def _with_tck(atr: bytes) -> bytes:
    """Append TCK, the XOR of every byte after TS (needed when T=1 is offered)."""
    return atr + bytes([reduce(lambda a, b: a ^ b, atr[1:], 0)])


# TS=3B, T0=8A (TD1 follows, 10 historical bytes), TD1=80 (T=0, TD2 follows), TD2=01 (T=1).
ATR = _with_tck(bytes.fromhex("3B8A8001") + b"VIRTUALMNC")

_SEX_BYTES = {sex: code for code, sex in SEX_CODES.items()}


def basic_info_file(person: Person) -> bytes:
    """EF 0002: ``FF20`` holding header, name, address, birth date and sex."""
    name, address = person.name.encode("utf-8"), person.address.encode("utf-8")
    header = bytes([0x01, min(len(name), 0xFF), min(len(address), 0xFF)])  # opaque to readers
    items = [
        (TAG_HEADER, header),
        (TAG_NAME, name),
        (TAG_ADDRESS, address),
        (TAG_BIRTH_DATE, person.birth_date.strftime("%Y%m%d").encode("ascii")),
        (TAG_SEX, _SEX_BYTES[person.sex]),
    ]
    return tlv.encode(TAG_BASIC_INFO, b"".join(tlv.encode(tag, value) for tag, value in items))


def malformed_basic_info_file(person: Person) -> bytes:
    """EF 0002 with a sound outer TLV whose name item claims 255 bytes it does not have."""
    inner = tlv.encode(TAG_HEADER, b"\x01\x00\x00") + bytes.fromhex("DF2281FF")
    return tlv.encode(TAG_BASIC_INFO, inner + person.name.encode("utf-8"))


# What a "garbage" card answers to every READ BINARY (with 90 00): no TLV at all.
GARBAGE = hashlib.sha256(b"garbage").digest() * 8


def individual_number_file(number: str) -> bytes:
    """EF 0001: tag ``FF10`` holding the 12 ASCII digits."""
    return tlv.encode(TAG_INDIVIDUAL_NUMBER, number.encode("ascii"))


class CardVanished(Exception):
    """The card left the reader (fault injection: ``vanish_after``)."""


class VirtualMyNumberCard:
    """A My Number card in memory.

    ``log`` keeps every command APDU, redacted like trace logs. Faults:
    ``vanish_after`` APDUs are answered, then the card is lifted; ``delay``
    seconds pass before each answer (:meth:`interrupt` cuts a delay short by
    lifting the card); the persona's ``fault`` breaks EF 0002 or makes every
    READ BINARY answer junk.
    """

    atr = ATR

    def __init__(
        self, persona: Persona, *, vanish_after: int | None = None, delay: float = 0.0
    ) -> None:
        self.persona = persona
        self.tries_left = persona.tries_left
        self.vanish_after = vanish_after
        self.delay = delay
        self.log: list[str] = []
        self.resets = 0
        self.pin_entries = 0  # VERIFY commands that carried a PIN (tests count PIN entries)
        self._selected_ap = False
        self._ef: int | None = None
        self._verified = False
        self._interrupted = threading.Event()
        basic_info = (
            malformed_basic_info_file
            if persona.fault == "malformed_basic_info"
            else basic_info_file
        )
        self._files = {
            EF_INDIVIDUAL_NUMBER: individual_number_file(persona.individual_number),
            EF_BASIC_INFO: basic_info(persona.person),
        }
        self._handlers: dict[int, Callable[[Command], Answer]] = {
            INS_SELECT: self._select,
            INS_VERIFY: self._verify,
            INS_READ_BINARY: self._read_binary,
        }

    @property
    def verified(self) -> bool:
        """True while the PIN is verified in the current power cycle."""
        return self._verified

    @property
    def vanished(self) -> bool:
        """True once the card has been lifted by ``vanish_after``."""
        return self.vanish_after is not None and len(self.log) >= self.vanish_after

    def interrupt(self) -> None:
        """The card is taken out: an answer being delayed is never given (CardVanished)."""
        self._interrupted.set()

    def resume(self) -> None:
        """The card is put back after :meth:`interrupt`."""
        self._interrupted.clear()

    def power_on(self) -> None:
        self._clear()

    def power_off(self) -> None:
        self.resets += 1
        self._clear()

    def reset(self) -> None:
        self.resets += 1
        self._clear()

    def process(self, apdu: bytes) -> bytes:
        """Answer one command APDU with a response APDU (data + SW)."""
        if self.vanished:
            raise CardVanished()
        self.log.append(redact(apdu))
        if self.delay and self._interrupted.wait(self.delay):
            raise CardVanished()
        data, sw = self._answer(apdu)
        return data + sw.to_bytes(2, "big")

    def _clear(self) -> None:
        self._selected_ap = False
        self._ef = None
        self._verified = False

    def _answer(self, apdu: bytes) -> Answer:
        try:
            command = parse_command(apdu)
        except MalformedDataError:
            return b"", SW_WRONG_LENGTH
        if command.cla != CLA:
            return b"", SW_CLA_NOT_SUPPORTED
        handler = self._handlers.get(command.ins)
        return handler(command) if handler else (b"", SW_INS_NOT_SUPPORTED)

    def _select(self, command: Command) -> Answer:
        if command.p1 == P1_SELECT_DF_NAME:
            if command.data != AID_KENHOJO or self.persona.card != "mynumber":
                return b"", SW_FILE_NOT_FOUND  # like real cards: the current AP stays selected
            self._clear()
            self._selected_ap = True
            return b"", SW_OK
        if command.p1 != P1_SELECT_EF:
            return b"", SW_WRONG_P1P2
        fid = int.from_bytes(command.data, "big") if len(command.data) == 2 else None
        if not self._selected_ap or fid not in (*self._files, EF_PIN):
            return b"", SW_FILE_NOT_FOUND
        self._ef = fid
        return b"", SW_OK

    def _verify(self, command: Command) -> Answer:
        if (command.p1, command.p2) != (0x00, P2_VERIFY_SPECIFIC):
            return b"", SW_WRONG_P1P2
        if self._ef != EF_PIN:
            return b"", SW_NO_CURRENT_EF
        if self.tries_left == 0:
            return b"", SW_AUTH_BLOCKED
        if not command.data:
            return b"", SW_OK if self._verified else SW_PIN_COUNTER | self.tries_left
        self.pin_entries += 1
        self._verified = hmac.compare_digest(command.data, self.persona.pin.encode("ascii"))
        self.tries_left = MAX_PIN_TRIES if self._verified else self.tries_left - 1
        return b"", SW_OK if self._verified else SW_PIN_COUNTER | self.tries_left

    def _read_binary(self, command: Command) -> Answer:
        if command.p1 & 0x80:
            return b"", SW_WRONG_P1P2  # short EF identifiers are not offered
        if self._ef is None:
            return b"", SW_NO_CURRENT_EF
        content = self._files.get(self._ef)
        if content is None:
            return b"", SW_INCOMPATIBLE_FILE
        if not self._verified:
            return b"", SW_SECURITY_NOT_SATISFIED
        offset = command.p1 << 8 | command.p2
        if self.persona.fault == "garbage":
            content = GARBAGE
        if offset >= len(content):
            return b"", SW_OFFSET_OUT_OF_RANGE
        return content[offset : offset + (command.le or MAX_SHORT_LE)], SW_OK
