"""The embedded fonts: registration, glyph checks, and text that fits its box.

IPAex Gothic prints Japanese (and Latin). It has no Hangul, so text may fall back,
character by character, to NanumGothic: ``printable(text, fallback=True)`` keeps
what either font has, and ``width``, ``wrap``, ``fit`` and ``draw_fitted`` measure
and draw each run of text in the font that has it. Both are embedded as subsets.
"""

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
# For characters IPAex lacks (Hangul): loaded the first time one is asked for.
FALLBACK_NAME = "NanumGothic"
FALLBACK_FILE = ("fonts", "NanumGothic.ttf")
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
_fallback: TTFont | None = None


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


def fallback_font() -> TTFont:
    """The font for characters IPAex lacks (Hangul), registered on first use."""
    global _fallback
    font()
    if _fallback is None:
        with _register_lock:
            if _fallback is None:
                loaded = TTFont(FALLBACK_NAME, str(resource(*FALLBACK_FILE)))
                pdfmetrics.registerFont(loaded)
                _fallback = loaded
    return _fallback


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


def _fallback_has(ch: str) -> bool:
    return ord(ch) in fallback_font().face.charToGlyph


def font_for(ch: str) -> str:
    """The font that draws this character: IPAex, else the fallback if it has it."""
    if has_glyph(ch) or not _fallback_has(ch):
        return FONT_NAME
    return FALLBACK_NAME


def runs(text: str) -> list[tuple[str, str]]:
    """The text cut into (font name, run) pieces, each drawn in one font."""
    pieces: list[tuple[str, str]] = []
    for ch in text:
        name = font_for(ch)
        if pieces and pieces[-1][0] == name:
            pieces[-1] = (name, pieces[-1][1] + ch)
        else:
            pieces.append((name, ch))
    return pieces


def printable(text: str, *, fallback: bool = False) -> tuple[str, str]:
    """Split text into what to draw and the characters the font lacks.

    Missing characters are drawn as 〓 so the gap is visible on paper. A variation
    selector (異体字 choice) cannot be honoured, so it is reported together with
    its base character; the base character alone is drawn. With ``fallback``,
    a character IPAex lacks but the fallback font has (Hangul) is kept.
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
        elif has_glyph(ch) or (fallback and _fallback_has(ch)):
            drawn.append(ch)
        else:
            drawn.append(PLACEHOLDER)
            missing.append(ch)
    return "".join(drawn), "".join(dict.fromkeys(missing))


def width(text: str, size: float) -> float:
    """Advance width of text in points, each run in the font that draws it."""
    return sum(float(pdfmetrics.stringWidth(run, name, size)) for name, run in runs(text))


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
    # when it leaves the first line at least 40% full; else the end of a bracket,
    # as in 昭和60年（1985年）/ 4月1日.
    space = max(line.rfind(" "), line.rfind("　"))
    if ch not in " 　" and space > len(line) * 0.4:
        return line[:space], line[space + 1 :]
    close = line.rfind("）") + 1
    if ch not in _NO_LINE_START and len(line) * 0.4 < close < len(line):
        return line[:close], line[close:]
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
    # Baseline of the first line: centre the block, then drop by the ascent (~0.88 em).
    baseline = y + (box_height + fitted.height) / 2 - fitted.size * 0.88
    for line in fitted.lines:
        line_x = x
        if align in ("center", "right"):
            spare = box_width - width(line, fitted.size)
            line_x += spare / 2 if align == "center" else spare
        draw_line(canvas, line, line_x, baseline, fitted.size, bold=bold)
        baseline -= fitted.leading


def draw_line(
    canvas: Canvas, text: str, x: float, baseline: float, size: float, *, bold: bool = False
) -> float:
    """Draw one line from (x, baseline), each run in its font; returns the end x."""
    mode = 2 if bold else None
    for name, run in runs(text):
        canvas.setFont(name, size)
        canvas.drawString(x, baseline, run, mode=mode)
        x += float(pdfmetrics.stringWidth(run, name, size))
    return x
