"""Recognize one of a screen's choices from speech, with Vosk and a per-screen grammar."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kiosk.speech.audio import SAMPLE_RATE, AudioSource
from kiosk.speech.grammar import Choices, Hypothesis, decide, fillers, grammar_phrases

N_BEST = 10
"""Hypotheses the decoder returns for the decision to weigh."""


def never() -> bool:
    """The default ``stop``: listen until the speech ends."""
    return False


@dataclass(frozen=True)
class Recognition:
    """What was heard: the choice (None when rejected or silent), the words, and timings."""

    choice: str | None
    text: str
    confidence: float
    ms: float
    """Milliseconds from the end of the audio to the decision."""


@dataclass(frozen=True)
class ListenLimits:
    max_seconds: float = 8.0
    """Stop listening after this long even if the visitor keeps talking."""
    leading_silence_seconds: float = 5.0
    """Give up when nothing was said for this long after listening started."""


def missing_words(model: Any, phrases: Iterable[str]) -> set[str]:
    """Words of ``phrases`` the model does not know (Vosk silently drops them from grammars)."""
    words = {word for phrase in phrases for word in phrase.split()}
    return {word for word in words if model.vosk_model_find_word(word) < 0}


class ChoiceRecognizer:
    """Recognizes among one screen's choices; build one per screen, use it for many turns."""

    def __init__(
        self,
        model: Any,
        choices: Choices,
        filler_words: Sequence[str] = (),
        limits: ListenLimits | None = None,
    ) -> None:
        self.model = model
        self.choices = {choice: list(forms) for choice, forms in choices.items()}
        self.limits = limits or ListenLimits()
        phrases = grammar_phrases(self.choices, filler_words)
        self.missing = missing_words(model, phrases)
        known = [p for p in phrases if not set(p.split()) & self.missing]
        self._grammar = json.dumps(known, ensure_ascii=False)

    def recognize(self, source: AudioSource, stop: Callable[[], bool] = never) -> Recognition:
        """Listen until the end of speech, a limit, the end of the source, or ``stop()``."""
        import vosk

        decoder = vosk.KaldiRecognizer(self.model, SAMPLE_RATE, self._grammar)
        decoder.SetMaxAlternatives(N_BEST)
        clock = LatencyClock()
        result = self._listen(decoder, source, clock, stop)
        if stop():
            return Recognition(None, "", 0.0, 0.0)
        with clock.processing(0.0):
            hypotheses = _hypotheses(result)
            choice, confidence = decide(hypotheses, self.choices)
        return Recognition(choice, hypotheses[0].text, confidence, round(clock.latency_ms(), 1))

    def _listen(
        self, decoder: Any, source: AudioSource, clock: LatencyClock, stop: Callable[[], bool]
    ) -> dict[str, Any]:
        for chunk in source.chunks():
            if stop():
                return {}
            with clock.processing(len(chunk) / (2 * SAMPLE_RATE)):
                endpoint = decoder.AcceptWaveform(chunk)
                result = _json(decoder.Result()) if endpoint else None
            if result and _hypotheses(result)[0].text:
                return result
            if clock.audio_seconds >= self.limits.max_seconds:
                break
            if clock.audio_seconds >= self.limits.leading_silence_seconds and not _partial(decoder):
                break
        with clock.processing(0.0):
            return _json(decoder.FinalResult())


def _hypotheses(result: dict[str, Any]) -> list[Hypothesis]:
    """The N-best list of a result; a result without alternatives counts as one silent one."""
    found = [
        Hypothesis(str(a.get("text", "")), float(a.get("confidence", 0.0)))
        for a in result.get("alternatives", [])
    ]
    return found or [Hypothesis("", 0.0)]


class LatencyClock:
    """Time from the end of the audio to the decision, as if the audio came in real time.

    Chunks arrive every ``chunk`` seconds; a decoder slower than real time falls
    behind, and that backlog is part of the wait. For a microphone this is the
    wall-clock wait; for a file it is what the visitor would have waited.
    """

    def __init__(self) -> None:
        self.audio_seconds = 0.0
        self._done = 0.0  # when the decoder finished its last work, on the audio timeline

    def processing(self, chunk_seconds: float) -> _Timed:
        self.audio_seconds += chunk_seconds
        return _Timed(self)

    def finished(self, seconds: float) -> None:
        self._done = max(self._done, self.audio_seconds) + seconds

    def latency_ms(self) -> float:
        return max(0.0, self._done - self.audio_seconds) * 1000


class _Timed:
    def __init__(self, clock: LatencyClock) -> None:
        self._clock = clock
        self._start = 0.0

    def __enter__(self) -> None:
        self._start = time.perf_counter()

    def __exit__(self, *_: object) -> None:
        self._clock.finished(time.perf_counter() - self._start)


def _json(text: str) -> dict[str, Any]:
    value = json.loads(text)
    return value if isinstance(value, dict) else {}


def _partial(decoder: Any) -> str:
    return str(json.loads(decoder.PartialResult()).get("partial", ""))


class SpeechRecognizer:
    """One loaded model for one language; makes a ChoiceRecognizer per screen."""

    def __init__(self, model: Any, language: str, limits: ListenLimits | None = None) -> None:
        self.model = model
        self.language = language
        self.limits = limits or ListenLimits()

    def for_choices(self, choices: Choices, *, reject: bool = True) -> ChoiceRecognizer:
        filler_words = fillers(self.language) if reject else ()
        return ChoiceRecognizer(self.model, choices, filler_words, self.limits)

    def recognize(self, source: AudioSource, choices: Mapping[str, Sequence[str]]) -> Recognition:
        return self.for_choices(choices).recognize(source)
