"""Fixtures for the form tests."""

from __future__ import annotations

import pytest

from kiosk.person import Person
from tests.forms.helpers import personas


@pytest.fixture(scope="session")
def people() -> dict[str, Person | None]:
    return personas()


@pytest.fixture
def demo(people: dict[str, Person | None]) -> Person:
    person = people["demo"]
    assert person is not None
    return person
