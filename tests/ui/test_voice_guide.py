"""The voice guide: silent until asked, then every screen; volume in steps; reset per visitor."""

from __future__ import annotations

import logging

import pytest
from PySide6.QtCore import Qt

from kiosk.speech.audio import microphone_problem
from kiosk.speech.tts import RecordingSpeaker
from kiosk.ui.app import _listener
from kiosk.ui.voice_guide import VOLUME_STEPS, next_level
from tests.kiosk_fixture import Visitor, make_checkout, window_with

pytestmark = pytest.mark.pcsc


@pytest.fixture
def guided(qtbot, qapp, kiosk_context, card_service, pcsc_reader):
    speaker = RecordingSpeaker()
    checkout = make_checkout(kiosk_context)
    with window_with(qtbot, kiosk_context, card_service, checkout, speaker=speaker) as window:
        yield Visitor(qtbot, window), speaker


def test_without_the_voice_guide_nothing_is_said(guided):
    visitor, speaker = guided
    window = visitor.window
    visitor.start("en")
    visitor.answer("move_in")
    visitor.wait_for(window.question)
    assert speaker.said == []
    assert window.question.repeat.text() == "Read aloud"
    visitor.click(window.question.repeat)  # asking on any screen turns the guide on
    assert "Where did you move from?" in speaker.texts("en")[-1]
    visitor.answer("abroad")
    visitor.wait_for(window.question)
    assert "How many people" in speaker.texts("en")[-1]


def test_a_keypad_key_on_the_welcome_screen_starts_the_guide(guided):
    visitor, speaker = guided
    window = visitor.window
    visitor.qtbot.keyClick(window, Qt.Key.Key_5)
    assert window.guide.on
    assert "音声案内を始めます" in speaker.texts("ja")[-1]
    assert "はじめる" in speaker.texts("ja")[-1]


def test_volume_steps_are_said_and_the_next_visitor_starts_at_the_default(guided):
    visitor, speaker = guided
    window = visitor.window
    visitor.start("en")
    visitor.click(window.question.volume_up)  # from the default 0.9
    assert speaker.volume == 1.0
    assert speaker.texts("en")[-1] == "Volume 4 of 4"
    visitor.click(window.question.volume_down)
    visitor.click(window.question.volume_down)
    assert speaker.volume == VOLUME_STEPS[1]
    assert speaker.texts("en")[-1] == "Volume 2 of 4"
    assert window.guide.on, "changing the volume is asking for the voice"
    window.end_visit()
    assert speaker.volume is None
    assert not window.guide.on
    assert window.welcome.repeat.text() == "読み上げる"


def test_volume_levels_step_from_any_volume():
    assert next_level(0.9, +1) == 3 and next_level(0.9, -1) == 2
    assert next_level(1.0, +1) == 3 and next_level(0.3, -1) == 0
    assert next_level(0.55, +1) == 2 and next_level(0.55, -1) == 0


def test_no_microphone_hides_speak_and_says_why(kiosk_context, caplog):
    caplog.set_level(logging.WARNING)
    listener = _listener(kiosk_context)
    problem = microphone_problem()
    if problem is None:
        assert listener is not None
    else:
        assert listener is None
        assert "answering by voice is off" in caplog.text and problem in caplog.text
