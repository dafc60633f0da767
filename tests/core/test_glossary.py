"""Every language has a glossary of the ward's terms, and every translated text uses it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kiosk import glossary
from kiosk.i18n import Translations, available_languages
from kiosk.resources import resource

LANGUAGES = available_languages()
OFFICIAL = glossary.load("ja")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_follows_the_languages_glossary(language):
    findings = glossary.check(language)
    assert not findings, f"{language}:\n" + "\n".join(map(str, findings))


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_has_every_term(language):
    own = glossary.load(language)
    assert set(own) == set(OFFICIAL), f"{language}: {sorted(set(OFFICIAL) ^ set(own))}"
    assert all(term.term.strip() for term in own.values())


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang not in ("ja", "ja-easy")])
def test_procedure_names_give_the_official_japanese_beside_the_translation(language):
    texts, japanese = Translations.load(language), Translations.load("ja")
    name = texts.procedure("tennyu")
    assert "転入届" in name and name != japanese.procedure("tennyu")


def test_easy_japanese_keeps_official_terms_with_a_reading_and_explains_them_once():
    easy = glossary.load("ja-easy")
    tennyu = easy["tennyu"]
    assert tennyu.term.startswith("転入届（") and tennyu.explain
    texts = Translations.load("ja-easy")
    name = texts.procedure("tennyu")
    assert name.startswith(tennyu.term) and tennyu.explain in name


def test_a_text_that_strays_from_the_glossary_is_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    shutil.copytree(resource(), tmp_path / "resources")
    catalog = tmp_path / "resources" / "i18n" / "en" / "catalog.toml"
    text = catalog.read_text(encoding="utf-8")
    catalog.write_text(
        text.replace("Moving-in notification (転入届)", "Arrival form"), encoding="utf-8"
    )
    monkeypatch.setenv("WARD_KIOSK_RESOURCES", str(tmp_path / "resources"))
    found = {(f.key, f.term) for f in glossary.check("en")}
    assert ("catalog.procedures.tennyu", "転入届") in found
    problems = [str(f) for f in glossary.check("en") if f.key == "catalog.procedures.tennyu"]
    assert any("Moving-in notification" in p for p in problems)
    assert any("Japanese term beside it" in p for p in problems)


def test_the_longest_official_term_wins():
    assert glossary.terms_in("印鑑登録証明書を請求", OFFICIAL) == ["inkan_cert"]
    assert set(glossary.terms_in("印鑑登録と印鑑登録証", OFFICIAL)) == {
        "inkan_card",
        "inkan_register",
    }
