"""The card screen follows the reader: cards placed or lifted, readers gone and back.

Every failure a visitor can meet at the reader shows a message in their language,
keeps the visit going, and is driven through the real pcscd with the virtual card.
"""

from __future__ import annotations

import pytest
from smartcard.scard import (
    SCARD_LEAVE_CARD,
    SCARD_PROTOCOL_T0,
    SCARD_PROTOCOL_T1,
    SCARD_SCOPE_USER,
    SCARD_SHARE_EXCLUSIVE,
    SCardConnect,
    SCardDisconnect,
    SCardEstablishContext,
    SCardReleaseContext,
)

pytestmark = pytest.mark.pcsc

EVENT_MS = 5_000


def to_card_step(visitor, language: str = "en") -> None:
    """Start a visit, answer the questions and go on with the card: the card step."""
    window = visitor.window
    visitor.start(language)
    visitor.answer("certificate", "juminhyo")
    visitor.wait_for(window.result)
    visitor.click(window.result.card)


def test_a_card_placed_after_start_opens_the_pin_screen(visitor, kiosk_window, pcsc_reader):
    window = kiosk_window
    to_card_step(visitor, "en")
    visitor.wait_for(window.identity)
    visitor.qtbot.wait(300)
    assert window.current_screen() is window.identity  # no card yet: it waits
    pcsc_reader.insert("demo.toml")
    try:
        visitor.wait_for(window.pin, timeout=EVENT_MS)
        assert "3 tries left" in window.pin.tries.text()
    finally:
        pcsc_reader.remove()


def test_a_card_already_on_the_reader_is_taken_at_once(visitor, kiosk_window, virtual_card):
    window = kiosk_window
    visitor.qtbot.waitUntil(lambda: any(window._cards.values()), timeout=EVENT_MS)
    to_card_step(visitor, "en")
    visitor.wait_for(window.pin, timeout=EVENT_MS)


def test_lifting_the_card_while_typing_the_pin_goes_back_with_a_message(
    visitor, kiosk_window, pcsc_reader
):
    window = kiosk_window
    pcsc_reader.insert("demo.toml")
    try:
        to_card_step(visitor, "en")
        visitor.wait_for(window.pin, timeout=EVENT_MS)
        visitor.click(window.pin.keys["1"])
    finally:
        pcsc_reader.remove()
    visitor.wait_for(window.identity, timeout=EVENT_MS)
    assert "moved away while it was being read" in window.identity.notice.text()
    assert window.visit is not None and window.visit.language == "en"
    assert window.pin.dots.text() == "○○○○"  # the digits typed so far are gone


def test_a_reader_unplugged_and_plugged_back_is_noticed(visitor, kiosk_window, pcsc_reader):
    window = kiosk_window
    to_card_step(visitor, "ja")
    pcsc_reader.stop_pcscd()
    try:
        visitor.qtbot.waitUntil(
            lambda: "カードリーダーが使えません" in window.identity.notice.text(), timeout=EVENT_MS
        )
        assert window.identity.no_card.isEnabled()  # the visitor can always go on without it
    finally:
        pcsc_reader.start_pcscd()
    visitor.qtbot.waitUntil(lambda: window.identity.notice.text() == "", timeout=EVENT_MS)
    pcsc_reader.insert("demo.toml")
    try:
        visitor.wait_for(window.pin, timeout=EVENT_MS)
    finally:
        pcsc_reader.remove()


@pytest.mark.parametrize(
    ("persona", "message"),
    [
        ("not_mynumber.toml", "could not be read as a My Number card"),
        ("blocked.toml", "PIN is locked"),
        ("last_try.toml", "Only one PIN try is left"),
    ],
)
def test_a_card_that_cannot_be_used_is_explained(
    visitor, kiosk_window, pcsc_reader, persona, message
):
    window = kiosk_window
    to_card_step(visitor, "en")
    pcsc_reader.insert(persona)
    try:
        visitor.qtbot.waitUntil(lambda: message in window.identity.notice.text(), timeout=EVENT_MS)
        assert window.current_screen() is window.identity
        assert window.visit is not None
    finally:
        pcsc_reader.remove()
    # Lifting the card lets the next one be checked; the message stays until then.
    pcsc_reader.insert("demo.toml")
    try:
        visitor.wait_for(window.pin, timeout=EVENT_MS)
    finally:
        pcsc_reader.remove()


@pytest.mark.parametrize("persona", ["garbage.toml", "malformed.toml"])
def test_a_card_answering_nonsense_is_a_card_error(visitor, kiosk_window, pcsc_reader, persona):
    window = kiosk_window
    card = pcsc_reader.insert(persona)
    try:
        to_card_step(visitor, "en")
        visitor.wait_for(window.pin, timeout=EVENT_MS)  # the PIN try counter answers sanely
        visitor.enter_pin(card.persona.pin)
        visitor.qtbot.waitUntil(
            lambda: "could not be read" in window.identity.notice.text(), timeout=EVENT_MS
        )
        assert window.visit is not None
    finally:
        pcsc_reader.remove()


def test_a_reader_held_by_another_program_asks_the_visitor_to_wait(
    visitor, kiosk_window, pcsc_reader
):
    window = kiosk_window
    pcsc_reader.insert("demo.toml")
    _, context = SCardEstablishContext(SCARD_SCOPE_USER)
    _, handle, _ = SCardConnect(
        context, pcsc_reader.name, SCARD_SHARE_EXCLUSIVE, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1
    )
    try:
        to_card_step(visitor, "en")
        visitor.qtbot.waitUntil(
            lambda: "reader is busy" in window.identity.notice.text(), timeout=EVENT_MS
        )
    finally:
        SCardDisconnect(handle, SCARD_LEAVE_CARD)
        SCardReleaseContext(context)
        pcsc_reader.remove()


def test_a_card_lifted_in_the_middle_of_the_read_is_asked_for_again(
    visitor, kiosk_window, pcsc_reader
):
    window = kiosk_window
    # The tries-left check takes 3 commands; the card goes during the PIN read after it.
    card = pcsc_reader.insert("demo.toml", vanish_after=5)
    try:
        to_card_step(visitor, "en")
        visitor.enter_pin(card.persona.pin)
        visitor.qtbot.waitUntil(
            lambda: "moved away while it was being read" in window.identity.notice.text(),
            timeout=EVENT_MS,
        )
        assert window.visit is not None and window.visit.person is None
        assert card.tries_left == 3  # the PIN was not spent
    finally:
        pcsc_reader.remove()


def test_a_card_that_stops_answering_is_given_up_on_in_time(visitor, kiosk_window, pcsc_reader):
    window = kiosk_window
    window.card.timeout = 1.0  # the kiosk's default is 10 s
    pcsc_reader.insert("demo.toml", delay=0.6)
    try:
        to_card_step(visitor, "en")
        visitor.qtbot.waitUntil(
            lambda: "could not be read" in window.identity.notice.text(), timeout=EVENT_MS
        )
        assert window.identity.no_card.isEnabled()
        assert window.visit is not None
    finally:
        pcsc_reader.remove()
