"""Asking back a likely spoken answer ("Did you say …?"), confirmed by voice or touch.

The listener double answers as the real one does (a Recognition per turn, in order);
tests/speech/test_outcomes*.py hear the same three outcomes through the real Vosk model.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping, Sequence

import pytest

from kiosk.speech.recognizer import Recognition
from kiosk.speech.tts import RecordingSpeaker
from tests.kiosk_fixture import Visitor, make_checkout, window_with

pytestmark = pytest.mark.pcsc


class ScriptedListener:
    """Hears, turn by turn, the recognitions it was given; notes the choices it listened for."""

    def __init__(self, *heard: Recognition) -> None:
        self.heard = deque(heard)
        self.asked: list[list[str]] = []

    def available(self, language: str) -> bool:
        return True

    def listen(
        self,
        language: str,
        choices: Mapping[str, Sequence[str]],
        stop: Callable[[], bool] = lambda: False,
    ) -> Recognition:
        self.asked.append(sorted(choices))
        return self.heard.popleft()


def likely(candidate: str) -> Recognition:
    return Recognition(None, "…", 0.4, 5.0, candidate=candidate, needs_confirmation=True)


def sure(choice: str) -> Recognition:
    return Recognition(choice, choice, 0.9, 5.0, candidate=choice)


@pytest.fixture
def run_with(qtbot, qapp, kiosk_context, card_service, pcsc_reader):
    def run(listener: ScriptedListener, speaker: RecordingSpeaker) -> object:
        checkout = make_checkout(kiosk_context)
        return window_with(
            qtbot, kiosk_context, card_service, checkout, listener=listener, speaker=speaker
        )

    return run


def to_purpose(visitor: Visitor) -> None:
    visitor.start("ja")  # the first question, right after the language
    visitor.click(visitor.window.question.speak)


def test_a_likely_answer_is_confirmed_by_voice(run_with, qtbot):
    listener = ScriptedListener(likely("move_in"), sure("yes"))
    speaker = RecordingSpeaker()
    with run_with(listener, speaker) as window:
        visitor = Visitor(qtbot, window)
        to_purpose(visitor)
        qtbot.waitUntil(lambda: window.question.question_id == "move_in_from")
        assert window.visit.answers == {"purpose": "move_in"}
        assert listener.asked[1] == ["no", "yes"], "the second turn listens for yes or no"
        asked = [t for t in speaker.texts("ja") if "でよろしいですか" in t]
        assert asked and "「引っ越してきた（転入）」でよろしいですか？" in asked[0]
        # Without the voice guide, only what the visitor's voice did is said, not the screen.
        assert speaker.texts("ja")[-1] == "「引っ越してきた（転入）」を選びました。"


def test_a_likely_answer_is_confirmed_by_touch(run_with, qtbot):
    listener = ScriptedListener(likely("certificate"), Recognition(None, "", 0.0, 1.0))
    with run_with(listener, RecordingSpeaker()) as window:
        visitor = Visitor(qtbot, window)
        to_purpose(visitor)
        qtbot.waitUntil(window.question.confirm_box.isVisible)
        assert not window.question.choice_buttons["certificate"].isVisible()
        qtbot.waitUntil(lambda: not listener.heard)  # the yes/no turn heard nothing
        assert window.question.confirm_box.isVisible(), "Yes and No are still there to touch"
        visitor.click(window.question.confirm_yes)
        qtbot.waitUntil(lambda: window.question.question_id == "certificate_kind")


def test_no_brings_the_answers_back_and_asks_again(run_with, qtbot):
    listener = ScriptedListener(likely("birth"), sure("no"))
    with run_with(listener, RecordingSpeaker()) as window:
        visitor = Visitor(qtbot, window)
        to_purpose(visitor)
        qtbot.waitUntil(lambda: bool(window.question.notice.text()))
        assert window.visit.answers == {}
        assert not window.question.confirm_box.isVisible()
        assert window.question.choice_buttons["birth"].isVisible()
        assert "もう一度お話しください" in window.question.notice.text()
        assert window.question.speak.isEnabled()


def test_a_rejected_answer_says_what_to_do(run_with, qtbot):
    listener = ScriptedListener(Recognition(None, "てんき", 0.1, 5.0))
    with run_with(listener, RecordingSpeaker()) as window:
        to_purpose(Visitor(qtbot, window))
        qtbot.waitUntil(lambda: bool(window.question.notice.text()))
        assert not window.question.confirm_box.isVisible()
        notice = window.question.notice.text()
        assert "もう一度お話しください、または画面をタッチしてください" in notice
        hint = window.question.speak_hint.text()
        assert hint.startswith("「引っ越してきた（転入）」「引っ越していく（転出）」のように")
