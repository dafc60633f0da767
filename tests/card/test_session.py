"""MyNumberSession over scripted connections: exact commands, answers and failures."""

from __future__ import annotations

import logging
from datetime import date

import pytest

from kiosk.card import tlv
from kiosk.card.errors import (
    ApduError,
    MalformedDataError,
    NotMyNumberCardError,
    PinBlockedError,
    WrongPinError,
)
from kiosk.card.session import MyNumberSession
from kiosk.person import Person

from .scripted import (
    DEMO_BASIC_INFO,
    SELECT_AP,
    SELECT_BASIC,
    SELECT_NUMBER,
    SELECT_PIN,
    VERIFY_1234,
    VERIFY_EMPTY,
    ScriptedConnection,
)

DEMO = Person("大阪 花子", "大阪府大阪市北区中之島1丁目3番20号", date(1985, 4, 12), "female")
OK = "9000"


def session(*script: tuple[str, str]) -> tuple[MyNumberSession, ScriptedConnection]:
    connection = ScriptedConnection(list(script))
    return MyNumberSession(connection), connection


def basic_info(**items: bytes) -> str:
    fields = {
        0xDF21: b"\x01\x00\x00",
        0xDF22: "名前".encode(),
        0xDF23: "住所".encode(),
        0xDF24: b"20000229",
        0xDF25: b"9",
    }
    fields.update({int(k[1:], 16): v for k, v in items.items()})
    body = b"".join(tlv.encode(tag, value) for tag, value in fields.items() if value is not None)
    return tlv.encode(0xFF20, body).hex()


def test_full_read_sends_exactly_the_reference_commands() -> None:
    s, connection = session(
        (SELECT_AP, OK),
        (SELECT_PIN, OK),
        (VERIFY_EMPTY, "63C3"),
        (VERIFY_1234, OK),  # EF 0011 is still selected
        (SELECT_BASIC, OK),
        ("00B0000000", DEMO_BASIC_INFO + OK),
    )
    s.select()
    assert s.tries_left() == 3
    s.verify_pin("1234")
    assert s.read_basic_info() == DEMO
    assert connection.done


def test_long_files_are_read_in_chunks() -> None:
    content = bytes.fromhex(basic_info(xDF23="東京都".encode() * 40))
    assert len(content) > 256
    s, connection = session(
        (SELECT_BASIC, OK),
        ("00B0000000", content[:256].hex() + OK),
        (f"00B00100{len(content) - 256:02X}", content[256:].hex() + OK),
    )
    assert s.read_basic_info().address == "東京都" * 40
    assert connection.done


def test_get_response_and_wrong_le_are_followed() -> None:
    content = bytes.fromhex(basic_info())
    s, connection = session(
        (SELECT_BASIC, OK),
        ("00B0000000", "6C" + f"{len(content):02X}"),
        (f"00B00000{len(content):02X}", f"61{len(content) - 10:02X}"),
        (f"00C00000{len(content) - 10:02X}", content[:10].hex() + f"61{len(content) - 10:02X}"),
        (f"00C00000{len(content) - 10:02X}", content[10:].hex() + OK),
    )
    assert s.read_basic_info().sex == "not_applicable"
    assert connection.done


def test_end_of_file_warning_is_accepted() -> None:
    s, _ = session((SELECT_BASIC, OK), ("00B0000000", DEMO_BASIC_INFO + "6282"))
    assert s.read_basic_info() == DEMO


def test_a_file_shorter_than_its_tlv_is_malformed() -> None:
    content = bytes.fromhex(basic_info())
    s, _ = session(
        (SELECT_BASIC, OK),
        ("00B0000000", content[:20].hex() + OK),
        (f"00B00014{len(content) - 20:02X}", "6B00"),
    )
    with pytest.raises(MalformedDataError, match="ends before"):
        s.read_basic_info()


@pytest.mark.parametrize(
    "items",
    [
        {"xDF25": b"3"},  # unknown sex code
        {"xDF25": None},  # missing item
        {"xDF24": b"19851332"},  # not a date
        {"xDF24": b"1985-4-1"},  # not YYYYMMDD
        {"xDF22": b"\xff\xfe"},  # not UTF-8
    ],
)
def test_malformed_basic_info(items: dict[str, bytes | None]) -> None:
    s, _ = session((SELECT_BASIC, OK), ("00B0000000", basic_info(**items) + OK))  # type: ignore[arg-type]
    with pytest.raises(MalformedDataError):
        s.read_basic_info()


def test_basic_info_with_the_wrong_outer_tag() -> None:
    s, _ = session((SELECT_BASIC, OK), ("00B0000000", "FF1003DF2100" + OK))
    with pytest.raises(MalformedDataError, match="FF20"):
        s.read_basic_info()


def test_read_without_pin_is_an_apdu_error() -> None:
    s, _ = session((SELECT_BASIC, OK), ("00B0000000", "6982"))
    with pytest.raises(ApduError) as caught:
        s.read_basic_info()
    assert caught.value.sw == 0x6982


def test_individual_number() -> None:
    s, _ = session((SELECT_NUMBER, OK), ("00B0000000", "FF100C" + b"123456789018".hex() + OK))
    assert s.read_individual_number() == "123456789018"


def test_individual_number_with_a_bad_check_digit_is_refused_without_echoing_it() -> None:
    s, _ = session((SELECT_NUMBER, OK), ("00B0000000", "FF100C" + b"123456789010".hex() + OK))
    with pytest.raises(MalformedDataError, match="check digit") as caught:
        s.read_individual_number()
    assert "1234" not in str(caught.value)


@pytest.mark.parametrize("sw", ["6A82", "6D00", "6999"])
def test_failed_select_means_not_a_mynumber_card(sw: str) -> None:
    s, _ = session((SELECT_AP, sw))
    with pytest.raises(NotMyNumberCardError):
        s.select()


def test_wrong_pin_reports_tries_left() -> None:
    s, _ = session((SELECT_PIN, OK), (VERIFY_1234, "63C1"))
    with pytest.raises(WrongPinError) as caught:
        s.verify_pin("1234")
    assert caught.value.tries_left == 1


@pytest.mark.parametrize("sw", ["6983", "63C0"])
def test_blocked_pin(sw: str) -> None:
    s, _ = session((SELECT_PIN, OK), (VERIFY_1234, sw))
    with pytest.raises(PinBlockedError):
        s.verify_pin("1234")


@pytest.mark.parametrize("pin", ["123", "12345", "12a4", "１２３４", ""])
def test_badly_formed_pins_are_never_sent(pin: str) -> None:
    s, connection = session()
    with pytest.raises(ValueError, match="4 ASCII digits") as caught:
        s.verify_pin(pin)
    assert pin not in str(caught.value) or not pin
    assert connection.done


def test_trace_log_hides_the_pin_and_personal_data(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="kiosk.card")
    s, _ = session(
        (SELECT_PIN, OK),
        (VERIFY_1234, OK),
        (SELECT_BASIC, OK),
        ("00B0000000", DEMO_BASIC_INFO + OK),
    )
    s.verify_pin("1234")
    s.read_basic_info()
    assert "00 20 00 80 04 ****" in caplog.text
    for secret in ("31 32 33 34", "1234", "大阪", "19850412", "E5 A4 A7"):
        assert secret not in caplog.text
