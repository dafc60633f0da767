"""What a listener would notice about a WAV file: silence, or a length that cannot hold the text."""

from __future__ import annotations

import array
import math
import wave
from dataclasses import dataclass
from pathlib import Path

FRAME_SECONDS = 0.05
SPEECH_RMS = 500
"""A 50 ms frame louder than this (of 32767) holds speech, not silence or hiss."""


@dataclass(frozen=True)
class Heard:
    seconds: float
    voiced: float
    """Share of 50 ms frames above SPEECH_RMS."""


def listen(path: Path) -> Heard:
    with wave.open(str(path)) as w:
        assert w.getsampwidth() == 2 and w.getnchannels() == 1, "16-bit mono expected"
        rate = w.getframerate()
        samples = array.array("h", w.readframes(w.getnframes()))
    size = max(1, int(rate * FRAME_SECONDS))
    frames = [samples[i : i + size] for i in range(0, len(samples), size)]
    loud = sum(math.sqrt(sum(s * s for s in f) / len(f)) > SPEECH_RMS for f in frames if len(f))
    return Heard(len(samples) / rate, loud / max(1, len(frames)))


def assert_speaks(path: Path, text: str) -> Heard:
    """Not silent (most frames carry sound) and about as long as ``text`` takes to say."""
    heard = listen(path)
    letters = sum(not ch.isspace() for ch in text)
    # A Han character is a whole syllable; espeak-ng's Mandarin says about two a second.
    han = sum("\u4e00" <= ch <= "\u9fff" for ch in text)
    assert heard.voiced > 0.4, f"{path.name}: only {heard.voiced:.0%} of it is audible"
    low, high = 0.03 * letters, 0.45 * (letters - han) + 0.6 * han + 1.0
    assert low <= heard.seconds <= high, (
        f"{path.name}: {heard.seconds:.1f} s for {letters} letters (expected {low:.1f}-{high:.1f})"
    )
    return heard
