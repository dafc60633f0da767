"""Take, ask, reject through the real Korean model, on espeak-ng audio (bench/speech.py).

The utterances are from the benchmark: each one's outcome there is the one
tested here. Decoding is deterministic (no dither), so the outcome is too.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.speech import VOICES, synthesize
from kiosk.speech.audio import WavSource
from kiosk.speech.grammar import screen_choices
from kiosk.speech.recognizer import ChoiceRecognizer, SpeechRecognizer
from tests.speech.conftest import needs_tools

pytestmark = needs_tools

TAKEN = ("증명서", VOICES[2])  # both grammars hear "증명서"
ASKED = ("기타", VOICES[1])  # the plain grammar hears "기타", the fillers "이 아" more strongly
REJECTED = ("모르겠어요", VOICES[0])  # deliberately no choice's form


def purpose(model: Any) -> ChoiceRecognizer:
    return SpeechRecognizer(model, "ko").for_choices(screen_choices("ko", "purpose"))


def test_a_clear_answer_is_taken(ko_model: Any):
    heard = purpose(ko_model).recognize(WavSource(synthesize(*TAKEN)))
    assert (heard.choice, heard.candidate, heard.needs_confirmation) == (
        "certificate",
        "certificate",
        False,
    )
    assert heard.text == "증명서"


def test_a_likely_answer_is_asked_about(ko_model: Any):
    heard = purpose(ko_model).recognize(WavSource(synthesize(*ASKED)))
    assert (heard.choice, heard.candidate, heard.needs_confirmation) == (None, "other", True)
    assert 0 < heard.confidence < 1
    assert heard.text == "기타"  # the words of the candidate, shown to the visitor


def test_speech_that_is_no_answer_is_rejected(ko_model: Any):
    heard = purpose(ko_model).recognize(WavSource(synthesize(*REJECTED)))
    assert (heard.choice, heard.candidate, heard.needs_confirmation) == (None, None, False)


def test_the_installed_command_prints_the_candidate_and_whether_to_ask():
    command = Path(sys.executable).with_name("ward-kiosk")
    assert command.is_file(), f"{command} is not installed (pip install -e .)"
    wav = synthesize(*ASKED)
    args = [str(command), "speech", "recognize", "--lang", "ko", "--screen", "purpose", str(wav)]
    done = subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    heard = json.loads(done.stdout.splitlines()[-1])
    assert {"choice", "text", "confidence", "ms", "candidate", "needs_confirmation"} <= set(heard)
    assert (heard["choice"], heard["candidate"], heard["needs_confirmation"]) == (
        None,
        "other",
        True,
    )
