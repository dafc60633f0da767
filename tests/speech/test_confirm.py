"""Confirming a likely answer by voice: "네" / "아니요" through the confirm grammar."""

from __future__ import annotations

from typing import Any

from bench.speech import OUT_OF_GRAMMAR, VOICES, synthesize
from kiosk.speech.audio import WavSource
from kiosk.speech.grammar import confirm_choices, screen_choices
from kiosk.speech.recognizer import SpeechRecognizer, missing_words
from tests.speech.conftest import needs_tools
from tests.speech.test_outcomes_spoken import ASKED

pytestmark = needs_tools


def test_the_model_knows_every_korean_confirmation(ko_model: Any):
    forms = [form for said in confirm_choices("ko").values() for form in said]
    assert missing_words(ko_model, forms) == set()


def test_an_answer_asked_about_is_taken_once_the_visitor_says_yes(ko_model: Any):
    recognizer = SpeechRecognizer(ko_model, "ko")
    screen = recognizer.for_choices(screen_choices("ko", "purpose"))
    confirm = recognizer.for_choices(confirm_choices("ko"))
    heard = screen.recognize(WavSource(synthesize(*ASKED)))
    assert heard.needs_confirmation and heard.candidate == "other"
    answer = confirm.recognize(WavSource(synthesize("네", VOICES[0])))
    assert answer.choice == "yes"
    taken = heard.candidate if answer.choice == "yes" else None
    assert taken == "other"


def test_no_is_heard_as_no(ko_model: Any):
    confirm = SpeechRecognizer(ko_model, "ko").for_choices(confirm_choices("ko"))
    for voice in VOICES[:3]:
        assert confirm.recognize(WavSource(synthesize("아니요", voice))).choice == "no"


def test_only_a_sure_yes_or_no_counts(ko_model: Any):
    """What is no yes or no may be a candidate, but is never a choice taken."""
    confirm = SpeechRecognizer(ko_model, "ko").for_choices(confirm_choices("ko"))
    text = OUT_OF_GRAMMAR[0]  # 모르겠어요: the model hears "네 어요", a likely "no" at most
    heard = confirm.recognize(WavSource(synthesize(text, VOICES[0])))
    assert heard.choice is None
