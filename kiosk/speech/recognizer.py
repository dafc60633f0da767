"""Recognize one of a screen's choices from speech, with Vosk and two per-screen grammars.

One decoder hears the choices among filler words, a second the choices alone;
both get the same audio, and ``grammar.decide`` takes, asks or rejects.
"""

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
    """What was heard: the choice taken (None: not taken), the words, and timings."""

    choice: str | None
    text: str
    confidence: float
    ms: float
    """Milliseconds from the end of the audio to the decision."""
    candidate: str | None = None
    """The likely choice: the one taken, or the one to ask about; None when rejected."""
    needs_confirmation: bool = False
    """Ask "Did you say <candidate>?" before taking it (``choice`` is then None)."""


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
        known = self._known(phrases)
        plain = self._known(grammar_phrases(self.choices, ()))
        # Vosk crashes on an empty grammar; with no word known nothing can be heard anyway.
        self._grammars = [json.dumps(known or ["[unk]"], ensure_ascii=False)]
        # Without fillers the two grammars are one: the plain grammar's vote, no rejection.
        if plain and len(plain) < len(known):
            self._grammars.append(json.dumps(plain, ensure_ascii=False))

    def _known(self, phrases: Sequence[str]) -> list[str]:
        return [p for p in phrases if not set(p.split()) & self.missing]

    def recognize(self, source: AudioSource, stop: Callable[[], bool] = never) -> Recognition:
        """Listen until the end of speech, a limit, the end of the source, or ``stop()``."""
        import vosk

        decoders = [vosk.KaldiRecognizer(self.model, SAMPLE_RATE, g) for g in self._grammars]
        for decoder in decoders:
            decoder.SetMaxAlternatives(N_BEST)
        clock = LatencyClock()
        results = self._listen(decoders, source, clock, stop)
        if stop():
            return Recognition(None, "", 0.0, 0.0)
        with clock.processing(0.0):
            screen, plain = _hypotheses(results[0]), _hypotheses(results[-1])
            decision = decide(screen, plain, self.choices)
        return Recognition(
            decision.choice,
            (plain if decision.candidate else screen)[0].text,
            decision.confidence,
            round(clock.latency_ms(), 1),
            decision.candidate,
            decision.needs_confirmation,
        )

    def _listen(
        self,
        decoders: Sequence[Any],
        source: AudioSource,
        clock: LatencyClock,
        stop: Callable[[], bool],
    ) -> list[dict[str, Any]]:
        """Each decoder's result, once one of them heard the end of an utterance with words."""
        for chunk in source.chunks():
            if stop():
                return [{} for _ in decoders]
            with clock.processing(len(chunk) / (2 * SAMPLE_RATE)):
                ended = [_ended(decoder, chunk) for decoder in decoders]
            if any(ended):  # the others are cut at the same point of the audio
                with clock.processing(0.0):
                    pairs = zip(decoders, ended, strict=True)
                    return [result or _json(d.FinalResult()) for d, result in pairs]
            if clock.audio_seconds >= self.limits.max_seconds:
                break
            silent = not any(_partial(decoder) for decoder in decoders)
            if clock.audio_seconds >= self.limits.leading_silence_seconds and silent:
                break
        with clock.processing(0.0):
            return [_json(decoder.FinalResult()) for decoder in decoders]


def _ended(decoder: Any, chunk: bytes) -> dict[str, Any] | None:
    """The decoder's result when ``chunk`` ended an utterance with words, else None."""
    if not decoder.AcceptWaveform(chunk):
        return None
    result = _json(decoder.Result())
    return result if _hypotheses(result)[0].text else None


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
