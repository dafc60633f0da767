"""The whole stack for real: CardService -> pyscard -> private pcscd -> vpcd -> virtual card."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from kiosk.card import pcsc
from kiosk.card.errors import (
    ApduError,
    CardRemovedError,
    NoCardError,
    NoReaderError,
    NotMyNumberCardError,
    PinBlockedError,
    PinLastTryError,
    WrongPinError,
)
from kiosk.card.pcsc import PcscConnection
from kiosk.card.service import CardService
from kiosk.card.session import MyNumberSession
from kiosk.card.virtual.backend import VirtualBackend
from kiosk.card.virtual.card import ATR, VirtualMyNumberCard
from kiosk.card.virtual.persona import load_persona
from kiosk.person import Person
from kiosk.resources import resource
from tests.pcsc_fixture import VirtualReader

pytestmark = pytest.mark.pcsc

VERIFY_WITH_DATA = "00 20 00 80 04 ****"
Inserter = Callable[..., VirtualMyNumberCard]
RARE_ADDRESS = (
    "東京都葛\U000e0100飾区東金町一丁目２２番１号　金町ステーションフロントタワー東棟第２別館"
    "１２３４号室　\U00020bb7野髙橋ビルディング管理事務所気付　長期滞在者用住居区画ＡＢ－"
    "１２３４５６７８９０　（旧表示：東京都南葛\U000e0100飾郡金町大字金町字西浦１２３４番地の"
    "５６７）"
)


@pytest.mark.parametrize(
    ("virtual_card", "pin", "expected"),
    [
        (
            "demo.toml",
            "1234",
            Person("大阪 花子", "大阪府大阪市北区中之島1丁目3番20号", date(1985, 4, 12), "female"),
        ),
        (
            "rare_kanji.toml",
            "0000",
            Person("髙橋 \U00020bb7乃", RARE_ADDRESS, date(1950, 1, 31), "male"),
        ),
    ],
    indirect=["virtual_card"],
)
def test_correct_pin_reads_the_four_items(
    virtual_card: VirtualMyNumberCard, card_service: CardService, pin: str, expected: Person
) -> None:
    person = card_service.read_basic_info(pin)
    assert (person.name, person.address, person.birth_date, person.sex) == (
        expected.name,
        expected.address,
        expected.birth_date,
        expected.sex,
    )
    assert virtual_card.tries_left == 3


def test_tries_left_spends_no_try(
    virtual_card: VirtualMyNumberCard, card_service: CardService
) -> None:
    assert [card_service.tries_left() for _ in range(4)] == [3, 3, 3, 3]
    assert virtual_card.tries_left == 3
    assert "00 20 00 80" in virtual_card.log
    assert VERIFY_WITH_DATA not in virtual_card.log


def test_wrong_pin_decrements_and_reports_tries_left(
    virtual_card: VirtualMyNumberCard, card_service: CardService
) -> None:
    with pytest.raises(WrongPinError) as caught:
        card_service.read_basic_info("9999")
    assert caught.value.tries_left == 2
    assert card_service.tries_left() == 2
    assert virtual_card.tries_left == 2


def test_correct_pin_resets_the_counter(
    virtual_card: VirtualMyNumberCard, card_service: CardService
) -> None:
    with pytest.raises(WrongPinError):
        card_service.read_basic_info("9999")
    card_service.read_basic_info("1234")
    assert card_service.tries_left() == 3


def test_counter_survives_reset_and_reinsertion(
    pcsc_reader: VirtualReader, virtual_card: VirtualMyNumberCard, card_service: CardService
) -> None:
    with pytest.raises(WrongPinError):
        card_service.read_basic_info("9999")
    assert virtual_card.resets >= 1  # the service closes with SCARD_RESET_CARD
    assert card_service.tries_left() == 2
    pcsc_reader.remove()
    pcsc_reader.insert(virtual_card)
    assert card_service.tries_left() == 2


def test_verified_state_ends_with_the_service_call(
    pcsc_reader: VirtualReader, virtual_card: VirtualMyNumberCard, card_service: CardService
) -> None:
    card_service.read_basic_info("1234")
    with PcscConnection(pcsc_reader.name, allow_virtual=True) as connection:
        session = MyNumberSession(connection)
        session.select()
        with pytest.raises(ApduError) as caught:
            session.read_basic_info()
    assert caught.value.sw == 0x6982


def test_one_try_left_sends_no_verify(insert_card: Inserter, card_service: CardService) -> None:
    card = insert_card("last_try.toml")
    with pytest.raises(PinLastTryError):
        card_service.read_basic_info("4321")
    assert VERIFY_WITH_DATA not in card.log
    assert card.tries_left == 1
    assert card_service.tries_left() == 1


def test_two_misses_then_the_kiosk_stops(
    virtual_card: VirtualMyNumberCard, card_service: CardService
) -> None:
    with pytest.raises(WrongPinError):
        card_service.read_basic_info("9999")
    with pytest.raises(WrongPinError) as caught:
        card_service.read_basic_info("9999")
    assert caught.value.tries_left == 1
    with pytest.raises(PinLastTryError):
        card_service.read_basic_info("1234")
    assert virtual_card.log.count(VERIFY_WITH_DATA) == 2
    assert virtual_card.tries_left == 1


def test_blocked_pin(insert_card: Inserter, card_service: CardService) -> None:
    card = insert_card("blocked.toml")
    assert card_service.tries_left() == 0
    with pytest.raises(PinBlockedError):
        card_service.read_basic_info("5678")
    assert VERIFY_WITH_DATA not in card.log


def test_not_a_mynumber_card(insert_card: Inserter, card_service: CardService) -> None:
    insert_card("not_mynumber.toml")
    assert card_service.card_present()
    with pytest.raises(NotMyNumberCardError):
        card_service.tries_left()
    with pytest.raises(NotMyNumberCardError):
        card_service.read_basic_info("1111")


def _second_read_binary(persona_file: str, pin: str) -> int:
    """How many APDUs a full read sends before its second READ BINARY (dry run, no pcscd)."""
    card = VirtualMyNumberCard(load_persona(resource("personas", persona_file)))
    CardService(backend=VirtualBackend(card)).read_basic_info(pin)
    reads = [i for i, line in enumerate(card.log) if line.startswith("00 B0")]
    assert len(reads) >= 2, "persona too short for a chunked read"
    return reads[1]


def test_card_lifted_mid_read(
    insert_card: Inserter, pcsc_reader: VirtualReader, card_service: CardService
) -> None:
    card = insert_card(
        "rare_kanji.toml", vanish_after=_second_read_binary("rare_kanji.toml", "0000")
    )
    with pytest.raises(CardRemovedError):
        card_service.read_basic_info("0000")
    assert card.log[-1].startswith("00 B0 00 00")  # the first chunk was read
    pcsc_reader.wait_for_card(present=False)
    assert not card_service.card_present()


def test_no_card(pcsc_reader: VirtualReader, card_service: CardService) -> None:
    assert not card_service.card_present()
    with pytest.raises(NoCardError):
        card_service.tries_left()


def test_no_reader(pcsc_reader: VirtualReader) -> None:
    service = CardService("No Such Reader", allow_virtual=True)
    with pytest.raises(NoReaderError):
        service.card_present()
    with pytest.raises(NoReaderError):
        service.read_basic_info("1234")


def test_any_reader_means_the_one_with_the_card(
    pcsc_reader: VirtualReader, virtual_card: VirtualMyNumberCard
) -> None:
    assert pcsc_reader.name in pcsc.list_readers()
    found = pcsc.find_reader(allow_virtual=True)
    assert found == pcsc.find_reader("virtual pcd", allow_virtual=True) == pcsc_reader.name
    assert pcsc.card_atr(pcsc_reader.name) == ATR
    assert CardService(allow_virtual=True).tries_left() == 3


def test_individual_number_through_pcsc(
    pcsc_reader: VirtualReader, virtual_card: VirtualMyNumberCard
) -> None:
    with PcscConnection(pcsc_reader.name, allow_virtual=True) as connection:
        session = MyNumberSession(connection)
        session.select()
        session.verify_pin("1234")
        assert session.read_individual_number() == "123456789018"
