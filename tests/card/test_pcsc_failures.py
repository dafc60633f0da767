"""Failures through the real stack: pcscd going away, broken cards, a silent card, a busy card."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest
from smartcard import scard

from kiosk.card.errors import (
    CardBusyError,
    CardError,
    CardTimeoutError,
    MalformedDataError,
    NoReaderError,
)
from kiosk.card.service import CardService
from kiosk.card.virtual.card import VirtualMyNumberCard
from tests.pcsc_fixture import VirtualReader

pytestmark = pytest.mark.pcsc

Inserter = Callable[..., VirtualMyNumberCard]
VERIFY_WITH_DATA = "00 20 00 80 04 ****"


def test_pcscd_gone_between_calls(
    pcsc_reader: VirtualReader, virtual_card: VirtualMyNumberCard, card_service: CardService
) -> None:
    assert card_service.tries_left() == 3
    pcsc_reader.stop_pcscd()
    for call in (card_service.card_present, card_service.tries_left):
        with pytest.raises(NoReaderError) as caught:
            call()
        assert caught.value.code == "no_reader"
    with pytest.raises(NoReaderError):
        card_service.read_basic_info("1234")
    pcsc_reader.start_pcscd()
    assert card_service.read_basic_info("1234").name == "大阪 花子"  # no restart needed


@pytest.mark.parametrize("persona", ["malformed.toml", "garbage.toml"])
def test_broken_basic_info_is_a_card_error(
    insert_card: Inserter, card_service: CardService, persona: str
) -> None:
    card = insert_card(persona)
    with pytest.raises(MalformedDataError) as caught:
        card_service.read_basic_info("1234")
    assert caught.value.code == "card_error"
    assert "1234" not in str(caught.value)
    assert card.tries_left == 3  # the PIN was right; only the data is broken


def test_a_card_that_stops_answering_times_out(
    pcsc_reader: VirtualReader, insert_card: Inserter
) -> None:
    """vpcd and pcscd wait forever for an answer: the service's own deadline ends the call."""
    card = insert_card("demo.toml", delay=60)
    service = CardService(pcsc_reader.name, allow_virtual=True, timeout=1.0)
    started = time.monotonic()
    with pytest.raises(CardTimeoutError) as caught:
        service.read_basic_info("1234")
    assert 1.0 <= time.monotonic() - started < 1.5
    assert caught.value.code == "card_error"
    # The stuck session still holds the card: the next call says so within its deadline.
    with pytest.raises((CardBusyError, CardTimeoutError)):
        service.tries_left()
    pcsc_reader.remove()  # the visitor takes the card out: the stuck exchange ends
    assert card.log == ["00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08"]  # nothing sent after
    card.delay = 0
    pcsc_reader.insert(card)
    assert service.read_basic_info("1234").name == "大阪 花子"


def test_a_slow_card_within_the_deadline(pcsc_reader: VirtualReader, insert_card: Inserter) -> None:
    insert_card("demo.toml", delay=0.05)
    service = CardService(pcsc_reader.name, allow_virtual=True, timeout=5)
    assert service.read_basic_info("1234").name == "大阪 花子"


@pytest.fixture
def other_program(pcsc_reader: VirtualReader) -> Iterator[Callable[[int, bool], None]]:
    """Another PC/SC client (its own context) connecting to the card: ``hold(share, txn)``."""
    hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    assert hresult == scard.SCARD_S_SUCCESS
    handles: list[int] = []

    def hold(share: int, transaction: bool = False) -> None:
        hresult, card, _ = scard.SCardConnect(
            context, pcsc_reader.name, share, scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1
        )
        assert hresult == scard.SCARD_S_SUCCESS, scard.SCardGetErrorMessage(hresult)
        handles.append(card)
        if transaction:
            assert scard.SCardBeginTransaction(card) == scard.SCARD_S_SUCCESS

    yield hold
    for card in handles:
        scard.SCardDisconnect(card, scard.SCARD_LEAVE_CARD)
    scard.SCardReleaseContext(context)


@pytest.mark.parametrize(
    ("share", "transaction"),
    [(scard.SCARD_SHARE_EXCLUSIVE, False), (scard.SCARD_SHARE_SHARED, True)],
    ids=["exclusive", "shared-in-transaction"],
)
def test_another_program_holding_the_card(
    virtual_card: VirtualMyNumberCard,
    card_service: CardService,
    other_program: Callable[[int, bool], None],
    share: int,
    transaction: bool,
) -> None:
    """Exclusive: a sharing violation, retried for a second. In a transaction: pcsc-lite's
    SCardConnect would wait for its end forever, so the service stops waiting after 2 s."""
    other_program(share, transaction)
    started = time.monotonic()
    with pytest.raises(CardBusyError) as caught:
        card_service.read_basic_info("1234")
    assert time.monotonic() - started < 2.5
    assert caught.value.code == "card_error"
    assert isinstance(caught.value, CardError)
    assert VERIFY_WITH_DATA not in virtual_card.log


def test_busy_until_the_other_program_lets_go(
    pcsc_reader: VirtualReader, virtual_card: VirtualMyNumberCard, card_service: CardService
) -> None:
    """A short hold by another program is waited out (up to a second)."""
    hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    assert hresult == scard.SCARD_S_SUCCESS
    protocols = scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1
    hresult, card, _ = scard.SCardConnect(
        context, pcsc_reader.name, scard.SCARD_SHARE_EXCLUSIVE, protocols
    )
    assert hresult == scard.SCARD_S_SUCCESS
    release = threading.Timer(0.3, scard.SCardDisconnect, (card, scard.SCARD_LEAVE_CARD))
    release.start()
    try:
        assert card_service.read_basic_info("1234").name == "大阪 花子"
    finally:
        release.join()
        scard.SCardReleaseContext(context)
