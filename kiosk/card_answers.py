"""Answers the My Number card already gives, so the visitor is not asked them.

A question marked ``after_card`` in ``questions.toml`` is asked after the card
step; its ``card_answers`` table names a choice the card's data implies, e.g.
``card_answers = { elderly = { age_at_least = 75 } }``. When the card shows the
visitor is 75 or older, "elderly" is taken and the question is not shown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

RULE_KEYS = frozenset({"age_at_least"})


class CardAnswerError(ValueError):
    """A ``card_answers`` table that cannot be used."""


@dataclass(frozen=True)
class CardAnswer:
    """Take ``choice`` when the card holder is at least ``age_at_least`` years old."""

    choice: str
    age_at_least: int

    def holds(self, birth_date: date, today: date) -> bool:
        return age_on(birth_date, today) >= self.age_at_least


def age_on(birth_date: date, today: date) -> int:
    """Full years of age on ``today`` (a 29 February birthday counts from 1 March)."""
    before_birthday = (today.month, today.day) < (birth_date.month, birth_date.day)
    return today.year - birth_date.year - before_birthday


def parse_card_answers(raw: object, choices: Sequence[str], where: str) -> tuple[CardAnswer, ...]:
    """The rules of one question's ``card_answers`` table."""
    if not isinstance(raw, Mapping):
        raise CardAnswerError(f"{where}: card_answers must be a table of choice = {{ rule }}")
    return tuple(_parse_one(choice, rule, choices, where) for choice, rule in raw.items())


def _parse_one(choice: str, rule: Any, choices: Sequence[str], where: str) -> CardAnswer:
    if choice not in choices:
        raise CardAnswerError(f"{where}: card_answers names unknown choice {choice!r}")
    if not isinstance(rule, Mapping) or set(rule) != RULE_KEYS:
        raise CardAnswerError(
            f"{where}: card_answers.{choice} must be {{ age_at_least = N }} (the only rule)"
        )
    age = rule["age_at_least"]
    if not isinstance(age, int) or isinstance(age, bool) or not 0 < age < 150:
        raise CardAnswerError(f"{where}: card_answers.{choice}.age_at_least must be a whole age")
    return CardAnswer(choice, age)


def answer_from_card(
    rules: Sequence[CardAnswer], birth_date: date | None, today: date
) -> str | None:
    """The choice the card implies, or None (no card, or no rule holds)."""
    if birth_date is None:
        return None
    return next((rule.choice for rule in rules if rule.holds(birth_date, today)), None)
