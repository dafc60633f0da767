"""Spoken forms (resources/i18n/<lang>/speech.toml), Vosk grammars, and the decision rule.

A Vosk grammar is a bigram model over its words, so the decoder strings them
together freely and always returns *something*. Rejection therefore happens
here: filler words compete with the choices in the grammar and soak up speech
that is not a choice, and the decoder's N best hypotheses vote. Each hypothesis
goes to the choice whose spoken form covers most of it, weighted by its score;
a choice is taken only when it holds most of the weight (see docs/speech.md for
the measurements).
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from kiosk.resources import resource

Choices = Mapping[str, Sequence[str]]
"""Choice id -> the phrases that select it."""

NON_QUESTION_TABLES = frozenset({"commands", "rejection"})
MIN_COVERAGE = 0.51
"""More than half of a hypothesis' words (and of the form's) must match one spoken form, in order.

Exactly half let "보험 왔어요" pass for "보험 때문에 왔어요" on the purpose screen,
which doubled the wrong choices (9 against 4 of 268) for 21 more right ones.
"""
MIN_SHARE = 0.5
"""Share of the N-best weight the winning choice must hold."""
SCORE_SCALE = 2.0
"""Decoder score difference that makes one hypothesis e (2.7) times as likely as another."""


@dataclass(frozen=True)
class Hypothesis:
    """One of the decoder's N best transcripts with its total score (higher is better)."""

    text: str
    score: float


@cache
def spoken_forms(language: str) -> Mapping[str, Any]:
    """The whole speech.toml of a language (empty when the language has none)."""
    path = resource("i18n", language, "speech.toml")
    if not path.is_file():
        return {}
    with path.open("rb") as f:
        return tomllib.load(f)


def all_phrases(language: str) -> list[str]:
    """Every phrase of a language's speech.toml: all forms of all screens, and the fillers."""
    tables = spoken_forms(language).values()
    return [form for table in tables for forms in table.values() for form in forms]


def screen_choices(language: str, question_id: str) -> dict[str, list[str]]:
    """Choice id -> spoken forms for one question (or "commands") in one language."""
    table = spoken_forms(language).get(question_id, {})
    return {choice: list(forms) for choice, forms in table.items()}


def fillers(language: str) -> tuple[str, ...]:
    return tuple(spoken_forms(language).get("rejection", {}).get("fillers", ()))


def grammar_phrases(choices: Choices, filler_words: Sequence[str]) -> list[str]:
    """The phrase list for a KaldiRecognizer: every form, then fillers no form uses."""
    phrases = list(dict.fromkeys(form for forms in choices.values() for form in forms))
    used = {word for phrase in phrases for word in phrase.split()}
    return phrases + [word for word in dict.fromkeys(filler_words) if word not in used]


def decide(hypotheses: Sequence[Hypothesis], choices: Choices) -> tuple[str | None, float]:
    """The choice most of the N-best weight goes to, or None; and that share of the weight."""
    if not hypotheses:
        return None, 0.0
    top = max(h.score for h in hypotheses)
    weights: dict[str | None, float] = {}
    for h in hypotheses:
        choice = covering_choice(h.text.split(), choices)
        weights[choice] = weights.get(choice, 0.0) + math.exp((h.score - top) / SCORE_SCALE)
    total = sum(weights.values())
    best = max((c for c in weights if c is not None), key=weights.__getitem__, default=None)
    share = round(weights[best] / total, 3) if best is not None else 0.0
    return (best, share) if share >= MIN_SHARE else (None, share)


def covering_choice(words: Sequence[str], choices: Choices) -> str | None:
    """The one choice whose best spoken form matches most of ``words`` in order; None on a tie."""
    if not words:
        return None
    coverage = {
        choice: max(_coverage(words, form.split()) for form in forms)
        for choice, forms in choices.items()
        if forms
    }
    ranked = sorted(coverage.values(), reverse=True)
    if not ranked or ranked[0] < MIN_COVERAGE or (len(ranked) > 1 and ranked[1] == ranked[0]):
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
