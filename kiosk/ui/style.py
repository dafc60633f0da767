"""The kiosk's style sheet in millimetres: resources/ui/kiosk.qss scaled to the screen.

The template's pixel sizes are those of the reference screen, a 19" 1280×1024
display (about 3.40 px/mm). On any other screen every px size is multiplied by
(the screen's px/mm ÷ the reference's), so a button is as many millimetres tall
on a 21.5" full-HD screen as on the 19" one. The screen's px/mm comes from the
diagonal in the settings (``kiosk.screen_diagonal_inches``) or else from the
physical DPI Qt reports; an implausible report counts as the reference screen.

Two of the visitor's "見やすく" modes are made here as well: large text (every
font size ×1.5) and high contrast (light text on black, yellow fills and
accents; every text at least 7:1 on its background, see tests/ui/test_view_modes.py).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from PySide6.QtGui import QGuiApplication, QScreen

from kiosk.resources import resource

REFERENCE_PX_PER_MM = math.hypot(1280, 1024) / 19 / 25.4
"""A 19" 1280×1024 screen, the one the template's pixel sizes were drawn for (≈3.40)."""
LARGE_TEXT = 1.5
LARGE_TEXT_CAP = 48
"""Large text: ×1.5 up to this size (reference px, 14 mm); texts already larger (the
ticket number, the PIN dots) stay as they are, those in between (titles) grow to it."""
FIXED_TEXT = (
    "#repeat",
    "#volume",
    "#viewButton",
    "#restartButton",
    "#callStaffButton",
    "#speakHint",
    "#language",
)
"""Texts that keep their size in large text: the toolbar's (7 mm already), so that it
stays one row, the "say it like this" hint, which quotes the answer buttons, and the
ten language names (9 mm already), so that each stays whole on its button."""
PLAUSIBLE_DPI = (40.0, 400.0)
"""Outside this, a screen's reported DPI is taken for a guess (Xvfb, broken EDID)."""

BLACK, WHITE, YELLOW, GREY = "#000000", "#ffffff", "#ffff00", "#a0a0a0"
DISABLED = {"#6b7280": GREY, "#9ca3af": GREY}
"""Disabled texts and borders stay told apart from enabled ones in high contrast."""
PRESSED = {"#083a73": WHITE, "#cfe0f5": "#333333", "#d1d5db": "#333333"}

_scale = 1.0
_PX = re.compile(r"(\d+(?:\.\d+)?)px")
_DECLARATION = re.compile(r"([a-z-]+)\s*:\s*([^;{}]+)")
_BLOCK = re.compile(r"([^{}]*)\{([^{}]*)\}")
_HEX = re.compile(r"#[0-9a-fA-F]{6}\b")


@dataclass(frozen=True)
class Look:
    """What the visitor chose: the screen's px/mm is the kiosk's, not theirs."""

    large_text: bool = False
    high_contrast: bool = False


def set_px_per_mm(px_per_mm: float) -> None:
    """The screen's density, for :func:`px` and :func:`stylesheet`; before building widgets."""
    global _scale
    _scale = px_per_mm / REFERENCE_PX_PER_MM if px_per_mm > 0 else 1.0


def scale() -> float:
    return _scale


def px(reference: float) -> int:
    """A size in the reference screen's pixels, in this screen's pixels."""
    return round(reference * _scale)


def screen_px_per_mm(screen: QScreen | None, diagonal_inches: float = 0) -> float:
    """Pixels per millimetre of ``screen``: from its diagonal when given, else from Qt."""
    if screen is None:
        return REFERENCE_PX_PER_MM
    if diagonal_inches > 0:
        size = screen.geometry().size() * screen.devicePixelRatio()
        return math.hypot(size.width(), size.height()) / diagonal_inches / 25.4
    dpi = screen.physicalDotsPerInch()
    if not PLAUSIBLE_DPI[0] <= dpi <= PLAUSIBLE_DPI[1]:
        return REFERENCE_PX_PER_MM
    return dpi / 25.4


def primary_screen_px_per_mm(diagonal_inches: float = 0) -> float:
    return screen_px_per_mm(QGuiApplication.primaryScreen(), diagonal_inches)


def template() -> str:
    return resource("ui", "kiosk.qss").read_text(encoding="utf-8")


def stylesheet(look: Look = Look(), source: str | None = None) -> str:
    """The kiosk's style sheet for this screen and ``look``."""
    text = template() if source is None else source
    text_factor = LARGE_TEXT if look.large_text else 1.0

    def declaration(match: re.Match[str], text_factor: float) -> str:
        name, value = match.group(1), match.group(2)
        grow = text_factor if name == "font-size" else 1.0
        value = _PX.sub(lambda m: f"{px(_larger(float(m.group(1)), grow))}px", value)
        if look.high_contrast:
            value = _HEX.sub(lambda m: contrast_colour(name, m.group(0).lower()), value)
        return f"{name}: {value}"

    def block(match: re.Match[str]) -> str:
        selector, body = match.group(1), match.group(2)
        factor = 1.0 if any(name in selector for name in FIXED_TEXT) else text_factor
        body = _DECLARATION.sub(lambda m: declaration(m, factor), body)
        return f"{selector}{{{body}}}"

    return _BLOCK.sub(block, _without_comments(text))


def _larger(size: float, factor: float) -> float:
    if factor == 1.0:
        return size
    return max(size, min(size * factor, LARGE_TEXT_CAP))


def _without_comments(text: str) -> str:
    return re.sub(r"/\*.*?\*/", "", text, flags=re.DOTALL)


def contrast_colour(prop: str, colour: str) -> str:
    """The high-contrast colour for ``colour`` used as ``prop``."""
    if colour in DISABLED:
        return DISABLED[colour]
    if prop.startswith("background"):
        if colour in PRESSED:
            return PRESSED[colour]
        return BLACK if luminance(colour) > 0.4 else YELLOW  # fills turn yellow
    if prop == "color":
        return BLACK if luminance(colour) > 0.4 else WHITE  # text on a fill turns black
    return WHITE if _grey(colour) else YELLOW  # borders: accents yellow, the rest white


def _grey(colour: str) -> bool:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return max(r, g, b) - min(r, g, b) < 32


def luminance(colour: str) -> float:
    """WCAG relative luminance of "#rrggbb"."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(colour[i : i + 2], 16)) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: str, other: str) -> float:
    """WCAG contrast ratio of two "#rrggbb" colours (1 to 21)."""
    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)
