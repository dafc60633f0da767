"""Read-aloud: how soon a screen's first words are heard, and how fast a screen renders.

The screens are the moving-in path's, built from the catalog and translations as
the window shows them (progress, question, answers, Back). For each language:

- first audio: from ``say()`` to the first phrase's player starting, with the
  phrases rendered one by one (the kiosk) against rendering the whole screen
  first and then playing it (the baseline, how the kiosk spoke until now);
- the longest screen (the result screen) rendered whole: render time against the
  length of the audio (below 1.0 the next phrase is always ready in time).
"""

from __future__ import annotations

import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.common import Row
from kiosk.catalog import Catalog
from kiosk.config import Settings
from kiosk.guidance import guidance, route_summary
from kiosk.i18n import Translations
from kiosk.speech.speaker import KioskSpeaker
from kiosk.speech.voices import Voices

LANGUAGES = ["ja", "en", "ko"]
MOVING_IN = {
    "purpose": "move_in",
    "move_in_from": "other_municipality",
    "household_size": "2",
    "children": "yes",
    "insurance": "national",
    "cards": "all",
    "priority": "none",
}
# A player that starts and ends at once: the figure is when the first phrase reaches it.
NULL_PLAYER = [sys.executable, "-c", "pass"]


def screens(language: str) -> list[str]:
    """The question screens and the result screen of moving in, as read aloud."""
    texts = Translations.load(language)
    questions = Catalog.load().tree.questions
    shown = []
    for step, question_id in enumerate(MOVING_IN, start=1):
        choices = [texts.choice(question_id, c) for c in questions[question_id].choices]
        progress = texts.text("voice.progress", step=step, total=len(MOVING_IN))
        lines = [progress, texts.question(question_id), *choices, texts.text("ui.common.back")]
        shown.append("\n".join(lines))
    return [*shown, result_screen(texts)]


def result_screen(texts: Translations) -> str:
    steps = guidance(Catalog.load(), Settings(), texts, MOVING_IN)
    lines = [route_summary(texts, steps)]
    for number, step in enumerate(steps, start=1):
        lines += [f"{number}. {step.name}", f"{texts.text('ui.result.counter')}: {step.counter}"]
        lines += [texts.text("ui.result.bring"), *step.bring]
    buttons = [texts.text(f"ui.result.{key}") for key in ("without_card", "with_card")]
    return "\n".join([*lines, texts.text("ui.common.back"), *buttons])


def first_audio(speaker: KioskSpeaker, heard: threading.Event, text: str, language: str) -> float:
    heard.clear()
    started = time.perf_counter()
    speaker.say(text, language)
    if not heard.wait(60):
        raise RuntimeError(f"no {language} audio within 60 s")
    seconds = time.perf_counter() - started
    speaker.stop()
    speaker.wait_idle(60)
    return seconds


def whole_render(voices: Voices, text: str, language: str, out: Path) -> float:
    """The baseline: the whole screen rendered in one piece before anything plays."""
    engine = voices.engine(language)
    started = time.perf_counter()
    engine.render(text, language, voices.voice(language), 0.9, out)
    return time.perf_counter() - started


def run(rounds: int = 3, languages: tuple[str, ...] = tuple(LANGUAGES)) -> list[Row]:
    settings = Settings().speech
    rows = []
    heard = threading.Event()
    with (
        tempfile.TemporaryDirectory() as tmp,
        KioskSpeaker(
            settings, player=NULL_PLAYER, on_audio=lambda _u, index: index == 0 and heard.set()
        ) as speaker,
    ):
        voices = Voices(settings)
        for language in languages:
            texts = screens(language)
            voices.engine(language).warm_up()
            first_audio(speaker, heard, texts[0], language)  # the engine's start is not a screen's
            ours = [first_audio(speaker, heard, t, language) for t in texts * rounds]
            base = [whole_render(voices, t, language, Path(tmp, "whole.wav")) for t in texts]
            name = f"voice {language}: screen shown to first audio"
            engine = voices.engine(language).name
            rows.append(Row(name, ours, base, f"{len(texts)} screens, {engine}; base: whole"))
            longest = texts[-1]
            started = time.perf_counter()
            seconds = speaker.save(longest, language, Path(tmp, "result.wav"), timeout=300)
            render = time.perf_counter() - started
            note = f"{seconds:.1f} s of audio, real-time factor {render / seconds:.3f}"
            rows.append(Row(f"voice {language}: render the result screen", [render], note=note))
        voices.close()
    return rows
