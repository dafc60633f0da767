"""A session with the 券面事項入力補助AP (card-info input support application)."""

from __future__ import annotations

import logging
from datetime import date

from kiosk.card import apdu, tlv
from kiosk.card.connection import Connection
from kiosk.card.errors import (
    ApduError,
    CardDataRefusedError,
    MalformedDataError,
    NotMyNumberCardError,
)
from kiosk.person import MAX_TEXT_LENGTH, Person, Sex, text_fault

log = logging.getLogger(__name__)

MAX_PIN_TRIES = 3
PIN_LENGTH = 4
INDIVIDUAL_NUMBER_LENGTH = 12
MAX_GET_RESPONSE = 32
MAX_FILE_SIZE = 0x7FFF + apdu.MAX_SHORT_LE  # the last chunk may start at offset 7FFF
MAX_READ_BINARY = 2 * MAX_FILE_SIZE // apdu.MAX_SHORT_LE  # allows chunks of half the size
MAX_TLV_HEADER = tlv.MAX_TAG_BYTES + 1 + tlv.MAX_LENGTH_BYTES

TAG_BASIC_INFO = 0xFF20
TAG_HEADER = 0xDF21
TAG_NAME = 0xDF22
TAG_ADDRESS = 0xDF23
TAG_BIRTH_DATE = 0xDF24
TAG_SEX = 0xDF25
TAG_INDIVIDUAL_NUMBER = 0xFF10

SEX_CODES: dict[bytes, Sex] = {b"1": "male", b"2": "female", b"9": "not_applicable"}


def _digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def check_digit(first_eleven: str) -> int:
    """Check digit of an individual number from its first 11 digits (番号法 ordinance formula)."""
    if len(first_eleven) != INDIVIDUAL_NUMBER_LENGTH - 1 or not _digits(first_eleven):
        raise ValueError("need exactly 11 ASCII digits")
    digits = [int(c) for c in reversed(first_eleven)]  # P_1 is the rightmost
    total = sum(p * (n + 1 if n <= 6 else n - 5) for n, p in enumerate(digits, start=1))
    remainder = total % 11
    return 0 if remainder <= 1 else 11 - remainder


def is_valid_individual_number(number: str) -> bool:
    """True for 12 ASCII digits whose last one is the right check digit."""
    if len(number) != INDIVIDUAL_NUMBER_LENGTH or not _digits(number):
        return False
    return check_digit(number[:-1]) == int(number[-1])


def _text(value: bytes, what: str) -> str:
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedDataError(f"{what} is not UTF-8") from None


_FAULTS = {
    "empty": "is empty",
    "too_long": "is longer than {max} characters",
    "control": "holds control characters or line breaks",
}


def _card_text(value: bytes, field: str) -> str:
    """A name or address from the card, held to the rules for corrections (never quoted)."""
    text = _text(value, field)
    fault = text_fault(field, text)
    if fault is not None:
        problem = _FAULTS[fault].format(max=MAX_TEXT_LENGTH[field])
        raise CardDataRefusedError(f"the {field} on the card {problem}: not taken")
    return text


def _birth_date(value: bytes) -> date:
    text = _text(value, "birth date")
    if len(text) != 8 or not _digits(text):
        raise MalformedDataError("birth date is not YYYYMMDD")
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise MalformedDataError("birth date is not a calendar date") from None


def _item(items: dict[int, bytes], tag: int) -> bytes:
    if tag not in items:
        raise MalformedDataError(f"basic info lacks tag {tag:X}")
    return items[tag]


def parse_basic_info(data: bytes) -> Person:
    """The 4 basic items from the content of EF 0002 (``FF20`` holding ``DF21``..``DF25``)."""
    items = tlv.parse_dict(tlv.unwrap(data, TAG_BASIC_INFO))
    sex = SEX_CODES.get(_item(items, TAG_SEX))
    if sex is None:
        raise MalformedDataError("unknown sex code")
    return Person(
        name=_card_text(_item(items, TAG_NAME), "name"),
        address=_card_text(_item(items, TAG_ADDRESS), "address"),
        birth_date=_birth_date(_item(items, TAG_BIRTH_DATE)),
        sex=sex,
    )


def parse_individual_number(data: bytes) -> str:
    """The individual number from the content of EF 0001, check digit verified.

    Public implementations read it as tag ``FF10``; any single outer tag is
    accepted here because the value itself is checked strictly.
    """
    number = _text(tlv.parse(data).value, "individual number")
    if not is_valid_individual_number(number):
        raise MalformedDataError("individual number is not 12 digits with a valid check digit")
    return number


