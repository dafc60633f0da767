"""The embedded Japanese font: registration, glyph checks, and text that fits its box."""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from kiosk.resources import resource

FONT_NAME = "IPAexGothic"
FONT_FILE = ("fonts", "ipaexg.ttf")
# 下駄記号: the customary stand-in for a character that cannot be typeset.
PLACEHOLDER = "〓"
# Wrapped lines must not start with these (simple 禁則処理).
_NO_LINE_START = set("、。，．・：；？！ー）」』】〕〉》’”ぁぃぅぇぉっゃゅょァィゥェォッャュョ,.)")

_COMBINING_KANA = re.compile("[^\u3099\u309a][\u3099\u309a]")

_register_lock = threading.Lock()
# reportlab's TTFont shares one file cursor between documents while subsetting,
# so whole renders are serialised; one form takes a few tens of milliseconds.
_render_lock = threading.RLock()
_font: TTFont | None = None


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """reportlab's ToUnicode CMap, with characters above U+FFFF as UTF-16 surrogate pairs.

    reportlab writes them as five hex digits, which PDF readers misread (𩸽 comes
    out of pdftotext as U+29E3), so copied or searched text would be wrong.
    """
    cmap = _reportlab_to_unicode_cmap(fontname, subset)
    return re.sub(
        r"<([0-9A-F]{2})> <([0-9A-F]{5,6})>",
        lambda m: f"<{m[1]}> <{chr(int(m[2], 16)).encode('utf-16-be').hex().upper()}>",
        cmap,
    )


_reportlab_to_unicode_cmap = ttfonts.makeToUnicodeCMap


def font() -> TTFont:
    """The Japanese TTF, registered with reportlab on first use."""
    global _font
    if _font is None:
        with _register_lock:
            if _font is None:
                ttfonts.makeToUnicodeCMap = _to_unicode_cmap
                loaded = TTFont(FONT_NAME, str(resource(*FONT_FILE)))
                pdfmetrics.registerFont(loaded)
                _font = loaded
    return _font


@contextmanager
def rendering() -> Iterator[str]:
    """Hold the render lock; yields the registered font name."""
    font()
    with _render_lock:
        yield FONT_NAME


def _is_variation_selector(ch: str) -> bool:
    cp = ord(ch)
    return 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF


def has_glyph(ch: str) -> bool:
    """Whether the font's cmap maps this character to a glyph."""
    return ord(ch) in font().face.charToGlyph


def printable(text: str) -> tuple[str, str]:
    """Split text into what to draw and the characters the font lacks.

    Missing characters are drawn as 〓 so the gap is visible on paper. A variation
    selector (異体字 choice) cannot be honoured, so it is reported together with
    its base character; the base character alone is drawn.
    """
    drawn: list[str] = []
    missing: list[str] = []
    # Not NFC on the whole text: it would swap CJK compatibility ideographs used in
    # names (塚 U+FA10) for their unified forms. Only kana + combining (semi-)voiced
    # marks are composed, since the font would print the mark as a separate character.
    text = _COMBINING_KANA.sub(lambda m: unicodedata.normalize("NFC", m[0]), text)
    for ch in text:
        if _is_variation_selector(ch):
            base = drawn[-1] if drawn else ""
            missing.append(base + ch)
        elif ch in "\r\n\t":
            drawn.append(" ")
        elif has_glyph(ch):
            drawn.append(ch)
        else:
            drawn.append(PLACEHOLDER)
            missing.append(ch)
    return "".join(drawn), "".join(dict.fromkeys(missing))


def width(text: str, size: float) -> float:
    """Advance width of text in points."""
    return float(pdfmetrics.stringWidth(text, FONT_NAME, size))


def wrap(text: str, size: float, max_width: float) -> list[str]:
    """Break text into lines no wider than max_width, keeping 禁則 and Latin words whole."""
    lines: list[str] = []
    line = ""
    line_width = 0.0
    for ch in text:
        ch_width = width(ch, size)  # reportlab applies no kerning: widths add up
        if line and line_width + ch_width > max_width:
            head, line = _break(line, ch)
            lines.append(head)
            line_width = width(line, size)
            if not line and ch in " 　":
                continue
        line += ch
        line_width += ch_width
    if line:
        lines.append(line)
    return lines


def _break(line: str, ch: str) -> tuple[str, str]:
    """Split a full line before ch: the finished line and what carries over."""
    if ch in _NO_LINE_START:
        cut = len(line) - 1
        while cut > 1 and line[cut] in _NO_LINE_START:
            cut -= 1
        if cut > 0:
            return line[:cut], line[cut:]
    # Prefer a space (between words, or between an address and its building name)
    # when it leaves the first line at least 40% full.
    space = max(line.rfind(" "), line.rfind("　"))
    if ch not in " 　" and space > len(line) * 0.4:
        return line[:space], line[space + 1 :]
    return line.rstrip(), ""


@dataclass(frozen=True)
class Fitted:
    """Text laid out for a box: the lines and the font size that makes them fit."""

    lines: tuple[str, ...]
    size: float

    @property
    def leading(self) -> float:
        return self.size * 1.2

    @property
    def height(self) -> float:
        """From the first line's top to the last line's bottom."""
        return self.size + self.leading * (len(self.lines) - 1)


def fit(
    text: str,
    box_width: float,
    box_height: float,
    *,
    size: float,
    min_size: float = 7.0,
    max_lines: int = 2,
) -> Fitted:
    """Largest layout of text that fits the box, never cutting a character.

    Tries one line from ``size`` down to ``min_size``, then up to ``max_lines`` lines;
    if that fails, shrinks ``max_lines`` lines below ``min_size`` to a legible floor,
    and only then uses more lines.
    """
    floor = min(min_size, 5.0)
    attempts = [(1, s) for s in _sizes(size, min_size)]
    attempts += [(n, s) for n in range(2, max_lines + 1) for s in _sizes(size, min_size)]
    attempts += [(max_lines, s) for s in _sizes(min_size - 0.5, floor)]
    attempts += [(99, s) for s in _sizes(floor, 2.0)]
    for lines_allowed, s in attempts:
        lines = wrap(text, s, box_width)
        fitted = Fitted(tuple(lines), s)
        if len(lines) <= lines_allowed and fitted.height <= box_height:
            return fitted
    return Fitted(tuple(wrap(text, 2.0, box_width)), 2.0)


def _sizes(top: float, bottom: float) -> list[float]:
    """Font sizes from top down to bottom in half-point steps."""
    count = round((top - bottom) * 2) + 1
    return [top - i * 0.5 for i in range(max(count, 0))]


def draw_fitted(
    canvas: Canvas,
    fitted: Fitted,
    x: float,
    y: float,
    box_height: float,
    *,
    align: str = "left",
    box_width: float = 0.0,
    bold: bool = False,
) -> None:
    """Draw fitted lines vertically centred in the box whose bottom-left is (x, y).

    ``bold`` strokes the outlines as well (text render mode 2): the font has no bold face.
    """
    mode = 2 if bold else None
    canvas.setFont(FONT_NAME, fitted.size)
    # Baseline of the first line: centre the block, then drop by the ascent (~0.88 em).
    baseline = y + (box_height + fitted.height) / 2 - fitted.size * 0.88
    for line in fitted.lines:
        if align == "center":
            canvas.drawCentredString(x + box_width / 2, baseline, line, mode=mode)
        elif align == "right":
            canvas.drawRightString(x + box_width, baseline, line, mode=mode)
        else:
            canvas.drawString(x, baseline, line, mode=mode)
        baseline -= fitted.leading
