"""Spoken forms (resources/i18n/<lang>/speech.toml), Vosk grammars, and the decision rule.

A Vosk grammar lets the decoder string its words together in any order, so the
decoder always returns *something*. Rejection therefore happens here: filler
words compete with the choices in the grammar and soak up speech that is not a
choice, and a choice is taken only when whole spoken forms of it cover most of
what was heard (see docs/speech.md for the measurements).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from kiosk.resources import resource

Choices = Mapping[str, Sequence[str]]
"""Choice id -> the phrases that select it."""

NON_QUESTION_TABLES = frozenset({"commands", "rejection"})
MIN_COVERAGE = 0.5
"""Share of the heard words that must belong to the chosen choice's forms."""
MIN_CONFIDENCE = 0.5
"""Mean word confidence of those words."""


@dataclass(frozen=True)
class Word:
    text: str
    conf: float


@cache
def spoken_forms(language: str) -> Mapping[str, Any]:
    """The whole speech.toml of a language (empty when the language has none)."""
    path = resource("i18n", language, "speech.toml")
    if not path.is_file():
        return {}
    with path.open("rb") as f:
        return tomllib.load(f)


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


def decide(words: Sequence[Word], choices: Choices) -> tuple[str | None, float]:
    """The choice most heard words belong to (and no other choice), or None; and a confidence.

    Vosk strings grammar words together freely, so whole forms are often heard
    only in part: each word that only one choice uses votes for that choice.
    """
    if not words:
        return None, 0.0
    owners: dict[str, set[str]] = {}
    for choice, forms in choices.items():
        for form in forms:
            for token in form.split():
                owners.setdefault(token, set()).add(choice)
    votes: dict[str, list[float]] = {}
    for word in words:
        owner = owners.get(word.text, set())
        if len(owner) == 1:
            votes.setdefault(next(iter(owner)), []).append(word.conf)
    ranked = sorted(votes.items(), key=lambda item: len(item[1]), reverse=True)
    if not ranked or (len(ranked) > 1 and len(ranked[1][1]) == len(ranked[0][1])):
        return None, 0.0
    best, confs = ranked[0]
    coverage = len(confs) / len(words)
    confidence = round(coverage * sum(confs) / len(confs), 3)
    if coverage < MIN_COVERAGE or sum(confs) / len(confs) < MIN_CONFIDENCE:
        return None, confidence
    return best, confidence
