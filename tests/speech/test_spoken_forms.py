"""Every choice can be said in every language that has spoken forms."""

from __future__ import annotations

import pytest

from kiosk.catalog import Catalog
from kiosk.resources import resource
from kiosk.speech.grammar import (
    NON_QUESTION_TABLES,
    Hypothesis,
    all_phrases,
    confirm_choices,
    covering_choice,
    grammar_phrases,
    spoken_forms,
    vote,
)

LANGUAGES = sorted(p.parent.name for p in resource("i18n").glob("*/speech.toml"))


def test_korean_japanese_and_english_have_spoken_forms():
    assert {"ja", "en", "ko"} <= set(LANGUAGES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_question_and_choice_has_a_spoken_form(language: str):
    forms = spoken_forms(language)
    for question in Catalog.load().tree.questions.values():
        table = forms.get(question.id, {})
        for choice in question.choices:
            said = table.get(choice, [])
            assert said and all(f.strip() for f in said), f"{language}: {question.id}.{choice}"
        assert set(table) <= set(question.choices), f"{language}: {question.id} has extra forms"
    assert set(forms) - NON_QUESTION_TABLES <= set(Catalog.load().tree.questions)


def test_fillers_never_take_a_word_a_choice_uses():
    phrases = grammar_phrases({"yes": ["네 있어요"], "no": ["없어요"]}, ["네", "음"])
    assert phrases == ["네 있어요", "없어요", "음"]


CHOICES = {"yes": ["네 있어요", "있습니다"], "no": ["아니요 없어요", "없습니다"]}


def test_a_hypothesis_goes_to_the_form_that_covers_it_in_order():
    assert covering_choice(["네", "있어요"], CHOICES) == "yes"
    assert covering_choice(["음", "네", "있어요"], CHOICES) == "yes"  # a filler before
    assert covering_choice(["음", "뭐", "없어요"], CHOICES) is None  # mostly fillers
    assert covering_choice(["있어요", "없어요"], CHOICES) is None  # a tie
    assert covering_choice([], CHOICES) is None


def test_a_vote_gives_the_choice_most_of_the_n_best_weight_and_its_share():
    yes, no, filler = (
        Hypothesis("네 있어요", 100.0),
        Hypothesis("없습니다", 99.0),
        Hypothesis("음", 99.5),
    )
    assert vote([yes, Hypothesis("있습니다", 99.0)], CHOICES) == ("yes", 1.0)
    choice, share = vote([yes, no], CHOICES)
    assert choice == "yes" and 0.5 < share < 1.0
    choice, share = vote([yes, no, filler], CHOICES)
    assert choice == "yes" and share < 0.5  # the filler takes weight from both
    assert vote([Hypothesis("", 100.0)], CHOICES) == (None, 0.0)
    assert vote([], CHOICES) == (None, 0.0)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_can_say_yes_and_no_to_a_likely_answer(language: str):
    confirm = confirm_choices(language)
    assert set(confirm) == {"yes", "no"}
    assert all(confirm["yes"]) and all(confirm["no"])
    assert not set(confirm["yes"]) & set(confirm["no"])
    assert "confirm" in NON_QUESTION_TABLES
    assert set(confirm["yes"]) <= set(all_phrases(language))
