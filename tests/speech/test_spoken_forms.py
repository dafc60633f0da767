"""Every choice can be said in every language that has spoken forms."""

from __future__ import annotations

import pytest

from kiosk.catalog import Catalog
from kiosk.resources import resource
from kiosk.speech.grammar import NON_QUESTION_TABLES, Word, decide, grammar_phrases, spoken_forms

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


def test_decision_rejects_fillers_ties_and_silence():
    choices = {"yes": ["네 있어요"], "no": ["아니요 없어요"]}
    assert decide([Word("네", 1.0), Word("있어요", 1.0)], choices)[0] == "yes"
    assert decide([Word("음", 1.0), Word("뭐", 1.0), Word("없어요", 1.0)], choices)[0] is None
    assert decide([Word("있어요", 1.0), Word("없어요", 1.0)], choices)[0] is None
    assert decide([], choices) == (None, 0.0)
