"""The visitor's journey without any screen: the events both front ends draw."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date

import pytest

from kiosk.catalog import Catalog
from kiosk.config import Settings
from kiosk.i18n import Translations
from kiosk.journey import (
    CardWanted,
    DetailsShown,
    Event,
    Journey,
    QuestionShown,
    ReadyToPrint,
    ResultShown,
)
from kiosk.person import Person

CATALOG = Catalog.load()
TODAY = date(2026, 12, 4)
PERSON = Person(
    name="大阪 花子",
    name_kana="オオサカ ハナコ",
    address="大阪府大阪市北区中之島1-3-20",
    birth_date=date(1950, 4, 1),
    sex="female",
)
YOUNGER = dataclasses.replace(PERSON, birth_date=date(1990, 1, 1))


@dataclass
class Card:
    person: Person
    individual_number: str | None = None


def journey(language: str = "ja", seen: list[Event] | None = None) -> Journey:
    listener = seen.append if seen is not None else None
    return Journey(
        CATALOG, Settings(), Translations.load(language), on_event=listener, today=lambda: TODAY
    )


def to_result(j: Journey, first: str = "move_in") -> ResultShown:
    """Answer ``first``, then the first choice of every question, up to the result."""
    event = j.answer(first)
    while isinstance(event, QuestionShown):
        event = j.answer(event.question.choices[0])
    assert isinstance(event, ResultShown)
    return event


def test_it_starts_with_the_first_question_and_counts_the_steps():
    event = journey().start()
    assert isinstance(event, QuestionShown)
    assert event.question.id == CATALOG.tree.start
    assert event.step == 1
    assert event.total >= 2


def test_every_event_also_reaches_the_listener():
    seen: list[Event] = []
    j = journey(seen=seen)
    returned = [j.start(), j.answer("move_in")]
    assert seen == returned


def test_the_result_names_procedures_in_the_visitors_language_and_records_them():
    j = journey("en")
    j.start()
    result = to_result(j)
    assert result.steps, "moving in needs procedures"
    assert j.visit.procedures == [s.procedure_id for s in result.steps]
    assert all("(" in s.name for s in result.steps), "English names carry the Japanese term"


def test_back_from_the_first_question_is_none_and_back_after_it_is_the_question_before():
    j = journey()
    j.start()
    assert j.back() is None
    j.answer("move_in")
    event = j.back()
    assert isinstance(event, QuestionShown)
    assert event.question.id == CATALOG.tree.start
    assert j.visit.answers == {}


def test_with_the_card_the_details_are_checked_then_the_questions_after_it_then_printing():
    j = journey()
    j.start()
    to_result(j)
    assert j.choose_card(with_number=False) == CardWanted(with_number=False)
    shown = j.card_read(Card(PERSON, "123456789012"))
    assert isinstance(shown, DetailsShown)
    assert shown.masked_number.endswith("9012")
    assert "1234" not in shown.masked_number
    event = j.confirm_details()
    # The card holder is over 65: the priority question is answered by the card.
    assert isinstance(event, ReadyToPrint)
    assert j.visit.answers["priority"] == "elderly"
    assert j.visit.used_card


def test_without_the_card_the_questions_after_it_are_asked():
    j = journey()
    j.start()
    to_result(j)
    event = j.without_card()
    assert isinstance(event, QuestionShown)
    assert event.question.after_card
    assert j.visit.person is None
    assert isinstance(j.answer("none"), ReadyToPrint)


def test_back_from_the_first_question_after_the_card_returns_to_the_check():
    j = journey()
    j.start()
    to_result(j)
    j.card_read(Card(YOUNGER))
    event = j.confirm_details()
    assert isinstance(event, QuestionShown)
    back = j.back()
    assert isinstance(back, DetailsShown)
    assert back.person.name == PERSON.name


def test_forgetting_the_card_drops_its_data():
    j = journey()
    j.start()
    to_result(j)
    j.choose_card(with_number=True)
    j.card_read(Card(PERSON, "123456789012"))
    assert j.forget_card() == CardWanted(with_number=True)
    assert j.visit.person is None
    assert j.visit.individual_number is None


def test_the_result_again_forgets_what_came_after_the_card_step():
    j = journey()
    j.start()
    to_result(j)
    j.card_read(Card(PERSON))
    j.confirm_details()
    assert "priority" in j.visit.answers
    j.show_result()
    assert "priority" not in j.visit.answers
    assert j.visit.person is None


def test_a_replayed_history_gives_the_same_result():
    j = journey()
    j.start()
    first = to_result(j)
    history = j.history
    again = journey()
    again.start()
    assert again.replay(history) == first
    assert again.history == history


def test_a_history_that_does_not_fit_the_questions_is_refused():
    j = journey()
    j.start()
    with pytest.raises(ValueError, match="does not fit"):
        j.replay([("priority", "none")])
    with pytest.raises(ValueError, match="not a choice"):
        j.replay([(CATALOG.tree.start, "no-such-choice")])


def test_the_history_leaves_out_what_the_card_answered():
    j = journey()
    j.start()
    to_result(j)
    before = j.history
    j.card_read(Card(PERSON))
    j.confirm_details()
    assert j.history == before


def test_wipe_leaves_nothing_personal():
    j = journey()
    j.start()
    to_result(j)
    j.card_read(Card(PERSON, "123456789012"))
    j.wipe()
    assert j.visit.person is None
    assert j.visit.individual_number is None
    assert j.visit.answers == {}
    assert j.history == []


def test_confirming_without_card_details_is_refused():
    j = journey()
    j.start()
    to_result(j)
    with pytest.raises(ValueError, match="no card details"):
        j.confirm_details()


def test_the_result_carries_the_calendar_warnings_counted_from_the_moving_date():
    from kiosk.pre_entry import HomeDetails

    j = journey()
    j.visit.home = HomeDetails(moved_on=date(2026, 11, 1))  # 33 days before TODAY
    j.start()
    result = to_result(j)
    tennyu = [w for w in result.warnings if w.id.startswith("tennyu")]
    assert tennyu and tennyu[0].overdue, [w.id for w in result.warnings]
    assert "転入届" in tennyu[0].text(j.texts)


def test_no_warnings_for_a_certificate():
    j = journey()
    j.start()
    result = to_result(j, first="certificate")
    assert result.warnings == []
