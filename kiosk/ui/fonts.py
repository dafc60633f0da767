"""The kiosk's fonts on screen: every font of ``resources/fonts/``, and each language's
stack from ``fonts.toml`` (the same as on paper), so Chinese shows Chinese glyph forms
and Nepali shows Noto Sans Devanagari.

``register_fonts()`` adds the fonts to Qt's font database once, at start;
``apply_language_font(widget_or_app, language)`` gives a widget (or the whole
application) the language's font families in order, keeping its size.
"""

from __future__ import annotations

import logging

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication, QWidget

from kiosk.forms import font_stacks
from kiosk.forms.font_stacks import JAPANESE

log = logging.getLogger(__name__)

_families: dict[str, list[str]] = {}  # font file -> its family names in Qt
_ids: dict[str, int] = {}  # font file -> its id in Qt's font database
# Registered only while a language drawn in it is on screen: once Qt knows Noto Sans it
# lays out every Japanese line taller, and the 19" layouts are measured without it.
ON_DEMAND = frozenset({"NotoSans-Regular.ttf"})


def register_fonts(language: str = JAPANESE) -> dict[str, list[str]]:
    """Add the stacks' font files to Qt's font database (once; an ON_DEMAND font only
    while ``language`` is drawn in it); returns the family names of each file. A font
    Qt cannot load is logged and left out."""
    wanted = set(font_stacks.stack(language)[:1])
    for name in font_stacks.font_stacks().files:
        if name in ON_DEMAND and name not in wanted:
            _unregister(name)
        elif name not in _families:
            _register(name)
    return dict(_families)


def _register(name: str) -> None:
    font_id = QFontDatabase.addApplicationFont(str(font_stacks.font_path(name)))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if not families:
        log.warning("font %s could not be loaded for the screen", name)
    _families[name] = list(families)
    _ids[name] = font_id


def _unregister(name: str) -> None:
    font_id = _ids.pop(name, -1)
    _families.pop(name, None)
    if font_id >= 0:
        QFontDatabase.removeApplicationFont(font_id)


def families(language: str = JAPANESE) -> list[str]:
    """The language's own font, then the Japanese one (each once). The rest of the
    stack is left to Qt's fallback, which finds it among the registered fonts: a
    fallback family in the list would make every line as tall as its tallest font."""
    loaded = register_fonts(language)
    first = font_stacks.stack(language)[:1] + font_stacks.stack(JAPANESE)[:1]
    found = [family for name in first for family in loaded.get(name, [])]
    return list(dict.fromkeys(found))


def language_font(language: str, base: QFont | None = None) -> QFont:
    """``base`` (default: the application's font) with the language's families."""
    font = QFont(base if base is not None else QApplication.font())
    names = families(language)
    if names:
        # setFamily, not setFamilies: a family list gives every line the line spacing of
        # a font chain, taller than the first font's own (the 19" layouts would not fit).
        font.setFamily(names[0])
    return font


def apply_language_font(target: QWidget | QApplication, language: str) -> None:
    """Draw ``target``'s text (a widget and its children, or the whole application)
    in the language's fonts, keeping the size it has."""
    font = language_font(language, target.font())
    if font.family() == target.font().family():
        return  # setting the same font again would still re-lay every text out
    if isinstance(target, QApplication):
        QApplication.setFont(font)
    else:
        target.setFont(font)
