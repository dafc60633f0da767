"""Text as black-and-white raster images for receipt printers (Pillow).

Receipt printers have no Japanese or Korean fonts we can rely on, so every
non-ASCII line is drawn here with the project's fonts (``resources/fonts/``), in
the font stack of the ticket's language (``fonts.toml``, as on the PDF forms):
each character in the first font of the stack that has it. A character no font
has is drawn as 〓 and counted, like on the PDF forms. Runs in a font of a shaped
script (Devanagari) are laid out with Pillow's RAQM engine (HarfBuzz), so
conjuncts and vowel signs come out right; where Pillow has no RAQM they are drawn
unshaped (BASIC layout), and a warning says so.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from PIL import Image, ImageDraw, ImageFont, ImageOps, features

from kiosk.forms import font_stacks
from kiosk.forms.font_stacks import JAPANESE, clusters, compose
from kiosk.resources import resource

log = logging.getLogger(__name__)

Align = Literal["left", "center"]
PRIMARY_FONT = "ipaexg.ttf"
FONT_SUFFIXES = (".ttf", ".otf", ".ttc")
PLACEHOLDER = "〓"
_NO_LINE_START = set("、。，．・：；？！ー）」』】〕〉》’”ぁぃぅぇぉっゃゅょァィゥェォッャュョ,.)")
_MAX_HEIGHT = 2400  # dots; a ticket section is far shorter
_INK, _PAPER = 0, 255


@dataclass(frozen=True)
class FontFile:
    path: Path
    chars: frozenset[int]


def font_files(folder: Path | None = None) -> tuple[FontFile, ...]:
    """The fonts in ``resources/fonts/``, IPAex Gothic first, each with the characters it has."""
    return _font_files(folder or resource("fonts"))


@functools.cache
def _font_files(folder: Path) -> tuple[FontFile, ...]:
    paths = sorted(p for p in folder.iterdir() if p.suffix.lower() in FONT_SUFFIXES)
    paths.sort(key=lambda p: p.name != PRIMARY_FONT)
    files = [FontFile(p, chars) for p in paths if (chars := _characters(p))]
    if not files:
        raise FileNotFoundError(f"no usable font in {folder}; the kiosk ships {PRIMARY_FONT}")
    return tuple(files)


def stack_files(language: str = JAPANESE) -> tuple[FontFile, ...]:
    """The fonts of the language's stack (``fonts.toml``), first with priority."""
    paths = tuple(font_stacks.font_path(name) for name in font_stacks.stack(language))
    return _stack_files(paths)


@functools.cache
def _stack_files(paths: tuple[Path, ...]) -> tuple[FontFile, ...]:
    return tuple(FontFile(p, chars) for p in paths if (chars := _characters(p)))


def _characters(path: Path) -> frozenset[int]:
    """The characters a TrueType font maps to glyphs; empty (and logged) if unreadable."""
    from reportlab.pdfbase.ttfonts import TTFError, TTFontFile

    try:
        return frozenset(TTFontFile(str(path)).charToGlyph)
    except (TTFError, OSError) as e:
        log.warning("font %s cannot be used for receipts: %s", path.name, e)
        return frozenset()


@functools.lru_cache(maxsize=64)
def _face(path: Path, size: int) -> ImageFont.FreeTypeFont:
    engine = ImageFont.Layout.RAQM if _shapes(path) else ImageFont.Layout.BASIC
    return ImageFont.truetype(str(path), size, layout_engine=engine)


@functools.cache
def _shapes(path: Path) -> bool:
    """Whether runs in this font are shaped: a font of a shaped script, with RAQM."""
    if path.name not in font_stacks.font_stacks().shaped:
        return False
    if not features.check("raqm"):
        log.warning(
            "Pillow has no RAQM layout (libraqm): %s is drawn unshaped on receipts, so"
            " conjuncts and vowel signs may be wrong; install libraqm",
            path.name,
        )
        return False
    return True


