"""Spoken forms (resources/i18n/<lang>/speech.toml), Vosk grammars, and the decision rule.

A Vosk grammar is a bigram model over its words, so the decoder strings them
together freely and always returns *something*. The audio is therefore decoded
twice: with the screen's grammar plus filler words that soak up speech that is
no choice, and with a plain grammar of the choices alone. Each pass's N best
hypotheses vote: a hypothesis goes to the choice whose spoken form covers most
of it, weighted by its score. ``decide`` weighs both votes and takes the answer,
asks the visitor to confirm a likely one, or rejects (see docs/speech.md for the
measurements behind every threshold).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from kiosk.i18n import TranslationError
from kiosk.resources import TomlFileError, read_toml, resource

Choices = Mapping[str, Sequence[str]]
"""Choice id -> the phrases that select it."""

NON_QUESTION_TABLES = frozenset({"commands", "rejection", "confirm"})
MIN_COVERAGE = 0.51
"""More than half of a hypothesis' words (and of the form's) must match one spoken form, in order.

Exactly half let "보험 왔어요" pass for "보험 때문에 왔어요" on the purpose screen,
which doubled the wrong choices (9 against 4 of 268) for 21 more right ones.
"""
ASK_COVERAGE = 0.5
"""Coverage enough to *ask* about a choice: exactly half is worth a question ("전입 이에요")."""
SCORE_SCALE = 2.0
"""Decoder score difference that makes one hypothesis e (2.7) times as likely as another."""
POOL_SCALE = 8.0
"""The same for the pooled vote: flatter, so a plain-grammar answer the fillers beat by a
few points still counts for something."""
AGREE_MARGIN = 3.0
"""Both passes name the same choice and the fillers' best score beats the plain best by at
most this: taken. Out-of-grammar speech both passes agreed on was 3.4 and more, but for one
sentence both heard as an answer; 2 took one right answer fewer on the benchmark."""
TAKE_SHARE = 0.4
"""Share of the pooled vote that takes a choice without asking."""
ASK_SHARE = 0.07
"""Share of the pooled vote that makes a choice worth asking about."""


@dataclass(frozen=True)
class Hypothesis:
    """One of the decoder's N best transcripts with its total score (higher is better)."""

    text: str
    score: float


@dataclass(frozen=True)
class Decision:
    """Take ``choice``; or ask whether ``candidate`` is meant; or reject (both None)."""

    choice: str | None
    candidate: str | None
    confidence: float
    """The candidate's share of the pooled N-best weight."""

    @property
    def needs_confirmation(self) -> bool:
        return self.choice is None and self.candidate is not None

    @property
    def outcome(self) -> Literal["take", "ask", "reject"]:
        """Which of the three outcomes this is: take, ask or reject."""
        if self.choice is not None:
            return "take"
        return "ask" if self.candidate is not None else "reject"


@cache
def spoken_forms(language: str) -> Mapping[str, Any]:
    """The whole speech.toml of a language (empty when the language has none)."""
    path = resource("i18n", language, "speech.toml")
    if not path.is_file():
        return {}
    try:
        return read_toml(path)
    except TomlFileError as e:
        raise TranslationError(str(e)) from None


def all_phrases(language: str) -> list[str]:
    """Every phrase of a language's speech.toml: all forms of all screens, and the fillers."""
    tables = spoken_forms(language).values()
    return [form for table in tables for forms in table.values() for form in forms]


def screen_choices(language: str, question_id: str) -> dict[str, list[str]]:
    """Choice id -> spoken forms for one question (or "commands") in one language."""
    table = spoken_forms(language).get(question_id, {})
    return {choice: list(forms) for choice, forms in table.items()}


def confirm_choices(language: str) -> dict[str, list[str]]:
    """The yes/no answers to "Did you say …?": "yes" and "no" -> their spoken forms."""
    return screen_choices(language, "confirm")


def fillers(language: str) -> tuple[str, ...]:
    return tuple(spoken_forms(language).get("rejection", {}).get("fillers", ()))


def grammar_phrases(choices: Choices, filler_words: Sequence[str]) -> list[str]:
    """The phrase list for a KaldiRecognizer: every form, then fillers no form uses."""
    phrases = list(dict.fromkeys(form for forms in choices.values() for form in forms))
    used = {word for phrase in phrases for word in phrase.split()}
    return phrases + [word for word in dict.fromkeys(filler_words) if word not in used]


