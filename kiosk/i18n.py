"""Visitor-facing text in every offered language, read from ``resources/i18n/<lang>/``.

A language is a folder of TOML files; each file's keys are reached through
its name, e.g. ``ui.welcome.start`` or ``catalog.procedures.tennyu``. Adding a
language is adding a folder. Japanese is the reference: every other language
must have the same keys (a test checks this), and a key still missing falls
back to Japanese rather than showing nothing.

Texts are filled in by :class:`SafeFormatter`: only plain named fields such as
``{n}`` or ``{n:>3}``; a file that uses anything else is refused when it is loaded.

A text that counts something may be given in CLDR's plural forms, as a table:
``tries_left = { one = "1 try left", other = "{n} tries left" }``; the form is
chosen by the value ``n`` with the language's plural rules (:mod:`kiosk.language`).
A language needs only the forms CLDR gives it (Japanese: ``other`` alone).
"""

from __future__ import annotations

import functools
import logging
import re
import string
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from kiosk.language import Language, LanguageFileError, is_plural_table
from kiosk.resources import TomlFileError, files_in, read_toml, resource

log = logging.getLogger(__name__)

REFERENCE_LANGUAGE = "ja"


class TranslationError(ValueError):
    """A language folder is missing, or a file in it is not UTF-8 TOML or has a bad text."""


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SPEC = re.compile(r"[^{}]{0,16}")  # a format spec without nested fields
_WIDE = re.compile(r"\d{4,}")  # a width or precision of 1000 or more


class SafeFormatter(string.Formatter):
    """``str.format`` for texts that ward staff edit: plain named fields, nothing else.

    ``{n}`` and ``{n:>3}`` work. Attribute access (``{x.__class__}``), indexing
    (``{x[0]}``), positional fields, conversions (``!r``), nested fields in a format
    spec and huge widths raise ValueError, so a text can only show the values given.
    """

    def parse(self, format_string: str) -> Iterator[tuple[str, str | None, str | None, str | None]]:
        for literal, field, spec, conversion in super().parse(format_string):
            if field is not None:
                _check_field(field, spec or "", conversion)
            yield literal, field, spec, conversion


def _check_field(field: str, spec: str, conversion: str | None) -> None:
    if not _NAME.fullmatch(field):
        raise ValueError(f"{{{field}}} is not a plain name: write placeholders as {{name}}")
    if conversion is not None:
        raise ValueError(f"{{{field}!{conversion}}}: conversions are not allowed")
    if not _SPEC.fullmatch(spec) or _WIDE.search(spec):
        raise ValueError(f"{{{field}:{spec}}}: the format spec is not allowed")


FORMATTER = SafeFormatter()


def check_template(text: str) -> None:
    """Raise ValueError when ``text`` is not a template :class:`SafeFormatter` fills in."""
    for _ in FORMATTER.parse(text):
        pass


def available_languages(folder: Path | None = None) -> list[str]:
    """Codes of the languages that have a folder with a ``language.toml``."""
    return sorted(p.parent.name for p in files_in(folder, ("i18n",), "*/language.toml"))


@functools.lru_cache(maxsize=64)
def language_info(code: str) -> Language | None:
    """The locale and names of a language from its ``language.toml`` alone; None when the
    kiosk has no such language (or its file is broken: loading its texts says why)."""
    paths = files_in(None, ("i18n", code), "language.toml")
    try:
        table = read_toml(paths[-1]).get("language", {}) if paths else None
        return Language.from_table(code, table, str(paths[-1])) if table is not None else None
    except (TomlFileError, OSError, LanguageFileError) as e:
        log.warning("language %s: %s", code, e)
        return None


def language_name(code: str, reader: str) -> str:
    """A visitor's language named for a reader of ``reader`` (e.g. counter staff):
    ベトナム語, やさしい日本語, Vietnamese; the code itself when the kiosk has no such language."""
    info = language_info(code)
    return info.name_in(language_info(reader) or reader) if info is not None else code


def load_tree(language: str, folder: Path | None = None) -> dict[str, Any]:
    """All files of one language as one nested dict keyed by file name."""
    files = files_in(folder and folder / language, ("i18n", language))
    if not any(path.name == "language.toml" for path in files):
        base = folder / language if folder else resource("i18n", language)
        raise TranslationError(f"no translations for language {language!r} in {base}")
    tree: dict[str, Any] = {}
    for path in files:
        try:
            tree[path.stem] = read_toml(path)
        except TomlFileError as e:
            raise TranslationError(str(e)) from None
        except OSError as e:  # e.g. a ward's file the kiosk's account may not read
            raise TranslationError(
                f"{path}: cannot be read ({e.strerror}): check its rights"
            ) from None
        _check_texts(path, tree[path.stem])
    return tree


