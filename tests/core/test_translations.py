"""Every language has every text; adding a language is adding a folder."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from kiosk.catalog import Catalog
from kiosk.i18n import (
    REFERENCE_LANGUAGE,
    TranslationError,
    Translations,
    available_languages,
    leaf_keys,
    load_tree,
)
from kiosk.resources import resource

LANGUAGES = available_languages()
PLACEHOLDER = re.compile(r"\{(\w+)\}")
# Values the kiosk offers beyond those the reference text uses.
EXTRA_VALUES = {"ui.confirm.date_format": {"month_name", "era", "year", "month", "day"}}


def test_japanese_and_english_are_shipped():
    assert {"ja", "en"} <= set(LANGUAGES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_reference_text_is_translated(language):
    missing = leaf_keys(load_tree(REFERENCE_LANGUAGE)) - leaf_keys(load_tree(language))
    assert not missing, f"{language} lacks {sorted(missing)}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_match_the_reference(language):
    reference = Translations.load(REFERENCE_LANGUAGE)
    texts = Translations.load(language)
    for key in leaf_keys(reference.tree):
        ref, own = reference.raw(key), texts.raw(key)
        if isinstance(ref, str):
            offered = set(PLACEHOLDER.findall(ref)) | EXTRA_VALUES.get(key, set())
            assert set(PLACEHOLDER.findall(own)) <= offered, key


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalog_is_fully_translated(language):
    catalog = Catalog.load()
    texts = Translations.load(language)
    for procedure in catalog.procedures:
        assert texts.procedure(procedure.id)
        for item in procedure.bring:
            assert texts.item(item.item)
    for question in catalog.tree.questions.values():
        assert texts.question(question.id)
        for choice in question.choices:
            assert texts.choice(question.id, choice)
    for category in catalog.categories:
        assert texts.text(f"catalog.categories.{category}")


def test_each_language_names_itself():
    assert Translations.load("ja").name == "日本語"
    assert Translations.load("en").name == "English"


def test_a_new_language_folder_is_offered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    shutil.copytree(resource(), tmp_path / "resources")
    folder = tmp_path / "resources" / "i18n"
    shutil.copytree(folder / "en", folder / "vi")
    (folder / "vi" / "language.toml").write_text(
        '[language]\nname = "Tiếng Việt"\nenglish_name = "Vietnamese"\n', encoding="utf-8"
    )
    (folder / "vi" / "ui.toml").write_text('[welcome]\nstart = "Bắt đầu"\n', encoding="utf-8")
    monkeypatch.setenv("WARD_KIOSK_RESOURCES", str(tmp_path / "resources"))
    assert "vi" in available_languages()
    texts = Translations.load("vi")
    assert texts.name == "Tiếng Việt"
    assert texts.text("ui.welcome.start") == "Bắt đầu"
    # A text the translator has not done yet falls back to Japanese, never to nothing.
    assert texts.text("ui.common.back") == "もどる"


def test_an_unknown_language_is_an_error():
    with pytest.raises(TranslationError, match="no translations for language 'xx'"):
        Translations.load("xx")
