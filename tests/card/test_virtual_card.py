"""The virtual card's state machine, command by command."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from kiosk.card import tlv
from kiosk.card.errors import MalformedDataError
from kiosk.card.virtual.card import ATR, GARBAGE, CardVanished, VirtualMyNumberCard
from kiosk.card.virtual.persona import load_persona
from kiosk.resources import resource

from .scripted import SELECT_AP, SELECT_BASIC, SELECT_PIN, VERIFY_1234, VERIFY_EMPTY


def persona_card(name: str = "demo.toml", **faults: int) -> VirtualMyNumberCard:
    card = VirtualMyNumberCard(load_persona(resource("personas", name)), **faults)  # type: ignore[arg-type]
    card.power_on()
    return card


def run(card: VirtualMyNumberCard, *commands: str) -> list[str]:
    return [card.process(bytes.fromhex(c)).hex().upper() for c in commands]


def test_atr_has_a_correct_tck() -> None:
    checksum = 0
    for byte in ATR[1:]:
        checksum ^= byte
    assert ATR[0] == 0x3B
    assert checksum == 0


def test_select_ap_and_unknown_aid() -> None:
    card = persona_card()
    assert run(card, SELECT_AP, "00A4040C0AD392F000260100000001") == ["9000", "6A82"]


def test_select_ef_needs_the_ap() -> None:
    card = persona_card()
    assert run(card, SELECT_PIN, SELECT_AP, SELECT_PIN, "00A4020C020099") == [
        "6A82",
        "9000",
        "9000",
        "6A82",
    ]


def test_card_without_the_ap() -> None:
    assert run(persona_card("not_mynumber.toml"), SELECT_AP) == ["6A82"]


def test_verify_flow_and_counter() -> None:
    card = persona_card()
    wrong = "002000800439393939"
    answers = run(card, SELECT_AP, SELECT_PIN, VERIFY_EMPTY, wrong, VERIFY_EMPTY, VERIFY_1234)
    assert answers == ["9000", "9000", "63C3", "63C2", "63C2", "9000"]
    assert card.tries_left == 3
    assert run(card, VERIFY_EMPTY) == ["9000"]


def test_verify_needs_the_pin_ef() -> None:
    assert run(persona_card(), SELECT_AP, VERIFY_1234) == ["9000", "6986"]


def test_three_misses_block_the_pin() -> None:
    card = persona_card()
    wrong = "002000800439393939"
    answers = run(
        card, SELECT_AP, SELECT_PIN, wrong, wrong, wrong, wrong, VERIFY_1234, VERIFY_EMPTY
    )
    assert answers == ["9000", "9000", "63C2", "63C1", "63C0", "6983", "6983", "6983"]


def test_read_binary_needs_the_pin_and_honours_le_and_offsets() -> None:
    card = persona_card()
    answers = run(card, SELECT_AP, SELECT_BASIC, "00B0000000")
    assert answers == ["9000", "9000", "6982"]
    run(card, SELECT_PIN, VERIFY_1234, SELECT_BASIC)
    whole = card.process(bytes.fromhex("00B0000000"))
    assert whole[:2] == b"\xff\x20"
    assert whole[-2:] == b"\x90\x00"
    assert card.process(bytes.fromhex("00B0000004")) == whole[:4] + b"\x90\x00"
    assert card.process(bytes.fromhex("00B0000203")) == whole[2:5] + b"\x90\x00"
    assert run(card, "00B0010000") == ["6B00"]


def test_read_binary_of_the_pin_ef_is_refused() -> None:
    card = persona_card()
    assert run(card, SELECT_AP, SELECT_PIN, VERIFY_1234, "00B0000000") == [
        "9000",
        "9000",
        "9000",
        "6981",
    ]


def test_reset_clears_verification_but_not_the_counter() -> None:
    card = persona_card()
    run(card, SELECT_AP, SELECT_PIN, "002000800439393939")
    run(card, SELECT_AP, SELECT_PIN, VERIFY_1234, "002000800439393939")
    assert card.tries_left == 2
    card.reset()
    assert card.resets == 1
    assert not card.verified
    assert run(card, SELECT_AP, SELECT_PIN, VERIFY_EMPTY) == ["9000", "9000", "63C2"]


@pytest.mark.parametrize(
    ("command", "sw"),
    [("80A4040C00", "6E00"), ("00CA010000", "6D00"), ("00A4", "6700"), ("00A4080C00", "6A86")],
)
def test_unsupported_commands(command: str, sw: str) -> None:
    assert run(persona_card(), command) == [sw]


def test_log_is_redacted() -> None:
    card = persona_card()
    run(card, SELECT_AP, SELECT_PIN, VERIFY_1234)
    assert card.log[-1] == "00 20 00 80 04 ****"
    assert not any("31 32 33 34" in line for line in card.log)


def test_vanish_after_lifts_the_card() -> None:
    card = persona_card(vanish_after=2)
    run(card, SELECT_AP, SELECT_PIN)
    assert card.vanished
    with pytest.raises(CardVanished):
        card.process(bytes.fromhex(VERIFY_EMPTY))


def test_every_shipped_persona_loads() -> None:
    for path in sorted(Path(resource("personas")).glob("*.toml")):
        assert persona_card(path.name).persona.person.name


def _read_basic_info(card: VirtualMyNumberCard) -> bytes:
    run(card, SELECT_AP, SELECT_PIN, VERIFY_1234, SELECT_BASIC)
    return card.process(bytes.fromhex("00B0000000"))


def test_malformed_basic_info_fault() -> None:
    answer = _read_basic_info(persona_card("malformed.toml"))
    assert answer[-2:] == b"\x90\x00"
    outer = tlv.parse(answer[:-2])
    assert outer.tag == 0xFF20  # the frame is sound, its items are not
    with pytest.raises(MalformedDataError):
        tlv.parse_dict(outer.value)


def test_garbage_fault() -> None:
    answer = _read_basic_info(persona_card("garbage.toml"))
    assert answer == GARBAGE[:256] + b"\x90\x00"


def test_interrupt_cuts_a_delay_short() -> None:
    card = persona_card(delay=30)
    threading.Timer(0.1, card.interrupt).start()
    started = time.monotonic()
    with pytest.raises(CardVanished):
        card.process(bytes.fromhex(SELECT_AP))
    assert time.monotonic() - started < 5
    card.resume()
    card.delay = 0
    assert run(card, SELECT_AP) == ["9000"]
