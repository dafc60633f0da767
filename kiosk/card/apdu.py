"""ISO 7816-4 short APDUs: named bytes, builders, parsing, and the one status word check."""

from __future__ import annotations

from typing import NamedTuple

from kiosk.card.errors import (
    ApduError,
    MalformedDataError,
    PinBlockedError,
    WrongPinError,
)

CLA = 0x00

INS_VERIFY = 0x20
INS_SELECT = 0xA4
INS_READ_BINARY = 0xB0
INS_GET_RESPONSE = 0xC0

P1_SELECT_EF = 0x02
P1_SELECT_DF_NAME = 0x04
P2_NO_RESPONSE_DATA = 0x0C
P2_VERIFY_SPECIFIC = 0x80

SW_OK = 0x9000
SW_END_OF_FILE = 0x6282
SW_WRONG_LENGTH = 0x6700
SW_INCOMPATIBLE_FILE = 0x6981
SW_SECURITY_NOT_SATISFIED = 0x6982
SW_AUTH_BLOCKED = 0x6983
SW_NO_CURRENT_EF = 0x6986
SW_FILE_NOT_FOUND = 0x6A82
SW_WRONG_P1P2 = 0x6A86
SW_OFFSET_OUT_OF_RANGE = 0x6B00
SW_INS_NOT_SUPPORTED = 0x6D00
SW_CLA_NOT_SUPPORTED = 0x6E00

SW1_MORE_DATA = 0x61
SW1_WRONG_LE = 0x6C
SW_PIN_COUNTER_MASK = 0xFFF0
SW_PIN_COUNTER = 0x63C0

MAX_SHORT_LE = 256

AID_KENHOJO = bytes.fromhex("D3921000310001010408")  # 券面事項入力補助AP
EF_INDIVIDUAL_NUMBER = 0x0001
EF_BASIC_INFO = 0x0002
EF_PIN = 0x0011


class Command(NamedTuple):
    """A parsed short command APDU. ``le`` is None when absent, else 1..256."""

    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes
    le: int | None


def command(ins: int, p1: int, p2: int, data: bytes = b"", le: int | None = None) -> bytes:
    """Encode a short APDU (Lc up to 255, Le up to 256; 256 is sent as 00)."""
    if len(data) > 255 or (le is not None and not 0 < le <= MAX_SHORT_LE):
        raise ValueError("data or Le too long for a short APDU")
    apdu = bytes([CLA, ins, p1, p2])
    if data:
        apdu += bytes([len(data)]) + data
    if le is not None:
        apdu += bytes([le % MAX_SHORT_LE])
    return apdu


def select_aid(aid: bytes) -> bytes:
    """SELECT an application by its AID, no response data."""
    return command(INS_SELECT, P1_SELECT_DF_NAME, P2_NO_RESPONSE_DATA, aid)


def select_ef(fid: int) -> bytes:
    """SELECT an elementary file by its 2-byte file ID, no response data."""
    return command(INS_SELECT, P1_SELECT_EF, P2_NO_RESPONSE_DATA, fid.to_bytes(2, "big"))


def verify(pin: bytes = b"") -> bytes:
    """VERIFY the PIN of the current EF; without a PIN, ask the tries left."""
    return command(INS_VERIFY, 0x00, P2_VERIFY_SPECIFIC, pin)


def read_binary(offset: int, le: int = MAX_SHORT_LE) -> bytes:
    """READ BINARY of the current EF from ``offset`` (15 bits)."""
    if not 0 <= offset <= 0x7FFF:
        raise ValueError("offset out of range for READ BINARY")
    return command(INS_READ_BINARY, offset >> 8, offset & 0xFF, le=le)


def get_response(le: int) -> bytes:
    """GET RESPONSE for the bytes announced by SW 61xx."""
    return command(INS_GET_RESPONSE, 0x00, 0x00, le=le or MAX_SHORT_LE)


def parse_command(apdu: bytes) -> Command:
    """Split a short command APDU into its fields; raise MalformedDataError if it is not one."""
    if len(apdu) < 4:
        raise MalformedDataError("APDU shorter than its header")
    cla, ins, p1, p2 = apdu[:4]
    body = apdu[4:]
    if not body:
        return Command(cla, ins, p1, p2, b"", None)
    if len(body) == 1:
        return Command(cla, ins, p1, p2, b"", body[0] or MAX_SHORT_LE)
    lc = body[0]
    if lc == 0 or len(body) not in (lc + 1, lc + 2):
        raise MalformedDataError("APDU body length does not match Lc")
    le = (body[-1] or MAX_SHORT_LE) if len(body) == lc + 2 else None
    return Command(cla, ins, p1, p2, bytes(body[1 : lc + 1]), le)


def split_response(response: bytes) -> tuple[bytes, int]:
    """Split a response APDU into its data and status word."""
    if len(response) < 2:
        raise MalformedDataError("response shorter than a status word")
    return bytes(response[:-2]), int.from_bytes(response[-2:], "big")


def hexlify(data: bytes) -> str:
    """Bytes as spaced upper-case hex: ``00 A4 04 0C``."""
    return " ".join(f"{b:02X}" for b in data)


def redact(apdu: bytes) -> str:
    """A command APDU as hex for trace logs, with any VERIFY body hidden."""
    if len(apdu) > 5 and apdu[1] == INS_VERIFY:
        return hexlify(apdu[:5]) + " ****"
    return hexlify(apdu)


def check_sw(sw: int) -> None:
    """Raise the typed error for a status word; return quietly for 90 00.

    This is the one place that turns status words into exceptions.
    """
    if sw == SW_OK:
        return
    if sw in (SW_AUTH_BLOCKED, SW_PIN_COUNTER):
        raise PinBlockedError()
    if sw & SW_PIN_COUNTER_MASK == SW_PIN_COUNTER:
        raise WrongPinError(sw & 0x0F)
    if sw == SW_SECURITY_NOT_SATISFIED:
        raise ApduError(sw, "security status not satisfied (PIN not verified)")
    if sw == SW_FILE_NOT_FOUND:
        raise ApduError(sw, "file or application not found")
    raise ApduError(sw)


def tries_left_from_sw(sw: int, max_tries: int) -> int:
    """Tries left as told by the answer to a VERIFY without data.

    ``90 00`` (already verified in this session) means the counter is full.
    """
    if sw == SW_AUTH_BLOCKED:
        return 0
    if sw & SW_PIN_COUNTER_MASK == SW_PIN_COUNTER:
        return sw & 0x0F
    check_sw(sw)
    return max_tries