def _check_texts(path: Path, table: Mapping[str, Any]) -> None:
    """Every text in ``table`` is a template :class:`SafeFormatter` accepts."""
    for key, text in _texts(table):
        try:
            check_template(text)
        except ValueError as e:
            raise TranslationError(f"{path}: {key}: {e}") from None


def _texts(table: Mapping[str, Any], prefix: str = "") -> Iterable[tuple[str, str]]:
    for name, value in table.items():
        if is_plural_table(value):
            for form, text in value.items():
                yield f"{prefix}{name}.{form}", text
        elif isinstance(value, Mapping):
            yield from _texts(value, f"{prefix}{name}.")
        elif isinstance(value, str):
            yield f"{prefix}{name}", value


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
    folder: Path | None = None
    """The i18n folder the texts came from (None: the resources' one), for messages."""
    meta: Language | None = None
    """The language's locale and names (``language.toml``); None for a bare tree."""

    @classmethod
    def load(cls, language: str, folder: Path | None = None) -> Translations:
        tree = load_tree(language, folder)
        fallback = tree if language == REFERENCE_LANGUAGE else load_tree(REFERENCE_LANGUAGE, folder)
        where = str((folder or resource("i18n")) / language / "language.toml")
        try:
            meta = Language.from_table(language, tree["language"].get("language", {}), where)
        except LanguageFileError as e:
            raise TranslationError(str(e)) from None
        return cls(language, tree, fallback, folder, meta)

    @property
    def info(self) -> Language:
        """The language's CLDR locale and names; a bare tree counts as Japanese."""
        if self.meta is None:
            return Language.from_table(self.language, {"locale": "ja"}, "(no language.toml)")
        return self.meta

    @property
    def name(self) -> str:
        """The language's name in itself, e.g. 日本語, English or Tiếng Việt."""
        return self.info.name

    @property
    def japanese(self) -> bool:
        """Japanese or やさしい日本語 (era dates, the Japanese voice)."""
        return self.info.japanese

    def raw(self, key: str) -> Any:
        value = _lookup(self.tree, key)
        if value is None:
            value = _lookup(self.fallback, key)
            if value is None:
                raise KeyError(f"no text for {key!r} in {self.language!r} or the reference")
            log.warning("text %s missing in language %s; showing the reference", key, self.language)
        return value

    def text(self, key: str, **values: object) -> str:
        """The text at ``key`` with its {placeholders} filled in by :class:`SafeFormatter`.

        A text that asks for a value not given raises TranslationError naming its file.
        """
        raw = self.raw(key)
        if is_plural_table(raw):
            raw = self._plural_form(key, raw, values)
            # the count as the language writes numbers (CLDR): 1,000 / 1.000 / 1 000
            values = {**values, "n": self.info.number(cast(float, values["n"]))}
        template = str(raw)
        if not values:
            return template
        try:
            return FORMATTER.vformat(template, (), values)
        except (KeyError, IndexError, ValueError) as e:
            given = ", ".join(sorted(values))
            raise TranslationError(
                f"{self._file(key)}: {key.partition('.')[2]}: cannot fill in {template!r}"
                f" ({type(e).__name__}: {e}); the values offered are: {given}"
            ) from None

    def _plural_form(self, key: str, forms: Mapping[str, str], values: Mapping[str, object]) -> str:
        """The form of a plural text for the count ``n`` among the values."""
        n = values.get("n")
        if not isinstance(n, int | float):
            raise TranslationError(
                f"{self._file(key)}: {key.partition('.')[2]}: a text in plural forms needs a"
                " number n to choose its form"
            )
        return forms.get(self.info.plural_category(n)) or forms["other"]

    def _file(self, key: str) -> Path:
        """The file a text comes from: this language's, else the reference's."""
        language = self.language if _lookup(self.tree, key) is not None else REFERENCE_LANGUAGE
        name = f"{key.partition('.')[0]}.toml"
        return self.folder / language / name if self.folder else resource("i18n", language, name)

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
        nested = isinstance(value, dict) and not is_plural_table(value)
        keys |= leaf_keys(value, f"{key}.") if nested else {key}
    return keys
