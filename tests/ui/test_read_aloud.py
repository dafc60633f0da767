"""Every screen is read aloud in the visitor's language; PIN digits and card data never are."""

from __future__ import annotations

import pytest

from kiosk.card.virtual.persona import load_persona
from kiosk.resources import resource
from kiosk.speech.tts import RecordingSpeaker, pin_feedback
from tests.kiosk_fixture import Visitor, make_checkout, window_with

pytestmark = pytest.mark.pcsc

PERSONA = load_persona(resource("personas", "demo.toml"))


@pytest.fixture
def speaking(qtbot, qapp, kiosk_context, card_service):
    speaker = RecordingSpeaker()
    checkout = make_checkout(kiosk_context)
    with window_with(qtbot, kiosk_context, card_service, checkout, speaker=speaker) as window:
        yield Visitor(qtbot, window), speaker


def to_pin(visitor: Visitor, language: str) -> None:
    """Start with the voice guide, answer up to the result and go on with the card."""
    visitor.start(language, voice_guide=True)
    visitor.answer("certificate", "juminhyo")
    visitor.wait_for(visitor.window.result)
    visitor.click(visitor.window.result.card)
    visitor.wait_for(visitor.window.pin)


def to_confirm(visitor: Visitor, language: str) -> None:
    to_pin(visitor, language)
    visitor.enter_pin(PERSONA.pin)
    visitor.wait_for(visitor.window.confirm)


def said(speaker: RecordingSpeaker) -> list[str]:
    return [call.text for call in speaker.calls if call.action == "say"]


def test_each_screen_is_read_in_the_visitors_language(speaking, virtual_card):
    visitor, speaker = speaking
    window = visitor.window
    qtbot = visitor.qtbot
    qtbot.wait(300)
    assert said(speaker) == [], "the welcome screen stays quiet for passers-by"
    assert window.welcome.voice_guide.isVisible()
    assert window.welcome.repeat.text() == "読み上げる", "nothing was said to hear again"
    visitor.click(window.welcome.voice_guide)  # before the language, which starts the visit
    assert "音声案内を始めます" in said(speaker)[-1]
    assert "はじめる" in said(speaker)[-1]  # and what the welcome screen shows
    assert window.welcome.repeat.text() == "もう一度聞く"
    before = len(speaker.calls)
    visitor.click(window.welcome.language_buttons["en"])  # the visit starts in English
    visitor.wait_for(window.question)
    assert "What brings you here today?" in said(speaker)[-1]
    assert window.question.repeat.text() == "Hear it again"
    visitor.answer("certificate", "juminhyo")
    visitor.wait_for(window.result)
    visitor.click(window.result.card)
    visitor.wait_for(window.pin)
    assert any("Place your My Number card" in text for text in said(speaker))
    assert any("Enter your card's" in text and "3 tries left" in text for text in said(speaker))
    after = [call for call in speaker.calls[before:] if call.action == "say"]
    assert after and all(call.language == "en" for call in after)


def test_pin_digits_and_card_data_are_never_spoken(speaking, virtual_card):
    visitor, speaker = speaking
    window = visitor.window
    to_confirm(visitor, "ja")
    spoken = "\n".join(said(speaker))
    texts = window.texts
    assert pin_feedback(2, 4, texts) in spoken
    assert pin_feedback(4, 4, texts) in spoken
    for digit_run in (PERSONA.pin, " ".join(PERSONA.pin)):
        assert digit_run not in spoken
    assert "カードから読み取った内容" in spoken  # the confirm screen's title is read
    assert PERSONA.person.name not in spoken
    assert PERSONA.person.address not in spoken


def test_questions_errors_and_the_ticket_are_read(speaking, pcsc_reader):
    visitor, speaker = speaking
    window = visitor.window
    visitor.start("en", voice_guide=True)
    last = said(speaker)[-1]
    assert "What brings you here today?" in last
    assert "I moved into this ward" in last and "Child allowance" in last  # the choices
    visitor.answer("certificate", "juminhyo")
    visitor.wait_for(window.result)
    assert "Copy of residence record" in said(speaker)[-1]
    visitor.without_card()  # the priority question comes after the card step
    visitor.wait_for(window.question)
    assert "Does one of these apply to you?" in said(speaker)[-1]
    visitor.answer("none")  # printing starts by itself
    visitor.wait_for(window.done)
    assert window.done.ticket.text() in said(speaker)[-1]  # what the ticket says


def test_a_touch_stops_speech_and_repeat_reads_again(speaking, pcsc_reader):
    visitor, speaker = speaking
    window = visitor.window
    visitor.start("en", voice_guide=True)
    before = len(speaker.calls)
    visitor.click(window.question.repeat)
    after = speaker.calls[before:]
    assert after[0].action == "stop"  # the touch itself stops what was being said
    assert after[-1].action == "say"
    assert "What brings you here today?" in after[-1].text
    assert window.question.repeat.text() == "Hear it again"


def test_volume_returns_to_the_default_after_each_visitor(speaking, pcsc_reader):
    visitor, speaker = speaking
    window = visitor.window
    visitor.start("en", voice_guide=True)
    speaker.set_volume(0.2)
    window.end_visit()
    assert speaker.volume is None
    assert speaker.calls[-1].action in ("reset_volume", "stop")
    assert any(call.action == "reset_volume" for call in speaker.calls)


def test_deleting_a_digit_is_said_and_submitting_says_nothing_of_the_pin(speaking, virtual_card):
    visitor, speaker = speaking
    window = visitor.window
    to_pin(visitor, "en")
    visitor.click(window.pin.keys["7"])
    visitor.click(window.pin.delete_key)
    assert said(speaker)[-2:] == [
        pin_feedback(1, 4, window.texts),
        pin_feedback(0, 4, window.texts, deleted=True),
    ]
    visitor.enter_pin(PERSONA.pin)
    visitor.wait_for(window.confirm)
    assert not any("deleted" in text for text in said(speaker)[-5:])


def test_card_data_is_read_only_when_the_visitor_asks(speaking, virtual_card):
    visitor, speaker = speaking
    window = visitor.window
    to_confirm(visitor, "en")
    assert PERSONA.person.name not in "\n".join(said(speaker))
    visitor.click(window.confirm.read_details)
    assert PERSONA.person.name in said(speaker)[-1]
    assert PERSONA.person.address in said(speaker)[-1]
    assert PERSONA.pin not in "\n".join(said(speaker))


def test_into_headphones_card_data_is_read_with_the_screen_but_never_the_pin(
    qtbot, qapp, kiosk_settings, card_service, virtual_card
):
    from kiosk.context import KioskContext

    settings = kiosk_settings.model_copy(
        update={"speech": kiosk_settings.speech.model_copy(update={"headphones": True})}
    )
    context = KioskContext.load(settings=settings)
    speaker = RecordingSpeaker()
    with window_with(
        qtbot, context, card_service, make_checkout(context), speaker=speaker
    ) as window:
        to_confirm(Visitor(qtbot, window), "ja")
        assert not window.confirm.read_details.isVisible()  # read with the screen already
        Visitor(qtbot, window).click(window.confirm.repeat)
        spoken = "\n".join(said(speaker))
        assert PERSONA.person.name in said(speaker)[-1]
        assert "●" not in spoken and PERSONA.pin not in spoken
