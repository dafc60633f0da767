"""The embedded fonts: registration, glyph checks, and text that fits its box.

Each language draws with its font stack (``resources/fonts/fonts.toml``,
:mod:`kiosk.forms.font_stacks`): every character in the first font of the stack that
has it. Japanese text (the forms' labels, the values from the card) uses the stack of
``ja``: IPAex Gothic, then fonts for what it lacks (Hangul in NanumGothic…). Text in the
visitor's language passes ``language`` and uses that language's stack, so Chinese
prints Chinese glyph forms and Vietnamese all its letters. ``printable``, ``width``,
``wrap``, ``fit`` and ``draw_line`` cut text into runs, each drawn in one font; a run
in a font of a shaped script (Devanagari) is shaped with HarfBuzz (uharfbuzz), measured with its
shaped width and marked with its text (``ActualText``) so copied text reads right.
Fonts are registered on first use and embedded as subsets.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import ShapedStr, TTFont, shapeStr
from reportlab.pdfgen.canvas import Canvas

from kiosk.forms import font_stacks
from kiosk.forms.font_stacks import JAPANESE, clusters, compose

FONT_NAME = "IPAexGothic"
FONT_FILE = ("fonts", "ipaexg.ttf")
# For characters IPAex lacks (Hangul), in the Japanese stack.
FALLBACK_NAME = "NanumGothic"
FALLBACK_FILE = ("fonts", "NanumGothic.ttf")
_NAMES = {FONT_FILE[1]: FONT_NAME, FALLBACK_FILE[1]: FALLBACK_NAME}
# 下駄記号: the customary stand-in for a character that cannot be typeset.
PLACEHOLDER = "〓"
# Wrapped lines must not start with these (simple 禁則処理).
_NO_LINE_START = set("、。，．・：；？！ー）」』】〕〉》’”ぁぃぅぇぉっゃゅょァィゥェォッャュョ,.)")
_KANA_MARKS = "\u3099\u309a"

_register_lock = threading.Lock()
# reportlab's TTFont shares one file cursor between documents while subsetting,
# so whole renders are serialised; one form takes a few tens of milliseconds.
_render_lock = threading.RLock()
_fonts: dict[str, TTFont] = {}


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


def registered(file: str) -> str:
    """The reportlab name of a font file of ``resources/fonts/``, registered on first use."""
    name = _NAMES.get(file) or Path(file).stem
    if name not in _fonts:
        with _register_lock:
            if name not in _fonts:
                ttfonts.makeToUnicodeCMap = _to_unicode_cmap
                loaded = TTFont(name, str(font_stacks.font_path(file)))
                pdfmetrics.registerFont(loaded)
                _fonts[name] = loaded
    return name


def font() -> TTFont:
    """The Japanese TTF (IPAex Gothic), registered with reportlab on first use."""
    return _fonts[registered(FONT_FILE[1])]


def fallback_font() -> TTFont:
    """The font for the Hangul IPAex lacks, registered on first use."""
    font()
    return _fonts[registered(FALLBACK_FILE[1])]


@contextmanager
def rendering() -> Iterator[str]:
    """Hold the render lock; yields the registered name of the Japanese font."""
    font()
    with _render_lock:
        yield FONT_NAME


def _is_variation_selector(ch: str) -> bool:
    cp = ord(ch)
    return 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF


def has_glyph(ch: str) -> bool:
    """Whether IPAex Gothic's cmap maps this character to a glyph."""
    return ord(ch) in font_stacks.characters(FONT_FILE[1])


def _file_for(piece: str, stack: tuple[str, ...]) -> str:
    """The first font of the stack with every character of a cluster (else its first
    character's font, else the stack's first)."""
    for file in stack:
        if all(ord(c) in font_stacks.characters(file) for c in piece):
            return file
    return font_stacks.font_of(piece[0], stack) or stack[0]


def font_for(ch: str, language: str = JAPANESE) -> str:
    """The registered font that draws this character in the language's stack."""
    return registered(_file_for(ch, font_stacks.stack(language)))


def runs(text: str, language: str = JAPANESE) -> list[tuple[str, str]]:
    """The text cut into (font name, run) pieces, each drawn in one font."""
    stack = font_stacks.stack(language)
    pieces: list[tuple[str, str]] = []
    for piece in clusters(text):
        name = registered(_file_for(piece, stack))
        if pieces and pieces[-1][0] == name:
            pieces[-1] = (name, pieces[-1][1] + piece)
        else:
            pieces.append((name, piece))
    return pieces


def printable(text: str, *, fallback: bool = False, language: str = JAPANESE) -> tuple[str, str]:
    """Split text into what to draw and the characters the language's fonts lack.

    Missing characters are drawn as 〓 so the gap is visible on paper. A variation
    selector (異体字 choice) cannot be honoured, so it is reported together with
    its base character; the base character alone is drawn. Without ``fallback`` only
    the stack's first font counts (IPAex Gothic for Japanese).
    """
    drawn: list[str] = []
    missing: list[str] = []
    stack = font_stacks.stack(language)
    fonts = stack if fallback else stack[:1]
    # NFC, but not for CJK compatibility ideographs used in names (塚 U+FA10); kana and
    # a combining (semi-)voiced mark become one character, which the font has.
    for ch in compose(text):
        if _is_variation_selector(ch):
            base = drawn[-1] if drawn else ""
            missing.append(base + ch)
        elif ch in "\r\n\t":
            drawn.append(" ")
        elif font_stacks.font_of(ch, fonts) is not None:
            drawn.append(ch)
        else:
            drawn.append(PLACEHOLDER)
            missing.append(ch)
    return "".join(drawn), "".join(dict.fromkeys(missing))


