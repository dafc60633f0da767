"""What the visitor sees when the kiosk refuses a reader or a card's text: a message in
their language that sends them to staff, through the real pcscd and the virtual card."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from kiosk.assembly import assemble
from kiosk.config import Settings
from kiosk.context import KioskContext
from tests.kiosk_fixture import Visitor, make_checkout, window_with
from tests.pcsc_fixture import VirtualReader, persona_with

pytestmark = pytest.mark.pcsc

EVENT_MS = 5_000


def to_card_step(visitor: Visitor, language: str) -> None:
    """Start a visit, answer the questions and go on with the card: the card step."""
    window = visitor.window
    visitor.start(language)
    visitor.answer("certificate", "juminhyo")
    visitor.wait_for(window.result)
    visitor.click(window.result.card)
    visitor.wait_for(window.identity)


@pytest.fixture
def production_window(
    qtbot: Any, qapp: Any, kiosk_settings: Settings, pcsc_reader: VirtualReader
) -> Iterator[Any]:
    """The kiosk as production builds it from the settings: card.allow_virtual_reader off,
    card.reader naming the tests' (virtual) reader."""
    settings = Settings.model_validate(
        kiosk_settings.model_dump()
        | {"card": {"reader": pcsc_reader.name}, "kiosk": {"languages": ["ja", "en", "ko"]}}
    )
    context = KioskContext.load(settings=settings)
    devices = assemble(context)
    try:
        with window_with(qtbot, context, devices.card, make_checkout(context)) as window:
            yield window
    finally:
        devices.close()


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("ja", "このカードリーダーは使えません。"),
        ("en", "This card reader cannot be used."),
        ("ko", "이 카드 리더기는 사용할 수 없습니다."),
    ],
)
def test_a_card_on_a_virtual_reader_is_refused_and_never_hears_the_pin(
    qtbot: Any, production_window: Any, pcsc_reader: VirtualReader, language: str, message: str
):
    window = production_window
    visitor = Visitor(qtbot, window)
    to_card_step(visitor, language)
    card = pcsc_reader.insert("demo.toml")
    try:
        qtbot.waitUntil(lambda: message in window.identity.notice.text(), timeout=EVENT_MS)
        qtbot.wait(300)  # the card stays on the reader: nothing more is tried
        assert window.current_screen() is window.identity
        assert window.identity.no_card.isEnabled()  # the visitor goes on without the card
        assert card.log == []  # not even a SELECT: no PIN could have reached it
        assert card.tries_left == 3
    finally:
        pcsc_reader.remove()


@pytest.mark.parametrize(
    ("person", "message"),
    [
        ({"name": "大阪 花子" * 1000}, "The details on this card could not be read."),
        ({"address": "大阪府\x1b[2J\r\n北区"}, "ask counter staff for help"),
    ],
)
def test_card_text_that_breaks_the_rules_sends_the_visitor_to_staff(
    visitor: Visitor,
    kiosk_window: Any,
    pcsc_reader: VirtualReader,
    person: dict[str, str],
    message: str,
):
    window = kiosk_window
    pcsc_reader.insert(persona_with(**person))
    try:
        to_card_step(visitor, "en")
        visitor.enter_pin("1234")
        visitor.qtbot.waitUntil(lambda: message in window.identity.notice.text(), timeout=EVENT_MS)
        assert window.visit is not None and window.visit.person is None
    finally:
        pcsc_reader.remove()
