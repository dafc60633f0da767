"""Font stacks: every character of every translation is in its language's fonts (on paper
and on receipts), and Devanagari is shaped."""

from __future__ import annotations

import io
import subprocess
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFont, features
from reportlab.pdfgen.canvas import Canvas

from kiosk.forms import font_stacks, fonts
from kiosk.i18n import available_languages
from kiosk.resources import read_toml, resource_files
from kiosk.tickets.raster import RasterPen, stack_files

LANGUAGES = available_languages()
# A conjunct (क्ष) and the vowel sign ि, which is drawn before its consonant.
NEPALI = "शिक्षा"


def _strings(value: Any) -> Iterator[str]:
    """Every text in a translation file: tables, plural forms, lists."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _characters(language: str) -> dict[str, str]:
    """Each character of the language's texts, with a text it is in."""
    found: dict[str, str] = {}
    for path in resource_files("i18n", language):
        for text in _strings(read_toml(path)):
            for ch in font_stacks.compose(text):
                if not ch.isspace() and unicodedata.category(ch) != "Cf":
                    found.setdefault(ch, f"{path.name}: {text[:60]}")
    return found


def test_every_stack_names_fonts_that_are_there() -> None:
    stacks = font_stacks.font_stacks()
    assert stacks.default[0] == "ipaexg.ttf"
    for name in stacks.files:
        assert font_stacks.characters(name), name
    assert stacks.stack("ja")[0] == "ipaexg.ttf"
    assert stacks.stack("zh-Hans")[:2] == ("DroidSansFallbackFull.ttf", "ipaexg.ttf")
    assert stacks.stack("ne")[0] == "NotoSansDevanagari-Regular.ttf"
    assert stacks.stack("xx") == stacks.default


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_character_of_every_text_has_a_font(language: str) -> None:
    characters = _characters(language)
    pdf_stack = font_stacks.stack(language)
    raster = [f.chars for f in stack_files(language)]
    no_pdf = {
        ch: where for ch, where in characters.items() if not font_stacks.font_of(ch, pdf_stack)
    }
    no_raster = {
        ch: where for ch, where in characters.items() if not any(ord(ch) in c for c in raster)
    }
    assert not no_pdf, f"{language}: no font of {pdf_stack} has {no_pdf}"
    assert not no_raster, f"{language}: no receipt font has {no_raster}"


def _pdf(draw: Any) -> bytes:
    buffer = io.BytesIO()
    with fonts.rendering():
        canvas = Canvas(buffer, pagesize=(200, 60), initialFontName=fonts.FONT_NAME)
        draw(canvas)
        canvas.showPage()
        canvas.save()
    return buffer.getvalue()


def _png(pdf: bytes, tmp_path: Path, name: str) -> Image.Image:
    source = tmp_path / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-singlefile", str(source), str(tmp_path / name)],
        check=True,
    )
    return Image.open(tmp_path / f"{name}.png").convert("L")


def test_devanagari_is_shaped_on_the_forms(tmp_path: Path) -> None:
    name = fonts.font_for("श", "ne")
    assert name == "NotoSansDevanagari-Regular"

    def unshaped(canvas: Canvas) -> None:  # the glyph of each character, one after another
        canvas.setFont(name, 24)
        canvas.drawString(10, 20, NEPALI)

    shaped_pdf = _pdf(lambda canvas: fonts.draw_line(canvas, NEPALI, 10, 20, 24, language="ne"))
    shaped, plain = _png(shaped_pdf, tmp_path, "shaped"), _png(_pdf(unshaped), tmp_path, "plain")
    assert ImageChops.difference(shaped, plain).getbbox() is not None
    # The conjunct takes one glyph: the shaped word is narrower than its letters side by side.
    assert fonts.width(NEPALI, 24, "ne") < fonts.pdfmetrics.stringWidth(NEPALI, name, 24) - 2
    # Copied text reads as written, not in the glyphs' order.
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=shaped_pdf, capture_output=True, check=True
    )
    assert NEPALI in text.stdout.decode()


def test_devanagari_lines_break_between_clusters() -> None:
    lines = fonts.wrap("शिक्षा " * 12, 10, 60, "ne")
    assert len(lines) > 1
    for line in lines:
        assert not line.startswith(("\u093f", "\u094d", "\u0937"))
        assert fonts.width(line, 10, "ne") <= 60.01


def test_devanagari_is_shaped_on_receipts() -> None:
    if not features.check("raqm"):
        pytest.skip("Pillow has no RAQM layout here: receipts draw Devanagari unshaped")
    path = font_stacks.font_path("NotoSansDevanagari-Regular.ttf")
    basic = ImageFont.truetype(str(path), 48, layout_engine=ImageFont.Layout.BASIC)
    pen = RasterPen(400, language="ne")
    pen.text(NEPALI, 48)
    assert pen.missing == 0
    shaped = pen.image().convert("L")
    unshaped = Image.new("L", shaped.size, 255)
    ImageDraw.Draw(unshaped).text((200, round(48 * 0.95)), NEPALI, font=basic, fill=0, anchor="ms")
    unshaped = unshaped.point(lambda v: 255 if v >= 128 else 0)
    assert ImageChops.difference(shaped, unshaped).getbbox() is not None
    assert pen._width(NEPALI, 48) < basic.getlength(NEPALI) - 5  # the conjunct is one glyph
