"""CardService over the in-process virtual card: the pattern for UI tests without pcscd."""

from __future__ import annotations

import pytest

from kiosk.card.errors import (
    CardRemovedError,
    NoCardError,
    NotMyNumberCardError,
    PinBlockedError,
    PinLastTryError,
    WrongPinError,
)
from kiosk.card.service import CardService
from kiosk.card.virtual.backend import VirtualBackend
from kiosk.card.virtual.card import VirtualMyNumberCard
from kiosk.card.virtual.persona import load_persona
from kiosk.resources import resource

VERIFY_WITH_DATA = "00 20 00 80 04 ****"


def card_for(name: str, **faults: int) -> VirtualMyNumberCard:
    return VirtualMyNumberCard(load_persona(resource("personas", name)), **faults)  # type: ignore[arg-type]


def service_for(card: VirtualMyNumberCard | None) -> CardService:
    return CardService(backend=VirtualBackend(card))


def test_read_basic_info() -> None:
    card = card_for("demo.toml")
    assert service_for(card).read_basic_info("1234") == card.persona.person
    assert not card.verified  # closing reset the card


def test_wrong_then_right_pin() -> None:
    card = card_for("demo.toml")
    service = service_for(card)
    with pytest.raises(WrongPinError) as caught:
        service.read_basic_info("9999")
    assert caught.value.tries_left == 2
    assert service.tries_left() == 2
    service.read_basic_info("1234")
    assert service.tries_left() == 3


def test_last_try_is_never_spent() -> None:
    card = card_for("last_try.toml")
    with pytest.raises(PinLastTryError):
        service_for(card).read_basic_info("4321")
    assert VERIFY_WITH_DATA not in card.log
    assert card.tries_left == 1


def test_blocked() -> None:
    card = card_for("blocked.toml")
    service = service_for(card)
    assert service.tries_left() == 0
    with pytest.raises(PinBlockedError):
        service.read_basic_info("5678")
    assert VERIFY_WITH_DATA not in card.log


def test_not_a_mynumber_card() -> None:
    service = service_for(card_for("not_mynumber.toml"))
    assert service.card_present()
    with pytest.raises(NotMyNumberCardError):
        service.tries_left()


def test_no_card() -> None:
    service = service_for(None)
    assert not service.card_present()
    with pytest.raises(NoCardError):
        service.tries_left()


def test_card_lifted_mid_read() -> None:
    card = card_for("demo.toml", vanish_after=6)
    service = service_for(card)
    with pytest.raises(CardRemovedError):
        service.read_basic_info("1234")
    assert card.log[-1].startswith("00 A4 02 0C 02 00 02")
    assert not service.card_present()
