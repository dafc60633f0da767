"""The PC/SC backend's shortcuts: a kept context and the last reader, both dropped when stale."""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator

import pytest
from smartcard import scard

from kiosk.card import pcsc
from kiosk.card.pcsc import PcscBackend
from kiosk.card.service import CardService
from kiosk.card.virtual.card import VirtualMyNumberCard
from kiosk.card.virtual.persona import load_persona
from kiosk.card.virtual.vpcd import VpcdEmulator
from kiosk.resources import resource
from tests.pcsc_fixture import VirtualReader

pytestmark = pytest.mark.pcsc

SLOT_1 = "Virtual PCD 00 01"


def test_one_context_serves_call_after_call(
    pcsc_reader: VirtualReader, virtual_card: VirtualMyNumberCard
) -> None:
    backend = PcscBackend(pcsc_reader.name, allow_virtual=True)
    service = CardService(backend=backend)
    service.tries_left()
    kept = backend._pool.take()
    assert kept is not None
    backend._pool.give_back(kept)
    service.read_basic_info("1234")
    assert backend.card_present()
    assert backend._pool.take() == kept


def test_the_kept_context_is_released_with_the_backend(
    pcsc_reader: VirtualReader, virtual_card: VirtualMyNumberCard
) -> None:
    backend = PcscBackend(pcsc_reader.name, allow_virtual=True)
    assert backend.card_present()
    kept = backend._pool.take()
    assert kept is not None
    backend._pool.give_back(kept)
    assert scard.SCardIsValidContext(kept) == scard.SCARD_S_SUCCESS
    del backend
    gc.collect()
    assert scard.SCardIsValidContext(kept) != scard.SCARD_S_SUCCESS


@pytest.fixture
def second_slot(pcsc_reader: VirtualReader) -> Iterator[VpcdEmulator]:
    """vpcd's second slot (:data:`SLOT_1`), fed by an emulator of its own."""
    emulator = VpcdEmulator(port=pcsc_reader.port + 1)
    emulator.start()
    yield emulator
    emulator.stop()


def test_a_card_moved_to_another_reader_is_found(
    pcsc_reader: VirtualReader, second_slot: VpcdEmulator
) -> None:
    demo = load_persona(resource("personas", "demo.toml"))
    service = CardService("Virtual PCD", allow_virtual=True)  # both slots match
    pcsc_reader.insert("demo.toml")
    assert service.tries_left() == 3
    pcsc_reader.remove()
    card = VirtualMyNumberCard(demo)
    second_slot.insert(card)
    deadline = time.monotonic() + 5
    while not pcsc.card_present(SLOT_1) and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        assert service.read_basic_info("1234") == demo.person
        assert card.log  # read from slot 1
    finally:
        second_slot.remove()
