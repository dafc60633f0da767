"""Every printing error has a message for the visitor, in every language."""

from __future__ import annotations

import re

import pytest

from kiosk.i18n import Translations, available_languages, leaf_keys
from kiosk.printing import ERROR_CODES, GENERIC_MESSAGE_KEY, message_key

# Each message sends the visitor to the counter, where staff print the forms.
COUNTER = {"ja": "窓口", "en": "counter", "ko": "창구"}


@pytest.mark.parametrize("language", available_languages())
@pytest.mark.parametrize("code", sorted(ERROR_CODES))
def test_each_code_has_its_own_text(language: str, code: str) -> None:
    texts = Translations.load(language)
    key = message_key(code)
    assert key == f"printing.errors.{code}"
    assert key in leaf_keys(texts.tree)  # its own text, not the reference's
    if language in COUNTER:
        assert COUNTER[language] in texts.text(key)


def test_unknown_codes_get_the_generic_text() -> None:
    assert message_key("toner_on_fire") == GENERIC_MESSAGE_KEY
    assert message_key("") == GENERIC_MESSAGE_KEY
    assert "counter" in Translations.load("en").text(GENERIC_MESSAGE_KEY)


def test_japanese_is_polite_and_korean_is_formal() -> None:
    for code in [*ERROR_CODES, "generic"]:
        ja = Translations.load("ja").text(f"printing.errors.{code}")
        ko = Translations.load("ko").text(f"printing.errors.{code}")
        assert "ません" in ja and "ます" in ja, code
        sentences = re.split(r"(?<=\.)\s+", ko.strip())
        assert all(s.endswith(("니다.", "십시오.")) for s in sentences), (code, sentences)
