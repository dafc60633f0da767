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


def register_fonts() -> dict[str, list[str]]:
    """Add every font file the stacks name to Qt's font database (once); returns the
    family names of each file. A font Qt cannot load is logged and left out."""
    for name in font_stacks.font_stacks().files:
        if name in _families:
            continue
        font_id = QFontDatabase.addApplicationFont(str(font_stacks.font_path(name)))
        families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
        if not families:
            log.warning("font %s could not be loaded for the screen", name)
        _families[name] = list(families)
    return dict(_families)


def families(language: str = JAPANESE) -> list[str]:
    """The font families of the language's stack, first with priority (each once)."""
    loaded = register_fonts()
    found = [family for name in font_stacks.stack(language) for family in loaded.get(name, [])]
    return list(dict.fromkeys(found))


def language_font(language: str, base: QFont | None = None) -> QFont:
    """``base`` (default: the application's font) with the language's families."""
    font = QFont(base if base is not None else QApplication.font())
    names = families(language)
    if names:
        font.setFamilies(names)
    return font


def apply_language_font(target: QWidget | QApplication, language: str) -> None:
    """Draw ``target``'s text (a widget and its children, or the whole application)
    in the language's fonts, keeping the size it has."""
    if isinstance(target, QApplication):
        QApplication.setFont(language_font(language, QApplication.font()))
    else:
        target.setFont(language_font(language, target.font()))
