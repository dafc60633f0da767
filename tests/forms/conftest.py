"""Personas and PDF inspection helpers for the form tests."""

from __future__ import annotations

from datetime import date

import pytest

from kiosk.forms import MovingInData
from kiosk.person import Person
from tests.forms.helpers import ANSWERS


@pytest.fixture
def persona() -> Person:
    return Person(
        name="山田 花子",
        address="大阪府大阪市北区中之島一丁目三番二十号 グランドメゾン中之島二〇一号室",
        birth_date=date(1985, 4, 1),
        sex="female",
    )


@pytest.fixture
def moving_in(persona: Person) -> MovingInData:
    return MovingInData(
        ward_name="大阪市北区長",
        filed_on=date(2026, 11, 22),
        person=persona,
        answers=ANSWERS,
        visit_reference="V-7K2Q9",
    )
