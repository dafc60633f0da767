"""Plurals, dates, numbers and language names come from CLDR (Babel) in every language;
no translation file carries hand-made plural keys or month tables."""

from __future__ import annotations

import re
from datetime import date

import pytest
from babel import Locale

from kiosk.i18n import Translations, available_languages, language_name, leaf_keys, load_tree

LANGUAGES = available_languages()
COUNTS = (1, 2, 5)
BIRTHDAY = date(1985, 4, 1)
# Each language's own names, as the welcome screen offers them (issue: ten languages).
OWN_NAMES = {
    "ja": "日本語",
    "ja-easy": "やさしい日本語",
    "en": "English",
    "zh-Hans": "中文(简体)",
    "ko": "한국어",
    "vi": "Tiếng Việt",
    "ne": "नेपाली",
    "fil": "Filipino",
    "id": "Bahasa Indonesia",
    "pt-BR": "Português (Brasil)",
}


def test_the_ten_languages_are_shipped():
    assert set(OWN_NAMES) <= set(LANGUAGES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_language_names_itself_in_its_own_script(language):
    assert Translations.load(language).name == OWN_NAMES.get(
        language, Translations.load(language).name
    )


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("n", COUNTS)
def test_counted_texts_take_the_cldr_form_for_1_2_and_5(language, n):
    texts = Translations.load(language)
    locale = Locale.parse(texts.info.locale)
    category = locale.plural_form(n)
    for key in ("ui.done.waiting_ahead", "ticket.slip.people", "ui.pin.tries_left"):
        forms = texts.raw(key)
        said = texts.text(key, n=n)
        assert str(n) in said, f"{language} {key}: {said!r} lost the count"
        if isinstance(forms, dict):
            assert said == forms.get(category, forms["other"]).format(n=n), (language, key, n)


def test_english_and_portuguese_say_one_person_and_two_people():
    en, pt = Translations.load("en"), Translations.load("pt-BR")
    assert en.text("ticket.slip.people", n=1) == "1 person"
    assert en.text("ticket.slip.people", n=2) == "2 people"
    assert en.text("ticket.slip.people", n=5) == "5 people"
    assert pt.text("ticket.slip.people", n=1) != pt.text("ticket.slip.people", n=2)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_date_is_written_as_the_language_writes_it(language):
    texts = Translations.load(language)
    written = texts.info.date(BIRTHDAY)
    assert "1985" in written
    if texts.japanese:
        assert written == "昭和60年（1985年）4月1日"  # wareki stays ours
    else:
        from babel.dates import format_date

        assert written == format_date(BIRTHDAY, "long", locale=texts.info.locale)
        assert "昭和" not in written


def test_some_dates_read_as_their_readers_expect():
    assert Translations.load("en").info.date(BIRTHDAY) == "April 1, 1985"
    assert Translations.load("vi").info.date(BIRTHDAY) == "1 tháng 4, 1985"
    assert Translations.load("pt-BR").info.date(BIRTHDAY) == "1 de abril de 1985"
    assert Translations.load("ko").info.date(BIRTHDAY) == "1985년 4월 1일"


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_hand_made_plural_keys_or_month_tables(language):
    tree = load_tree(language)
    for key in leaf_keys(tree):
        assert not re.search(r"_(one|two|few|many|plural)$", key), f"{language}: {key}"
        node = tree
        for part in key.split("."):
            node = node[part]
        if isinstance(node, list):
            assert len(node) != 12 or key.startswith("speech."), (
                f"{language}: {key} is a month table"
            )


def test_counter_staff_read_the_visitors_language_in_their_own():
    assert language_name("vi", "ja") == "ベトナム語"
    assert language_name("ne", "en") == "Nepali"
    assert language_name("pt-BR", "ja") == "ポルトガル語 (ブラジル)"
    assert language_name("ja-easy", "ja") == "やさしい日本語"
    assert language_name("ja", "ja") == "日本語"
    assert language_name("xx", "ja") == "xx"  # an unknown code is shown as it is


def test_counts_are_written_with_the_languages_separators():
    assert Translations.load("en").text("ticket.slip.people", n=1234) == "1,234 people"
    assert Translations.load("pt-BR").text("ticket.slip.people", n=1234).startswith("1.234 ")
    assert Translations.load("ne").text("ticket.slip.people", n=5).startswith("5 ")  # Latin digits
