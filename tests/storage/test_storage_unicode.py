"""Arbitrary Unicode personal data, astral-plane kanji included, survives a round trip."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kiosk.person import Person
from kiosk.storage import Store
from kiosk.visit import Visit
from tests.keys import open_store

_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=60)


@pytest.fixture(scope="module")
def shared_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    folder = tmp_path_factory.mktemp("unicode")
    with open_store(f"sqlite:///{folder / 'kiosk.db'}", folder / "keys" / "kiosk.key") as store:
        yield store


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=_text,
    address=_text,
    kana=_text,
    birth=st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
    sex=st.sampled_from(["male", "female", "not_applicable"]),
)
@example(
    name="𠮷野 太郎",
    address="東京都葛飾区柴又７丁目𩸽",
    kana="ヨシノ タロウ",
    birth=date(2000, 2, 29),
    sex="male",
)
@example(
    name="", address="\x00\n\t\"'\\", kana="\u200d👩‍👩‍👧", birth=date(1900, 1, 1), sex="female"
)
def test_unicode_person_round_trip(
    shared_store: Store, name: str, address: str, kana: str, birth: date, sex: str
) -> None:
    person = Person(name=name, address=address, birth_date=birth, sex=sex, name_kana=kana)  # type: ignore[arg-type]
    reference = shared_store.save_visit(
        Visit(language="ja", person=person, answers={"自由": name}),
        kiosk_id="k",
        status="completed",
    )
    loaded = shared_store.load_visit(reference)
    assert loaded.person == person
    assert loaded.answers == {"自由": name}
