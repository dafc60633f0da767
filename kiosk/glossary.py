"""The ward's terms per language (``resources/glossary/<code>.toml``) and the check that
every translated text uses them.

The Japanese glossary holds the official terms (転入届, 国民健康保険…). Each other
language gives, under the same id, the one translation its texts use (``term``), any
grammatical forms of it a sentence may need (``also``), and for やさしい日本語 a plain
explanation (``explain``). :func:`check` lists every text whose Japanese uses a term
but whose translation does not use the glossary's, and every name of a procedure or a
thing to bring that lacks the Japanese term a visitor shows at the counter.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.i18n import REFERENCE_LANGUAGE, Translations, leaf_keys
from kiosk.language import is_plural_table
from kiosk.resources import files_in, read_toml

# Names of what a visitor hands over or asks for at the counter: they carry the Japanese
# term (the first one the Japanese name uses) beside the translation.
SHOWN_SECTIONS = ("catalog.procedures.", "catalog.items.")
# Phrase lists for recognition and the language's own file are not read by visitors.
UNCHECKED_FILES = ("speech", "language")


class GlossaryError(ValueError):
    """A glossary file is missing, unreadable, or lacks a term Japanese has."""


@dataclass(frozen=True)
class Term:
    id: str
    term: str
    also: tuple[str, ...] = ()
    explain: str = ""
    reading: str = ""
    show: bool = False

    def used_in(self, text: str) -> bool:
        folded = text.casefold()
        return any(form.casefold() in folded for form in (self.term, *self.also))


def load(language: str, folder: Path | None = None) -> dict[str, Term]:
    """The glossary of one language, by term id."""
    paths = files_in(folder, ("glossary",), f"{language}.toml")
    if not paths:
        raise GlossaryError(
            f"no glossary for language {language!r}: add resources/glossary/{language}.toml"
        )
    table = read_toml(paths[-1])
    return {key: _term(key, value, paths[-1]) for key, value in table.items()}


def _term(key: str, value: Any, path: Path) -> Term:
    if not isinstance(value, Mapping) or not isinstance(value.get("term"), str):
        raise GlossaryError(f'{path}: [{key}] needs term = "…"')
    return Term(
        key,
        value["term"],
        tuple(str(form) for form in value.get("also", ())),
        str(value.get("explain", "")),
        str(value.get("reading", "")),
        bool(value.get("show", False)),
    )


@dataclass(frozen=True)
class Finding:
    """A text that does not use a glossary term as it should."""

    key: str
    term: str
    problem: str

    def __str__(self) -> str:
        return f"{self.key}: {self.problem} ({self.term})"


def check(language: str, folder: Path | None = None) -> list[Finding]:
    """Every place where ``language``'s texts do not follow its glossary."""
    official = load(REFERENCE_LANGUAGE, folder)
    own = load(language, folder)
    findings = [
        Finding(term_id, official[term_id].term, "missing from the glossary")
        for term_id in official
        if term_id not in own
    ]
    reference = Translations.load(REFERENCE_LANGUAGE)
    texts = Translations.load(language)
    for key in sorted(leaf_keys(reference.tree)):
        if key.partition(".")[0] in UNCHECKED_FILES:
            continue
        source = " ".join(_strings(reference.raw(key)))
        translated = " ".join(_strings(texts.raw(key)))
        used = terms_in(source, official)
        for term_id in used:
            own_term = own.get(term_id)
            if own_term is not None and not own_term.used_in(translated):
                problem = f"does not use the glossary's {own_term.term!r}"
                findings.append(Finding(key, official[term_id].term, problem))
        shown = [t for t in used if official[t].show]
        if shown and key.startswith(SHOWN_SECTIONS) and not texts.japanese:
            first = min(shown, key=lambda t: source.find(official[t].term))
            if official[first].term not in translated:
                problem = "does not give the Japanese term beside it"
                findings.append(Finding(key, official[first].term, problem))
    return findings


def terms_in(text: str, official: Mapping[str, Term]) -> list[str]:
    """Ids of the official terms in a Japanese text, longest first (印鑑登録証明書 is
    not also 印鑑登録)."""
    found: list[str] = []
    for term in sorted(official.values(), key=lambda t: -len(t.term)):
        if term.term in text:
            found.append(term.id)
            text = text.replace(term.term, "\0")
    return found


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if is_plural_table(value):
        return [str(v) for v in value.values()]
    if isinstance(value, list):
        return [str(v) for v in value]
    return []
