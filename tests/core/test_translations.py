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
from kiosk.language import is_plural_table
from kiosk.resources import resource

LANGUAGES = available_languages()
PLACEHOLDER = re.compile(r"\{(\w+)\}")
# Phrases for speech recognition: only a language with a recognition model has them.
OPTIONAL_FILES = {"speech"}


def _required(language: str) -> set[str]:
    own_files = set(load_tree(language))
    keys = leaf_keys(load_tree(REFERENCE_LANGUAGE))
    return {k for k in keys if k.partition(".")[0] not in OPTIONAL_FILES - own_files}


def _forms(value: object) -> list[str]:
    """The texts of a plain text or of each plural form."""
    return list(value.values()) if is_plural_table(value) else [value]  # type: ignore[union-attr]


def test_japanese_and_english_are_shipped():
    assert {"ja", "en"} <= set(LANGUAGES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_reference_text_is_translated(language):
    missing = _required(language) - leaf_keys(load_tree(language))
    assert not missing, f"{language} lacks {sorted(missing)}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_plural_texts_give_exactly_the_languages_plural_forms(language):
    texts = Translations.load(language)
    wanted = texts.info.plural_categories
    for key in leaf_keys(texts.tree):
        value = texts.raw(key)
        if is_plural_table(value):
            assert set(value) == wanted, (
                f"{language} {key}: {sorted(value)} ≠ CLDR {sorted(wanted)}"
            )


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_match_the_reference(language):
    reference = Translations.load(REFERENCE_LANGUAGE)
    texts = Translations.load(language)
    for key in _required(language):
        ref, own = reference.raw(key), texts.raw(key)
        if isinstance(ref, str) or is_plural_table(ref):
            offered = {name for text in _forms(ref) for name in PLACEHOLDER.findall(text)}
            for text in _forms(own):
                assert set(PLACEHOLDER.findall(text)) <= offered, f"{key}: {text}"


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
    shutil.copytree(folder / "en", folder / "xv")
    (folder / "xv" / "language.toml").write_text('[language]\nlocale = "vi"\n', encoding="utf-8")
    (folder / "xv" / "ui.toml").write_text('[welcome]\nstart = "Bắt đầu"\n', encoding="utf-8")
    monkeypatch.setenv("WARD_KIOSK_RESOURCES", str(tmp_path / "resources"))
    assert "xv" in available_languages()
    texts = Translations.load("xv")
    assert texts.name == "Tiếng Việt"
    assert texts.text("ui.welcome.start") == "Bắt đầu"
    # A text the translator has not done yet falls back to Japanese, never to nothing.
    assert texts.text("ui.common.back") == "もどる"


def test_an_unknown_language_is_an_error():
    with pytest.raises(TranslationError, match="no translations for language 'xx'"):
        Translations.load("xx")
