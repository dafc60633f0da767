"""Persona files: who the virtual card belongs to (TOML, see docs/card.md)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import get_args

from kiosk.card.session import MAX_PIN_TRIES, PIN_LENGTH, is_valid_individual_number
from kiosk.person import Person, Sex

CARD_TYPES = ("mynumber", "other")
FAULTS = ("none", "malformed_basic_info", "garbage")
_FIELDS = {
    "name",
    "address",
    "birth_date",
    "sex",
    "individual_number",
    "pin",
    "tries_left",
    "card",
    "fault",
}


class PersonaError(ValueError):
    """A persona file is missing a field or holds a bad value (values never quoted)."""


@dataclass(frozen=True)
class Persona:
    """The card holder and the card's secrets; repr shows none of them."""

    person: Person
    individual_number: str = field(repr=False)
    pin: str = field(repr=False)
    tries_left: int = MAX_PIN_TRIES
    card: str = "mynumber"  # "other": a card without the 券面事項入力補助AP
    fault: str = "none"  # "malformed_basic_info": EF 0002 holds a broken TLV; "garbage": junk


def load_persona(path: Path) -> Persona:
    """Read and check one persona file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise PersonaError(f"{path}: cannot read persona: {err}") from None
    return persona_from_dict(data)


def persona_from_dict(data: dict[str, object]) -> Persona:
    """Build a persona from parsed TOML, checking every field."""
    unknown = sorted(set(data) - _FIELDS)
    if unknown:
        raise PersonaError(f"unknown persona fields: {', '.join(unknown)}")
    person = Person(
        name=_text(data, "name"),
        address=_text(data, "address"),
        birth_date=_date(data),
        sex=_choice(data, "sex", get_args(Sex)),  # type: ignore[arg-type]
    )
    return Persona(
        person=person,
        individual_number=_individual_number(data),
        pin=_pin(data),
        tries_left=_tries(data),
        card=_choice(data, "card", CARD_TYPES, default="mynumber"),
        fault=_choice(data, "fault", FAULTS, default="none"),
    )


def _text(data: dict[str, object], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise PersonaError(f"persona field {key!r} must be a non-empty string")
    return value


def _choice(data: dict[str, object], key: str, choices: tuple[str, ...], default: str = "") -> str:
    value = data.get(key, default)
    if value not in choices:
        raise PersonaError(f"persona field {key!r} must be one of {', '.join(choices)}")
    return str(value)


def _date(data: dict[str, object]) -> date:
    value = data.get("birth_date")
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise PersonaError("persona field 'birth_date' must be YYYY-MM-DD") from None


def _individual_number(data: dict[str, object]) -> str:
    value = data.get("individual_number")
    if not isinstance(value, str) or not is_valid_individual_number(value):
        raise PersonaError("persona field 'individual_number' needs 12 digits, valid check digit")
    return value


def _pin(data: dict[str, object]) -> str:
    value = data.get("pin")
    if not isinstance(value, str) or not re.fullmatch(f"[0-9]{{{PIN_LENGTH}}}", value):
        raise PersonaError("persona field 'pin' must be a string of 4 digits")
    return value


def _tries(data: dict[str, object]) -> int:
    value = data.get("tries_left", MAX_PIN_TRIES)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_PIN_TRIES:
        raise PersonaError("persona field 'tries_left' must be 0 to 3")
    return value
