"""Visitor-facing text in every offered language, read from ``resources/i18n/<lang>/``.

A language is a folder of TOML files; each file's keys are reached through
its name, e.g. ``ui.welcome.start`` or ``catalog.procedures.tennyu``. Adding a
language is adding a folder. Japanese is the reference: every other language
must have the same keys (a test checks this), and a key still missing falls
back to Japanese rather than showing nothing.
"""

from __future__ import annotations

import logging
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.resources import resource

log = logging.getLogger(__name__)

REFERENCE_LANGUAGE = "ja"


class TranslationError(ValueError):
    """A language folder is missing or a file in it is not valid TOML."""


def available_languages(folder: Path | None = None) -> list[str]:
    """Codes of the languages that have a folder with a ``language.toml``."""
    folder = folder or resource("i18n")
    return sorted(p.parent.name for p in folder.glob("*/language.toml"))


def load_tree(language: str, folder: Path | None = None) -> dict[str, Any]:
    """All files of one language as one nested dict keyed by file name."""
    base = (folder or resource("i18n")) / language
    if not (base / "language.toml").is_file():
        raise TranslationError(f"no translations for language {language!r} in {base}")
    tree: dict[str, Any] = {}
    for path in sorted(base.glob("*.toml")):
        try:
            with path.open("rb") as f:
                tree[path.stem] = tomllib.load(f)
        except tomllib.TOMLDecodeError as e:
            raise TranslationError(f"{path}: not valid TOML: {e}") from e
    return tree


def _lookup(tree: dict[str, Any], key: str) -> Any:
    node: Any = tree
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


@dataclass(frozen=True)
class Translations:
    """The texts of one language, with the reference language behind it."""

    language: str
    tree: dict[str, Any]
    fallback: dict[str, Any]

    @classmethod
    def load(cls, language: str, folder: Path | None = None) -> Translations:
        tree = load_tree(language, folder)
        fallback = tree if language == REFERENCE_LANGUAGE else load_tree(REFERENCE_LANGUAGE, folder)
        return cls(language, tree, fallback)

    @property
    def name(self) -> str:
        """The language's name in itself, e.g. 日本語 or English."""
        return str(self.text("language.language.name"))

    def raw(self, key: str) -> Any:
        value = _lookup(self.tree, key)
        if value is None:
            value = _lookup(self.fallback, key)
            if value is None:
                raise KeyError(f"no text for {key!r} in {self.language!r} or the reference")
            log.warning("text %s missing in language %s; showing the reference", key, self.language)
        return value

    def text(self, key: str, **values: object) -> str:
        """The text at ``key`` with its {placeholders} filled in."""
        template = self.raw(key)
        return str(template).format(**values) if values else str(template)

    def procedure(self, procedure_id: str) -> str:
        return self.text(f"catalog.procedures.{procedure_id}")

    def item(self, item_id: str) -> str:
        return self.text(f"catalog.items.{item_id}")

    def question(self, question_id: str) -> str:
        return self.text(f"questions.{question_id}.title")

    def choice(self, question_id: str, choice: str) -> str:
        return self.text(f"questions.{question_id}.choices.{choice}")


def leaf_keys(tree: dict[str, Any], prefix: str = "") -> set[str]:
    """Every dotted key that holds a text, for completeness checks."""
    keys: set[str] = set()
    for name, value in tree.items():
        key = f"{prefix}{name}"
        keys |= leaf_keys(value, f"{key}.") if isinstance(value, dict) else {key}
    return keys
