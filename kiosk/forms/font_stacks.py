"""Which fonts draw which language: ``resources/fonts/fonts.toml``.

A stack is a list of font files in ``resources/fonts/``, the first with priority: each
character is drawn in the first font of the stack that has it. The forms (reportlab),
the receipt raster (Pillow) and the screen (Qt, :mod:`kiosk.ui.fonts`) all read their
fonts from here, so a language draws with the same fonts everywhere. Nothing here
imports reportlab, Pillow or Qt until a font's characters are asked for.
"""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from kiosk.resources import TomlFileError, read_toml, resource

log = logging.getLogger(__name__)

JAPANESE = "ja"
STACKS_FILE = ("fonts", "fonts.toml")
VIRAMA_CLASS = 9  # canonical combining class of a virama (्): it joins the next letter
_JOINERS = "\u200c\u200d"
# CJK compatibility ideographs (塚 U+FA10): distinct forms people use in their names,
# which NFC would replace with the unified ideograph.
_COMPATIBILITY = re.compile("([\uf900-\ufaff\U0002f800-\U0002fa1f]+)")


class FontStackError(ValueError):
    """``fonts.toml`` is not valid, or names a font file that is not there."""


@dataclass(frozen=True)
class FontStacks:
    """The stacks of ``fonts.toml``: the default, each language's, and the shaped fonts."""

    default: tuple[str, ...]
    languages: Mapping[str, tuple[str, ...]]
    shaped: frozenset[str]

    def stack(self, language: str = JAPANESE) -> tuple[str, ...]:
        """The language's font files in order, then the default's others (a last resort).

        A code not listed takes the stack of its base language (``pt`` for ``pt-PT``)
        if that is listed, else the default.
        """
        own = self.languages.get(language) or self.languages.get(language.partition("-")[0])
        if own is None:
            return self.default
        return tuple(dict.fromkeys((*own, *self.default)))

    @property
    def files(self) -> tuple[str, ...]:
        """Every font file any stack names, the default's first."""
        every = [*self.default, *(f for stack in self.languages.values() for f in stack)]
        return tuple(dict.fromkeys(every))


def font_stacks() -> FontStacks:
    """The stacks of ``resources/fonts/fonts.toml`` (read once)."""
    return _read(resource(*STACKS_FILE))


@functools.cache
def _read(path: Path) -> FontStacks:
    try:
        table = read_toml(path)
    except (TomlFileError, OSError) as e:
        raise FontStackError(f"{path}: {e}") from None
    default = _files(table.get("default"), path, "default")
    languages = {
        str(code): _files(files, path, f"languages.{code}")
        for code, files in dict(table.get("languages") or {}).items()
    }
    shaped = frozenset(_files(table.get("shaped", []), path, "shaped", empty=True))
    return FontStacks(default, languages, shaped)


def _files(value: object, path: Path, key: str, *, empty: bool = False) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise FontStackError(f'{path}: {key} must be a list of font files, e.g. ["ipaexg.ttf"]')
    if not value and not empty:
        raise FontStackError(f"{path}: {key} names no font")
    for name in value:
        if not font_path(name).is_file():
            raise FontStackError(f"{path}: {key}: no font file {name} in {path.parent}")
    return tuple(value)


def stack(language: str = JAPANESE) -> tuple[str, ...]:
    """The font files of a language's stack, first with priority."""
    return font_stacks().stack(language)


def font_path(name: str) -> Path:
    """The path of a font file of ``resources/fonts/`` (the ward's own, if it has one)."""
    return resource("fonts", name)


def characters(name: str) -> frozenset[int]:
    """The characters a font file maps to glyphs (its cmap)."""
    return _characters(font_path(name))


@functools.cache
def _characters(path: Path) -> frozenset[int]:
    from reportlab.pdfbase.ttfonts import TTFontFile

    return frozenset(TTFontFile(str(path)).charToGlyph)


def font_of(ch: str, fonts: tuple[str, ...]) -> str | None:
    """The first font of ``fonts`` that has the character, or None."""
    return next((name for name in fonts if ord(ch) in characters(name)), None)


def compose(text: str) -> str:
    """Text in Unicode NFC (é, not e + a combining accent), but CJK compatibility
    ideographs as they are: a font draws a composed letter in one glyph."""
    parts = _COMPATIBILITY.split(text)
    return "".join(p if i % 2 else unicodedata.normalize("NFC", p) for i, p in enumerate(parts))


def clusters(text: str) -> list[str]:
    """Text cut where a line may break or a font may change: a combining mark stays
    with its letter, and a letter after a virama (्) or a joiner with the one before."""
    pieces: list[str] = []
    for ch in text:
        if pieces and joins_previous(ch, pieces[-1][-1]):
            pieces[-1] += ch
        else:
            pieces.append(ch)
    return pieces


def joins_previous(ch: str, previous: str) -> bool:
    """Whether ``ch`` belongs to the cluster that ``previous`` ends."""
    if ch in _JOINERS or previous in _JOINERS:
        return True
    if unicodedata.category(ch).startswith("M"):
        return True
    return unicodedata.combining(previous) == VIRAMA_CLASS and unicodedata.category(ch) == "Lo"