def _tlv_size(data: bytes) -> int | None:
    """Size of the TLV ``data`` starts with; None while its header is still incomplete."""
    try:
        total = tlv.encoded_size(data)
    except MalformedDataError:
        if len(data) < MAX_TLV_HEADER:
            return None  # a card may answer with fewer bytes than asked: read on
        raise
    if total > MAX_FILE_SIZE:
        raise MalformedDataError("TLV longer than READ BINARY can address")
    return total


class MyNumberSession:
    """Speaks to the 券面事項入力補助AP over a :class:`Connection`.

    Call :meth:`select` first. The PIN is passed straight to VERIFY and not kept.
    """

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._ef: int | None = None  # the selected EF, so that VERIFY after a tries-left skips it

    def select(self) -> None:
        """Select the application; a card without it is not a My Number card."""
        self._ef = None
        _, sw = self._transmit(apdu.select_aid(apdu.AID_KENHOJO))
        if sw != apdu.SW_OK:
            raise NotMyNumberCardError(f"SELECT of the card-info input support AP gave {sw:04X}")

    def tries_left(self) -> int:
        """PIN tries left, asked with a VERIFY without data (spends no try)."""
        self._select_ef(apdu.EF_PIN)
        _, sw = self._transmit(apdu.verify())
        return apdu.tries_left_from_sw(sw, MAX_PIN_TRIES)

    def verify_pin(self, pin: str) -> None:
        """VERIFY the 4-digit PIN; raise WrongPinError or PinBlockedError on refusal."""
        if len(pin) != PIN_LENGTH or not _digits(pin):
            raise ValueError("the PIN must be 4 ASCII digits")
        self._select_ef(apdu.EF_PIN)
        _, sw = self._transmit(apdu.verify(pin.encode("ascii")))
        apdu.check_sw(sw)

    def read_basic_info(self) -> Person:
        """Name, address, birth date and sex (needs a verified PIN)."""
        return parse_basic_info(self._read_tlv_file(apdu.EF_BASIC_INFO))

    def read_individual_number(self) -> str:
        """The 12-digit individual number (needs a verified PIN). 特定個人情報: handle with care."""
        return parse_individual_number(self._read_tlv_file(apdu.EF_INDIVIDUAL_NUMBER))

    def _select_ef(self, fid: int) -> None:
        if self._ef == fid:
            return
        self._ef = None
        _, sw = self._transmit(apdu.select_ef(fid))
        apdu.check_sw(sw)
        self._ef = fid

    def _read_tlv_file(self, fid: int) -> bytes:
        """The TLV an EF starts with: one READ BINARY for up to 256 bytes, then exact chunks."""
        self._select_ef(fid)
        data = self._read_binary(0, apdu.MAX_SHORT_LE)
        for _ in range(MAX_READ_BINARY):
            total = _tlv_size(data)
            if total is not None and len(data) >= total:
                return data[:total]
            missing = apdu.MAX_SHORT_LE if total is None else total - len(data)
            chunk = self._read_binary(len(data), min(missing, apdu.MAX_SHORT_LE))
            if not chunk:
                raise MalformedDataError("file ends before its TLV does")
            data += chunk
        raise MalformedDataError("the card keeps answering READ BINARY with short chunks")

    def _read_binary(self, offset: int, le: int) -> bytes:
        if offset > 0x7FFF:
            raise MalformedDataError("file larger than READ BINARY can address")
        data, sw = self._transmit(apdu.read_binary(offset, le))
        if sw == apdu.SW_OFFSET_OUT_OF_RANGE:
            raise MalformedDataError("file ends before its TLV does")
        if sw != apdu.SW_END_OF_FILE:
            apdu.check_sw(sw)
        return data

    def _transmit(self, command: bytes) -> tuple[bytes, int]:
        tracing = log.isEnabledFor(logging.DEBUG)
        if tracing:
            log.debug("card > %s", apdu.redact(command))
        data, sw = self._connection.send_and_receive(command)
        if sw >> 8 == apdu.SW1_WRONG_LE and len(command) == 5:
            data, sw = self._connection.send_and_receive(command[:4] + bytes([sw & 0xFF]))
        for _ in range(MAX_GET_RESPONSE):
            if sw >> 8 != apdu.SW1_MORE_DATA:
                break
            more, sw = self._connection.send_and_receive(apdu.get_response(sw & 0xFF))
            data += more
        else:
            raise ApduError(sw, "response never ended")
        if tracing:
            log.debug("card < %d bytes, SW %04X", len(data), sw)
        return data, sw
