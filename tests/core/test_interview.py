"""The question tree and the rules that turn answers into procedures."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.catalog import Catalog
from kiosk.interview import Interview

CATALOG = Catalog.load()
MAX_STEPS = 20  # far more than the deepest path; a longer walk means a loop


TODAY = date(2026, 12, 4)


def past_card_step(interview: Interview) -> Interview:
    """Go on without a card when the card step is due (nothing is answered by it)."""
    if interview.card_step_due:
        interview.card_step_done(None, TODAY)
    return interview


def walk(choices: list[str]) -> Interview:
    interview = Interview(CATALOG.tree)
    for choice in choices:
        past_card_step(interview).answer(choice)
    return past_card_step(interview)


def all_paths() -> list[dict[str, str]]:
    """Every complete set of answers the tree allows, by exhaustive search."""
    finished: list[dict[str, str]] = []
    pending: list[list[str]] = [[]]
    while pending:
        path = pending.pop()
        interview = walk(path)
        if interview.finished:
            finished.append(interview.answers)
            continue
        assert interview.current is not None
        pending.extend([*path, choice] for choice in interview.current.choices)
    return finished


PATHS = all_paths()


def test_moving_in_from_another_city_with_children_on_national_insurance():
    answers = walk(["move_in", "other_municipality", "3", "yes", "national", "all"]).answers
    assert [p.id for p in CATALOG.procedures_for(answers)] == [
        "tennyu",
        "card_address_update",
        "nhi_enroll",
        "child_allowance",
    ]


def test_moving_in_with_employer_insurance_and_no_children_or_cards():
    answers = walk(["move_in", "other_municipality", "1", "no", "employer", "none"]).answers
    assert [p.id for p in CATALOG.procedures_for(answers)] == ["tennyu"]


def test_moving_from_another_ward_of_the_city_is_a_change_of_address():
    interview = walk(["move_in", "other_ward", "2"])
    # Same city: no new insurance or allowance claim, so those questions are skipped.
    assert interview.current is not None
    assert interview.current.id == "cards"
    interview.answer("some")
    assert [p.id for p in CATALOG.procedures_for(interview.answers)] == [
        "tenkyo",
        "card_address_update",
    ]


def test_moving_out_on_national_insurance_leaves_it():
    answers = walk(["move_out", "abroad", "national"]).answers
    assert [p.id for p in CATALOG.procedures_for(answers)] == ["tenshutsu", "nhi_withdraw"]


@pytest.mark.parametrize(
    ("choices", "expected"),
    [
        (["certificate", "juminhyo"], ["juminhyo"]),
        (["certificate", "inkan_register"], ["inkan_register"]),
        (["certificate", "inkan_cert"], ["inkan_cert"]),
        (["birth", "national", "not_receiving"], ["shussei", "nhi_enroll", "child_allowance"]),
        (["birth", "employer", "receiving"], ["shussei", "child_allowance_change"]),
        (["health_insurance", "join"], ["nhi_enroll"]),
        (["health_insurance", "leave"], ["nhi_withdraw"]),
        (["child_allowance", "not_receiving"], ["child_allowance"]),
        (["other"], ["consultation"]),
    ],
)
def test_other_purposes(choices, expected):
    assert [p.id for p in CATALOG.procedures_for(walk(choices).answers)] == expected


def test_items_to_bring_depend_on_the_answers():
    tennyu = CATALOG.procedure("tennyu")
    from_city = walk(["move_in", "other_municipality", "1", "no", "employer", "none"]).answers
    from_abroad = walk(["move_in", "abroad", "1", "no", "none", "all"]).answers
    assert "moving_out_certificate" in tennyu.items_to_bring(from_city)
    assert "passports" not in tennyu.items_to_bring(from_city)
    assert "passports" in tennyu.items_to_bring(from_abroad)
    assert "mynumber_cards" in tennyu.items_to_bring(from_abroad)


def test_back_returns_to_the_question_actually_shown():
    interview = walk(["move_in", "other_ward", "2"])
    assert interview.back()
    assert interview.current is not None
    assert interview.current.id == "household_size"
    assert interview.answers == {"purpose": "move_in", "move_in_from": "other_ward"}
    assert interview.back()
    assert interview.back()
    assert not interview.back()
    assert interview.current is not None
    assert interview.current.id == CATALOG.tree.start


def test_an_answer_that_is_not_a_choice_is_refused():
    interview = Interview(CATALOG.tree)
    with pytest.raises(ValueError, match="not a choice"):
        interview.answer("nonsense")


def test_every_complete_path_needs_at_least_one_procedure():
    assert len(PATHS) > 50
    for answers in PATHS:
        assert CATALOG.procedures_for(answers), answers


def test_every_procedure_is_reachable():
    reached = {p.id for answers in PATHS for p in CATALOG.procedures_for(answers)}
    assert reached == {p.id for p in CATALOG.procedures}


def test_every_ticket_category_and_counter_is_known():
    for answers in PATHS:
        procedures = CATALOG.procedures_for(answers)
        assert CATALOG.ticket_category(procedures).id in CATALOG.categories


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=20), min_size=MAX_STEPS, max_size=MAX_STEPS))
def test_any_walk_ends_in_a_result(picks):
    interview = Interview(CATALOG.tree)
    for pick in picks:
        question = past_card_step(interview).current
        if question is None:
            break
        interview.answer(question.choices[pick % len(question.choices)])
    assert interview.finished, "the interview did not end within MAX_STEPS answers"
    procedures = CATALOG.procedures_for(interview.answers)
    assert procedures
    assert all(CATALOG.procedure(p.id) is p for p in procedures)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["answer", "back"]), max_size=40), st.randoms())
def test_back_and_forth_keeps_answers_consistent(moves, rnd):
    interview = Interview(CATALOG.tree)
    for move in moves:
        if move == "back":
            interview.back()
        elif past_card_step(interview).current is not None:
            interview.answer(rnd.choice(interview.current.choices))
    replay = walk(list(interview.answers.values()))
    past_card_step(interview)
    assert replay.answers == interview.answers
    assert (replay.current and replay.current.id) == (interview.current and interview.current.id)


# -- the priority question, asked at the end of every path --------------------------

PRIORITY_CHOICES = ["pregnancy", "disability", "elderly", "none"]
# One path per first answer, and one that skips questions (same city: no insurance).
PATH_ENDS = [
    ["move_in", "other_municipality", "3", "yes", "national", "all"],
    ["move_in", "other_ward", "2", "some"],
    ["move_out", "abroad", "national"],
    ["move_within", "1", "none"],
    ["certificate", "juminhyo"],
    ["birth", "employer", "receiving"],
    ["health_insurance", "join"],
    ["child_allowance", "not_receiving"],
    ["other"],
]


def test_the_priority_question_is_asked_at_the_end():
    assert CATALOG.tree.ask_at_end == ("priority",)
    assert list(CATALOG.tree.questions["priority"].choices) == PRIORITY_CHOICES


@pytest.mark.parametrize("path", PATH_ENDS, ids=lambda path: "-".join(path))
def test_every_kind_of_path_ends_with_the_priority_question(path):
    interview = walk(path)
    assert interview.current is not None
    assert interview.current.id == "priority"
    assert interview.step == len(path) + 1
    interview.answer("elderly")
    assert interview.finished
    assert interview.answers == {**walk(path).answers, "priority": "elderly"}


def test_questions_skipped_at_the_end_of_a_path_still_lead_to_the_priority_question():
    interview = walk(["move_in", "other_ward", "2"])
    interview.answer("none")  # cards: children and insurance were skipped before it
    assert past_card_step(interview).current is not None
    assert interview.current.id == "priority"
    assert "children" not in interview.answers


def test_back_from_the_priority_question_returns_to_the_last_question_of_the_path():
    interview = walk(["certificate", "inkan_cert"])
    assert not interview.back()  # the card step lies between: the window shows it
    interview.reopen_card_step()
    assert interview.back()
    assert interview.current is not None
    assert interview.current.id == "certificate_kind"
    interview.answer("juminhyo")
    assert past_card_step(interview).current is not None
    assert interview.current.id == "priority"


def test_every_complete_path_was_asked_the_priority_question_last():
    for answers in PATHS:
        assert list(answers)[-1] == "priority", answers


def test_the_priority_answer_never_changes_procedures_or_what_to_bring():
    assert CATALOG.procedures_for({"priority": "pregnancy"}) == []
    for answers in PATHS:
        outcomes = set()
        for choice in PRIORITY_CHOICES:
            changed = {**answers, "priority": choice}
            procedures = CATALOG.procedures_for(changed)
            bring = tuple(tuple(p.items_to_bring(changed)) for p in procedures)
            outcomes.add((tuple(p.id for p in procedures), bring))
        assert len(outcomes) == 1, answers


@pytest.mark.parametrize("choice", PRIORITY_CHOICES)
def test_every_choice_but_none_gives_a_priority_ticket(choice):
    answers = walk(["certificate", "juminhyo", choice]).answers
    assert CATALOG.priority_for(answers) is (choice != "none")


def test_a_visit_without_the_priority_answer_is_not_priority():
    assert not CATALOG.priority_for(walk(["certificate", "juminhyo"]).answers)


# -- questions after the card step, and those the card answers ------------------------

MOVING_IN = ["move_in", "other_municipality", "2", "yes", "national", "all"]


def test_the_priority_question_waits_for_the_card_step():
    interview = Interview(CATALOG.tree)
    for choice in MOVING_IN:
        interview.answer(choice)
    assert interview.current is None and interview.card_step_due
    assert interview.total == len(MOVING_IN) + 1  # "7 / 7" still counts the priority question
    interview.card_step_done(date(1985, 4, 12), TODAY)
    assert interview.current is not None and interview.current.id == "priority"


@pytest.mark.parametrize(
    ("birth", "asked"),
    [(date(1951, 12, 4), False), (date(1951, 12, 5), True), (date(1990, 1, 1), True)],
)
def test_a_card_holder_aged_75_or_more_is_not_asked_for_priority(birth, asked):
    interview = Interview(CATALOG.tree)
    for choice in MOVING_IN:
        interview.answer(choice)
    interview.card_step_done(birth, TODAY)
    assert (interview.current is not None) is asked
    if not asked:
        assert interview.answers["priority"] == "elderly"
        assert CATALOG.priority_for(interview.answers)


def test_back_stops_at_the_card_step_and_reopening_it_forgets_what_came_after():
    interview = Interview(CATALOG.tree)
    for choice in MOVING_IN:
        interview.answer(choice)
    interview.card_step_done(date(1950, 1, 1), TODAY)
    assert interview.finished and not interview.back()
    interview.reopen_card_step()
    assert "priority" not in interview.answers and interview.card_step_due
    assert interview.back()  # back to the last question before the card
    assert interview.current is not None and interview.current.id == "cards"
    interview.answer("all")
    interview.card_step_done(None, TODAY)  # no card this time: asked
    assert interview.current is not None and interview.current.id == "priority"
    interview.answer("none")
    assert interview.answers["priority"] == "none"