def decide(screen: Sequence[Hypothesis], plain: Sequence[Hypothesis], choices: Choices) -> Decision:
    """Take, ask or reject, from the N best of the grammar with fillers and of the plain one.

    Taken: both passes vote for the same choice and the fillers explain the audio
    hardly better than that choice does, or the pooled vote gives it ``TAKE_SHARE``.
    Asked: the pooled vote gives a choice at least ``ASK_SHARE``.
    """
    agreed, _ = vote(screen, choices)
    plain_choice, _ = vote(plain, choices)
    margin = _best_score(screen) - _best_score(plain)
    pooled = _pooled(screen, plain)
    best, share = vote(pooled, choices, scale=POOL_SCALE)
    if agreed is not None and agreed == plain_choice and margin <= AGREE_MARGIN:
        return Decision(agreed, agreed, _share(agreed, pooled, choices))
    if best is not None and share >= TAKE_SHARE:
        return Decision(best, best, round(share, 3))
    candidate, share = vote(pooled, choices, min_coverage=ASK_COVERAGE, scale=POOL_SCALE)
    if candidate is not None and share >= ASK_SHARE:
        return Decision(None, candidate, round(share, 3))
    return Decision(None, None, round(share, 3))


def vote(
    hypotheses: Sequence[Hypothesis],
    choices: Choices,
    *,
    min_coverage: float = MIN_COVERAGE,
    scale: float = SCORE_SCALE,
) -> tuple[str | None, float]:
    """The choice most of the N-best weight goes to (None: no hypothesis is a choice), its share."""
    weights = _weights(hypotheses, choices, min_coverage, scale)
    total = sum(weights.values())
    best = max((c for c in weights if c is not None), key=weights.__getitem__, default=None)
    return best, (weights[best] / total if best is not None else 0.0)


def _weights(
    hypotheses: Sequence[Hypothesis], choices: Choices, min_coverage: float, scale: float
) -> dict[str | None, float]:
    if not hypotheses:
        return {}
    top = _best_score(hypotheses)
    weights: dict[str | None, float] = {}
    for h in hypotheses:
        choice = covering_choice(h.text.split(), choices, min_coverage)
        weights[choice] = weights.get(choice, 0.0) + math.exp((h.score - top) / scale)
    return weights


def _share(choice: str, hypotheses: Sequence[Hypothesis], choices: Choices) -> float:
    weights = _weights(hypotheses, choices, MIN_COVERAGE, POOL_SCALE)
    return round(weights.get(choice, 0.0) / sum(weights.values()), 3)


def _pooled(screen: Sequence[Hypothesis], plain: Sequence[Hypothesis]) -> list[Hypothesis]:
    """Both N-best lists as one, each transcript once with its better score.

    Scores of the two grammars are comparable enough: an answer the fillers beat
    by many points gets little weight, one they do not beat keeps most of it.
    """
    best: dict[str, float] = {}
    for h in [*screen, *plain]:
        best[h.text] = max(best.get(h.text, h.score), h.score)
    return [Hypothesis(text, score) for text, score in best.items()]


def _best_score(hypotheses: Sequence[Hypothesis]) -> float:
    return max((h.score for h in hypotheses), default=0.0)


def covering_choice(
    words: Sequence[str], choices: Choices, min_coverage: float = MIN_COVERAGE
) -> str | None:
    """The one choice whose best spoken form matches most of ``words`` in order; None on a tie."""
    if not words:
        return None
    coverage = {
        choice: max(_coverage(words, form.split()) for form in forms)
        for choice, forms in choices.items()
        if forms
    }
    ranked = sorted(coverage.values(), reverse=True)
    if not ranked or ranked[0] < min_coverage or (len(ranked) > 1 and ranked[1] == ranked[0]):
        return None
    return next(choice for choice, value in coverage.items() if value == ranked[0])


def _coverage(words: Sequence[str], form: Sequence[str]) -> float:
    """Longest common subsequence of the two word lists, over the longer one's length."""
    previous = [0] * (len(form) + 1)
    for word in words:
        current = [0]
        for j, token in enumerate(form):
            current.append(previous[j] + 1 if word == token else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1] / max(len(words), len(form))
