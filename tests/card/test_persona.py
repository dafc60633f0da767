"""Persona files for the virtual card."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kiosk.card.virtual.persona import PersonaError, load_persona, persona_from_dict
from kiosk.resources import resource

VALID: dict[str, object] = {
    "name": "大阪 花子",
    "address": "大阪府大阪市北区中之島1丁目3番20号",
    "birth_date": "1985-04-12",
    "sex": "female",
    "individual_number": "123456789018",
    "pin": "1234",
    "tries_left": 3,
}


def test_demo_persona() -> None:
    persona = load_persona(resource("personas", "demo.toml"))
    assert persona.person.name == "大阪 花子"
    assert persona.person.address == "大阪府大阪市北区中之島1丁目3番20号"
    assert persona.person.birth_date == date(1985, 4, 12)
    assert persona.person.sex == "female"
    assert (persona.pin, persona.tries_left, persona.card) == ("1234", 3, "mynumber")


def test_rare_kanji_persona_keeps_every_code_point() -> None:
    person = load_persona(resource("personas", "rare_kanji.toml")).person
    assert person.name == "髙橋 \U00020bb7乃"
    assert "葛\U000e0100飾" in person.address
    assert "１２３４" in person.address
    assert len(person.address.encode()) > 256


def test_repr_hides_secrets() -> None:
    text = repr(load_persona(resource("personas", "demo.toml")))
    for secret in ("1234", "123456789018", "大阪", "1985"):
        assert secret not in text


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("pin", "12a4"),
        ("pin", 1234),
        ("pin", "１２３４"),
        ("individual_number", "123456789010"),
        ("tries_left", 4),
        ("tries_left", True),
        ("sex", "unknown"),
        ("birth_date", "1985-13-01"),
        ("name", ""),
        ("card", "transit"),
        ("fault", "flaky"),
        ("nickname", "はなちゃん"),
    ],
)
def test_bad_fields_are_refused_without_echoing_values(key: str, value: object) -> None:
    with pytest.raises(PersonaError) as caught:
        persona_from_dict({**VALID, key: value})
    assert key in str(caught.value)
    if key != "nickname" and str(value):
        assert str(value) not in str(caught.value)


def test_unreadable_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("name = ", encoding="utf-8")
    with pytest.raises(PersonaError, match=r"bad\.toml"):
        load_persona(bad)


def test_fault_field() -> None:
    assert persona_from_dict(VALID).fault == "none"
    assert persona_from_dict({**VALID, "fault": "garbage"}).fault == "garbage"
    assert load_persona(resource("personas", "malformed.toml")).fault == "malformed_basic_info"