class RasterPen:
    """Draws a ticket section top to bottom on a strip ``width`` dots wide."""

    def __init__(
        self,
        width: int,
        fonts: Sequence[FontFile] | None = None,
        *,
        margin: int = 6,
        language: str = JAPANESE,
    ) -> None:
        self.width = width
        self.margin = margin  # kept free of text on both sides
        self.language = language
        self.fonts = tuple(fonts or stack_files(language))
        self.canvas = Image.new("L", (width, _MAX_HEIGHT), _PAPER)
        self.draw = ImageDraw.Draw(self.canvas)
        self.y = 0
        self.missing = 0

    def text(
        self,
        s: str,
        size: int,
        *,
        min_size: int | None = None,
        max_lines: int = 1,
        align: Align = "center",
        bold: bool = False,
    ) -> None:
        """Write s, wrapped; shrinks down to min_size before using more than max_lines."""
        drawn = self._printable(s)
        size, lines = self._fit(drawn, size, min_size or size, max_lines)
        leading = round(size * 1.25)
        for line in lines:
            baseline = self.y + round(size * 0.95)
            spare = self.width - self._width(line, size)
            x = spare / 2 if align == "center" else self.margin
            self._draw_line(line, x, baseline, size, bold)
            self.y += leading

    def banner(self, s: str, size: int, *, min_size: int | None = None, pad: int = 8) -> None:
        """Write s in paper colour on a full-width black band, bold: a mark that reads
        on a one-colour receipt."""
        top = self.y
        self.space(pad)
        self.text(s, size, min_size=min_size, bold=True)
        self.space(pad)
        band = (0, top, self.width, self.y)
        self.canvas.paste(ImageOps.invert(self.canvas.crop(band)), band[:2])

    def space(self, dots: int) -> None:
        self.y += dots

    def rule(self, *, dashed: bool = False, thickness: int = 2) -> None:
        middle = self.y + 6
        step = 12 if dashed else self.width
        for x in range(0, self.width, step):
            end = min(x + (step // 2 if dashed else step), self.width) - 1
            self.draw.line([(x, middle), (end, middle)], fill=_INK, width=thickness)
        self.y += 14

    def boxes(self, cells: Sequence[RasterPen], *, gap: int = 12, pad: int = 10) -> None:
        """Paste sections side by side, each framed; all as tall as the tallest."""
        height = max(cell.y for cell in cells) + 2 * pad
        x = 0
        for cell in cells:
            box_width = cell.width + 2 * pad
            self.canvas.paste(
                cell.canvas.crop((0, 0, cell.width, height - 2 * pad)), (x + pad, self.y + pad)
            )
            self.draw.rounded_rectangle(
                [(x, self.y), (x + box_width - 1, self.y + height - 1)],
                radius=10,
                outline=_INK,
                width=2,
            )
            x += box_width + gap
            self.missing += cell.missing
        self.y += height

    def cell_width(self, count: int, *, gap: int = 12, pad: int = 10) -> int:
        """Width of the inside of one of ``count`` boxes side by side."""
        return (self.width - gap * (count - 1)) // count - 2 * pad

    def image(self, *, bottom_margin: int = 8) -> Image.Image:
        """The section so far, in pure black and white (no dithering)."""
        height = max(self.y + bottom_margin, 1)
        strip = self.canvas.crop((0, 0, self.width, height))
        return strip.point(lambda v: _PAPER if v >= 128 else _INK).convert(
            "1", dither=Image.Dither.NONE
        )

    # -- text helpers ----------------------------------------------------------------

    def _printable(self, s: str) -> str:
        drawn = []
        for ch in compose(" ".join(s.split())):
            if self._font_of(ch) is None:
                self.missing += 1
                ch = PLACEHOLDER
            drawn.append(ch)
        return "".join(drawn)

    def _font_of(self, ch: str) -> Path | None:
        return next((f.path for f in self.fonts if ord(ch) in f.chars), None)

    def _cluster_font(self, cluster: str) -> Path:
        """The first font with every character of the cluster, else its first one's."""
        for f in self.fonts:
            if all(ord(c) in f.chars for c in cluster):
                return f.path
        return self._font_of(cluster[0]) or self.fonts[0].path

    def _fit(self, s: str, size: int, min_size: int, max_lines: int) -> tuple[int, list[str]]:
        for lines_allowed in (1, max_lines):
            for candidate in range(size, min_size - 1, -2):
                lines = self._wrap(s, candidate)
                if len(lines) <= lines_allowed:
                    return candidate, lines
        return min_size, self._wrap(s, min_size)

    def _wrap(self, s: str, size: int) -> list[str]:
        lines: list[str] = []
        line = ""
        for ch in clusters(s):  # a letter with its marks, a conjunct: never split
            if line and self._width(line + ch, size) > self.width - 2 * self.margin:
                head, line = _break(line, ch)
                lines.append(head)
                if not line and ch == " ":
                    continue
            line += ch
        return [*lines, line] if line else lines

    def _runs(self, line: str) -> list[tuple[Path, str]]:
        runs: list[tuple[Path, str]] = []
        for ch in clusters(line):
            path = self._cluster_font(ch)
            if runs and runs[-1][0] == path:
                runs[-1] = (path, runs[-1][1] + ch)
            else:
                runs.append((path, ch))
        return runs

    def _width(self, line: str, size: int) -> float:
        return sum(_face(path, size).getlength(run) for path, run in self._runs(line))

    def _draw_line(self, line: str, x: float, baseline: int, size: int, bold: bool) -> None:
        for path, run in self._runs(line):
            face = _face(path, size)
            self.draw.text(
                (x, baseline),
                run,
                font=face,
                fill=_INK,
                anchor="ls",
                stroke_width=1 if bold else 0,
                stroke_fill=_INK,
            )
            x += face.getlength(run)


def _break(line: str, ch: str) -> tuple[str, str]:
    """Split a full line before ch: the finished line and what carries over (simple 禁則)."""
    if ch in _NO_LINE_START and len(line) > 1:
        return line[:-1], line[-1]
    space = line.rfind(" ")
    if ch != " " and space > len(line) * 0.4:
        return line[:space], line[space + 1 :]
    return line.rstrip(), ""
