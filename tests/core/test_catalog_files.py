"""The catalog loader refuses files that do not fit together, naming the culprit."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from kiosk.catalog import Catalog, CatalogError
from kiosk.resources import resource


@pytest.fixture
def catalog_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "catalog"
    shutil.copytree(resource("catalog"), folder)
    return folder


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_shipped_catalog_loads():
    catalog = Catalog.load()
    assert {p.id for p in catalog.procedures} >= {
        "tennyu", "tenshutsu", "tenkyo", "juminhyo", "inkan_register", "inkan_cert",
        "nhi_enroll", "nhi_withdraw", "child_allowance", "shussei",
    }  # fmt: skip


def test_adding_a_procedure_is_adding_a_file(catalog_copy: Path):
    (catalog_copy / "procedures" / "pet_registration.toml").write_text(
        'order = 95\ncategory = "consultation"\ncounter = "information"\n'
        'when = [{ purpose = "other" }]\n',
        encoding="utf-8",
    )
    catalog = Catalog.load(catalog_copy)
    assert [p.id for p in catalog.procedures_for({"purpose": "other"})] == [
        "consultation",
        "pet_registration",
    ]


def test_a_rule_on_an_unknown_choice_is_refused(catalog_copy: Path):
    edit(catalog_copy / "procedures" / "tennyu.toml", '"abroad"]', '"mars"]')
    with pytest.raises(CatalogError, match=r"tennyu\.toml.*move_in_from has no choice \['mars'\]"):
        Catalog.load(catalog_copy)


def test_a_rule_on_an_unknown_question_is_refused(catalog_copy: Path):
    edit(catalog_copy / "procedures" / "juminhyo.toml", "certificate_kind", "kind_of_paper")
    with pytest.raises(CatalogError, match="unknown question 'kind_of_paper'"):
        Catalog.load(catalog_copy)


def test_a_missing_next_question_is_refused(catalog_copy: Path):
    edit(catalog_copy / "questions.toml", 'next = "household_size"', 'next = "houshold"')
    with pytest.raises(CatalogError, match=r"question move_in_from: next question .houshold."):
        Catalog.load(catalog_copy)


def test_a_loop_in_the_questions_is_refused(catalog_copy: Path):
    edit(catalog_copy / "questions.toml", 'next = "insurance"', 'next = "household_size"')
    with pytest.raises(CatalogError, match="loop"):
        Catalog.load(catalog_copy)


def test_an_unknown_category_is_refused(catalog_copy: Path):
    edit(catalog_copy / "procedures" / "shussei.toml", 'category = "resident"', 'category = "x"')
    with pytest.raises(CatalogError, match=r"shussei\.toml: unknown category .x."):
        Catalog.load(catalog_copy)


def test_invalid_toml_names_the_file(catalog_copy: Path):
    (catalog_copy / "categories.toml").write_text("[categories\n", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"categories\.toml: not valid TOML"):
        Catalog.load(catalog_copy)


def test_a_procedure_rule_on_the_priority_question_is_refused(catalog_copy: Path):
    edit(
        catalog_copy / "procedures" / "consultation.toml",
        'when = [{ purpose = "other" }]',
        'when = [{ purpose = "other" }, { priority = "elderly" }]',
    )
    with pytest.raises(CatalogError, match=r"consultation\.toml: .*decides priority tickets"):
        Catalog.load(catalog_copy)


def test_an_undefined_question_at_the_end_is_refused(catalog_copy: Path):
    edit(catalog_copy / "questions.toml", 'ask_at_end = ["priority"]', 'ask_at_end = ["prio"]')
    with pytest.raises(CatalogError, match=r"ask_at_end question 'prio' is not defined"):
        Catalog.load(catalog_copy)


def test_a_question_at_the_end_that_a_path_also_leads_to_is_refused(catalog_copy: Path):
    edit(catalog_copy / "questions.toml", 'next = "allowance_status"', 'next = "priority"')
    with pytest.raises(CatalogError, match=r"'priority' is also asked inside a path"):
        Catalog.load(catalog_copy)


def test_a_question_at_the_end_with_its_own_next_is_refused(catalog_copy: Path):
    edit(
        catalog_copy / "questions.toml",
        '"elderly", "none"]\n',
        '"elderly", "none"]\nnext = "cards"\n',
    )
    with pytest.raises(CatalogError, match=r"'priority' must have no `next`"):
        Catalog.load(catalog_copy)


def test_priority_when_on_an_unknown_choice_is_refused(catalog_copy: Path):
    edit(catalog_copy / "questions.toml", '"pregnancy", "disability"', '"pregnant", "disability"')
    with pytest.raises(CatalogError, match=r"priority_when: priority has no choice \['pregnant'\]"):
        Catalog.load(catalog_copy)


def add_survey(catalog_copy: Path, ask_at_end: str) -> None:
    """A second question at the end, "survey", in the order ``ask_at_end`` gives."""
    edit(catalog_copy / "questions.toml", 'ask_at_end = ["priority"]', ask_at_end)
    with (catalog_copy / "questions.toml").open("a", encoding="utf-8") as f:
        f.write('\n[questions.survey]\nchoices = ["good", "bad"]\n')


def test_two_questions_at_the_end_are_asked_in_order(catalog_copy: Path):
    add_survey(catalog_copy, 'ask_at_end = ["survey", "priority"]')
    from kiosk.interview import Interview

    interview = Interview(Catalog.load(catalog_copy).tree)
    interview.answer("other")
    assert interview.current is not None
    assert interview.current.id == "survey"
    interview.answer("good")
    assert interview.card_step_due  # priority is asked after the card step
    interview.card_step_done(None, date(2026, 12, 4))
    assert interview.current is not None and interview.current.id == "priority"
    interview.answer("none")
    assert interview.finished


def test_a_question_after_the_card_must_come_last(catalog_copy: Path):
    add_survey(catalog_copy, 'ask_at_end = ["priority", "survey"]')
    with pytest.raises(CatalogError, match="after_card questions must come last"):
        Catalog.load(catalog_copy)


def test_card_answers_need_a_question_asked_after_the_card(catalog_copy: Path):
    edit(
        catalog_copy / "questions.toml",
        "after_card = true\ncard_answers",
        "card_answers",
    )
    with pytest.raises(CatalogError, match="card_answers needs after_card"):
        Catalog.load(catalog_copy)
