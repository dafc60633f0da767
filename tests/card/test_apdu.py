"""APDU building, parsing, redaction and the one status word check."""

from __future__ import annotations

import pytest

from kiosk.card import apdu
from kiosk.card.errors import (
    ApduError,
    CardCommunicationError,
    MalformedDataError,
    PinBlockedError,
    WrongPinError,
)


@pytest.mark.parametrize(
    ("built", "expected"),
    [
        (apdu.select_aid(apdu.AID_KENHOJO), "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08"),
        (apdu.select_ef(apdu.EF_PIN), "00 A4 02 0C 02 00 11"),
        (apdu.select_ef(apdu.EF_BASIC_INFO), "00 A4 02 0C 02 00 02"),
        (apdu.verify(), "00 20 00 80"),
        (apdu.verify(b"1234"), "00 20 00 80 04 31 32 33 34"),
        (apdu.read_binary(0), "00 B0 00 00 00"),
        (apdu.read_binary(0x0123, 0x10), "00 B0 01 23 10"),
        (apdu.get_response(0x20), "00 C0 00 00 20"),
    ],
)
def test_builders_match_the_reference_bytes(built: bytes, expected: str) -> None:
    assert built == bytes.fromhex(expected)


@pytest.mark.parametrize("offset", [-1, 0x8000])
def test_read_binary_rejects_offsets_it_cannot_encode(offset: int) -> None:
    with pytest.raises(ValueError, match="offset"):
        apdu.read_binary(offset)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("00200080", apdu.Command(0, 0x20, 0, 0x80, b"", None)),
        ("00B0000000", apdu.Command(0, 0xB0, 0, 0, b"", 256)),
        ("00B0000010", apdu.Command(0, 0xB0, 0, 0, b"", 16)),
        ("00A4020C020011", apdu.Command(0, 0xA4, 2, 0x0C, b"\x00\x11", None)),
        ("00A4020C02001100", apdu.Command(0, 0xA4, 2, 0x0C, b"\x00\x11", 256)),
    ],
)
def test_parse_command_cases(raw: str, expected: apdu.Command) -> None:
    assert apdu.parse_command(bytes.fromhex(raw)) == expected


@pytest.mark.parametrize("raw", ["", "00A404", "00A4040C05D392", "00A4040C0000FF"])
def test_parse_command_rejects_malformed(raw: str) -> None:
    with pytest.raises(MalformedDataError):
        apdu.parse_command(bytes.fromhex(raw))


def test_redact_hides_verify_bodies_only() -> None:
    assert apdu.redact(apdu.verify(b"1234")) == "00 20 00 80 04 ****"
    assert apdu.redact(apdu.verify()) == "00 20 00 80"
    assert apdu.redact(apdu.select_ef(0x11)) == "00 A4 02 0C 02 00 11"


def test_split_response() -> None:
    assert apdu.split_response(bytes.fromhex("41429000")) == (b"AB", 0x9000)
    with pytest.raises(CardCommunicationError):
        apdu.split_response(b"\x90")


@pytest.mark.parametrize(
    ("sw", "error"),
    [
        (0x63C2, WrongPinError),
        (0x63C1, WrongPinError),
        (0x63C0, PinBlockedError),
        (0x6983, PinBlockedError),
        (0x6982, ApduError),
        (0x6A82, ApduError),
        (0x6F00, ApduError),
    ],
)
def test_check_sw_raises_the_typed_error(sw: int, error: type[Exception]) -> None:
    with pytest.raises(error):
        apdu.check_sw(sw)


def test_check_sw_passes_9000_and_carries_details() -> None:
    apdu.check_sw(0x9000)
    with pytest.raises(WrongPinError) as wrong:
        apdu.check_sw(0x63C2)
    assert wrong.value.tries_left == 2
    assert wrong.value.code == "wrong_pin"
    with pytest.raises(ApduError) as other:
        apdu.check_sw(0x6D00)
    assert other.value.sw == 0x6D00
    assert other.value.code == "card_error"


@pytest.mark.parametrize(("sw", "tries"), [(0x63C3, 3), (0x63C1, 1), (0x63C0, 0), (0x6983, 0)])
def test_tries_left_from_sw(sw: int, tries: int) -> None:
    assert apdu.tries_left_from_sw(sw, 3) == tries


def test_tries_left_when_already_verified_is_full() -> None:
    assert apdu.tries_left_from_sw(0x9000, 3) == 3


def test_tries_left_from_an_unexpected_sw_raises() -> None:
    with pytest.raises(ApduError):
        apdu.tries_left_from_sw(0x6A82, 3)
