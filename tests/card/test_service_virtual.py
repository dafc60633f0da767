"""CardService over the in-process virtual card: the pattern for UI tests without pcscd."""

from __future__ import annotations

import threading
import time

import pytest

from kiosk.card import service as service_module
from kiosk.card.connection import Connection
from kiosk.card.errors import (
    CardBusyError,
    CardRemovedError,
    CardTimeoutError,
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
    card = card_for("demo.toml", vanish_after=5)  # the READ BINARY finds no card
    service = service_for(card)
    with pytest.raises(CardRemovedError):
        service.read_basic_info("1234")
    assert card.log[-1].startswith("00 A4 02 0C 02 00 02")
    assert not service.card_present()


def test_read_card_with_the_number_in_one_session() -> None:
    card = card_for("demo.toml")
    data = service_for(card).read_card("1234", with_number=True)
    assert data.person == card.persona.person
    assert data.individual_number == "123456789018"
    assert card.log.count(VERIFY_WITH_DATA) == 1
    assert card.log.count("00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08") == 1
    assert "123456789018" not in repr(data)
    assert service_for(card).read_card("1234").individual_number is None


@pytest.mark.parametrize("pin", ["123", "12a4", "１２３４", "12345"])
def test_a_malformed_pin_never_reaches_the_card(pin: str) -> None:
    card = card_for("demo.toml")
    with pytest.raises(ValueError, match="4 ASCII digits") as caught:
        service_for(card).read_card(pin)
    assert pin not in str(caught.value)
    assert card.log == []


class StuckBackend(VirtualBackend):
    """A reader whose card (or whose connect) hangs until released."""

    def __init__(self, card: VirtualMyNumberCard, stuck_in: str) -> None:
        super().__init__(card)
        self.release = threading.Event()
        self.stuck_in = stuck_in

    def connect(self) -> Connection:
        if self.stuck_in == "connect":
            self.release.wait(10)
        connection = super().connect()
        if self.stuck_in != "transmit":
            return connection
        release = self.release

        class Hanging(Connection):
            def send_and_receive(self, apdu: bytes) -> tuple[bytes, int]:
                release.wait(10)
                return connection.send_and_receive(apdu)

            def close(self) -> None:
                connection.close()

        return Hanging()


def test_a_card_that_never_answers_times_out_and_is_abandoned() -> None:
    card = card_for("demo.toml")
    backend = StuckBackend(card, "transmit")
    service = CardService(backend=backend, timeout=0.3)
    started = time.monotonic()
    with pytest.raises(CardTimeoutError):
        service.read_basic_info("1234")
    assert time.monotonic() - started < 1
    backend.release.set()  # the card answers at last: the abandoned session sends no more
    time.sleep(0.2)
    assert card.log == ["00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08"]
    backend.stuck_in = ""
    assert service.read_basic_info("1234") == card.persona.person  # a fresh helper thread


def test_a_connect_that_never_returns_is_busy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service_module, "CONNECT_WAIT_S", 0.2)
    card = card_for("demo.toml")
    backend = StuckBackend(card, "connect")
    with pytest.raises(CardBusyError):
        CardService(backend=backend).tries_left()
    backend.release.set()
    time.sleep(0.2)
    assert card.log == []  # connected late, and sent nothing


def test_one_helper_thread_serves_every_call_then_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service_module, "IDLE_EXIT_S", 0.2)
    service = service_for(card_for("demo.toml"))
    before = {t.ident for t in threading.enumerate() if t.name == "card-session"}
    for _ in range(5):
        service.tries_left()
    helpers = [t for t in threading.enumerate() if t.name == "card-session"]
    assert len([t for t in helpers if t.ident not in before]) == 1
    time.sleep(0.5)
    assert not any(t.is_alive() for t in helpers if t.ident not in before)
    assert service.tries_left() == 3  # a new one starts when needed
