"""The visitor's personal data as read from the My Number card."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

Sex = Literal["male", "female", "not_applicable"]

# Twelve digits, bare or in groups of four: what an individual number looks like
# (the access log refuses it; heartbeat details have it masked).
NUMBER_LIKE = re.compile(r"(?<!\d)\d{4}[ -]?\d{4}[ -]?\d{4}(?!\d)")

MAX_TEXT_LENGTH = {"name": 100, "name_kana": 100, "address": 300}
"""The longest name, フリガナ and address taken, read from a card or typed as a correction."""

_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
_CONTROL_CATEGORIES = frozenset({"Cc", "Zl", "Zp"})  # C0/C1 controls, line/paragraph breaks


def text_fault(field: str, value: str) -> str | None:
    """What keeps ``value`` from being the person's ``field``, or None when nothing does.

    "empty" (a name or address), "too_long" (over :data:`MAX_TEXT_LENGTH`) or "control"
    (control characters, line breaks, bidirectional overrides). One rule for text read
    from a card and a counter's correction; 外字 and variation selectors are allowed.
    """
    if not value and field != "name_kana":
        return "empty"
    if len(value) > MAX_TEXT_LENGTH[field]:
        return "too_long"
    if any(ch in _BIDI_CONTROLS or unicodedata.category(ch) in _CONTROL_CATEGORIES for ch in value):
        return "control"
    return None


def mask_individual_number(number: str) -> str:
    """Only the last 4 digits, as the number may be shown on a screen."""
    return "•••• •••• " + number[-4:]


@dataclass(frozen=True)
class Person:
    """The four basic items (基本4情報) printed on the card face.

    ``repr`` hides every value so that a Person can never leak into a log or
    a traceback by accident.
    """

    name: str = field(repr=False)
    address: str = field(repr=False)
    birth_date: date = field(repr=False)
    sex: Sex = field(repr=False)
    name_kana: str = field(default="", repr=False)

    def to_dict(self) -> dict[str, str]:
        return {
            "name": self.name,
            "name_kana": self.name_kana,
            "address": self.address,
            "birth_date": self.birth_date.isoformat(),
            "sex": self.sex,
        }

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> Person:
        sex = data["sex"]
        if sex not in ("male", "female", "not_applicable"):
            raise ValueError(f"unknown sex code {sex!r}")
        return cls(
            name=data["name"],
            address=data["address"],
            birth_date=date.fromisoformat(data["birth_date"]),
            sex=sex,  # type: ignore[arg-type]
            name_kana=data.get("name_kana", ""),
        )