def _shaped(name: str, run: str) -> bool:
    """Whether a run is shaped: a font of a shaped script, or combining marks to place."""
    if _files_by_name().get(name) in font_stacks.font_stacks().shaped:
        return True
    return any(unicodedata.category(c) == "Mn" and c not in _KANA_MARKS for c in run)


@functools.cache
def _files_by_name() -> dict[str, str]:
    return {(_NAMES.get(f) or Path(f).stem): f for f in font_stacks.font_stacks().files}


@functools.lru_cache(maxsize=8192)
def _run_width(name: str, run: str) -> float:
    """A run's advance at 1 pt: shaped (HarfBuzz) when the run is shaped."""
    if _shaped(name, run):
        shaped = shapeStr(run, name, 1.0)
        if isinstance(shaped, ShapedStr):  # x_advance is in thousandths of an em
            return sum(float(g.x_advance) for g in shaped.__shapeData__) / 1000
    return float(pdfmetrics.stringWidth(run, name, 1.0))


def width(text: str, size: float, language: str = JAPANESE) -> float:
    """Advance width of text in points, each run in its font, shaped runs as shaped."""
    return sum(_run_width(name, run) for name, run in runs(text, language)) * size


def wrap(text: str, size: float, max_width: float, language: str = JAPANESE) -> list[str]:
    """Break text into lines no wider than max_width, keeping 禁則, Latin words and
    clusters (a letter and its vowel signs, a conjunct) whole."""
    shaped = any(_shaped(name, run) for name, run in runs(text, language))
    lines: list[str] = []
    line = ""
    line_width = 0.0
    for ch in clusters(text):
        ch_width = width(ch, size, language)  # no kerning: unshaped widths add up
        if shaped:  # shaped clusters change their neighbours: measure the whole line
            ch_width = width(line + ch, size, language) - line_width
        if line and line_width + ch_width > max_width:
            head, line = _break(line, ch)
            lines.append(head)
            line_width = width(line, size, language)
            if not line and ch in " 　":
                continue
            if shaped:
                ch_width = width(line + ch, size, language) - line_width
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
    """Text laid out for a box: the lines, the font size that makes them fit, and the
    language whose fonts measured (and draw) them."""

    lines: tuple[str, ...]
    size: float
    language: str = JAPANESE

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
    language: str = JAPANESE,
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
        lines = wrap(text, s, box_width, language)
        fitted = Fitted(tuple(lines), s, language)
        if len(lines) <= lines_allowed and fitted.height <= box_height:
            return fitted
    return Fitted(tuple(wrap(text, 2.0, box_width, language)), 2.0, language)


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
    language: str | None = None,
) -> None:
    """Draw fitted lines vertically centred in the box whose bottom-left is (x, y), in
    the fonts of ``language`` (default: the language they were fitted in).

    ``bold`` strokes the outlines as well (text render mode 2): the fonts have no bold face.
    """
    language = language or fitted.language
    # Baseline of the first line: centre the block, then drop by the ascent (~0.88 em).
    baseline = y + (box_height + fitted.height) / 2 - fitted.size * 0.88
    for line in fitted.lines:
        line_x = x
        if align in ("center", "right"):
            spare = box_width - width(line, fitted.size, language)
            line_x += spare / 2 if align == "center" else spare
        draw_line(canvas, line, line_x, baseline, fitted.size, bold=bold, language=language)
        baseline -= fitted.leading


def draw_line(
    canvas: Canvas,
    text: str,
    x: float,
    baseline: float,
    size: float,
    *,
    bold: bool = False,
    language: str = JAPANESE,
) -> float:
    """Draw one line from (x, baseline), each run in its font; returns the end x.

    A shaped run is drawn shaped, inside a marked-content span whose ``ActualText`` is
    the run's own text: its glyphs (conjuncts, the reordered ि) copy as the words.
    """
    mode = 2 if bold else None
    for name, run in runs(text, language):
        canvas.setFont(name, size)
        if _shaped(name, run):
            actual = ("\ufeff" + run).encode("utf-16-be").hex().upper()
            canvas.addLiteral(f"/Span <</ActualText <{actual}>>> BDC")
            # Shaped here: Canvas.drawString(shaping=True) shapes only when rlbidi is
            # installed, but draws a string shaped beforehand (glyphs and offsets) as such.
            canvas.drawString(x, baseline, shapeStr(run, name, size), mode=mode)
            canvas.addLiteral("EMC")
        else:
            canvas.drawString(x, baseline, run, mode=mode)
        x += _run_width(name, run) * size
    return x
