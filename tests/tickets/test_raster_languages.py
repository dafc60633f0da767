"""The receipt printer's ticket in every language: every character in a font, ink on paper,
and a PNG per language in artifacts/tickets/<code>.png for people to look at."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from kiosk.config import load_settings
from kiosk.i18n import Translations, available_languages
from kiosk.tickets import build_slip
from kiosk.tickets.receipt import ReceiptImages, receipt_images
from tests.tickets.conftest import REFERENCE, TICKET

WIDTH = 576  # dots: an 80 mm printer at 203 dpi


def _stacked(images: ReceiptImages) -> Image.Image:
    parts = [images.header, images.body, images.footer]
    sheet = Image.new("1", (WIDTH, sum(p.height for p in parts)), 1)
    y = 0
    for part in parts:
        sheet.paste(part, (0, y))
        y += part.height
    return sheet


@pytest.mark.parametrize("language", available_languages())
def test_the_receipt_prints_in_every_language(language: str, artifacts: Path) -> None:
    settings = load_settings(environ={})
    slip = build_slip(
        TICKET,
        reference=REFERENCE,
        texts=Translations.load(language),
        settings=settings,
        minutes=15,
        steps=(),
    )
    images = receipt_images(slip, WIDTH)
    assert images.missing == 0, f"{language}: characters no font has"
    for part in (images.header, images.body, images.footer):
        assert part.width == WIDTH
        assert part.convert("L").getextrema()[0] == 0, "a part without ink"
    sheet = _stacked(images)
    sheet.save(artifacts / f"{language}.png")
    black = sheet.convert("L").histogram()[0]
    assert black > 2_000, f"{language}: almost no ink ({black} dots)"
