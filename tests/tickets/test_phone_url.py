"""The ticket's QR code opens its phone page when ``[web] public_url`` is set."""

from __future__ import annotations

import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from kiosk.config import Settings, WebSettings
from kiosk.forms.ticket import render_slip
from kiosk.i18n import Translations
from kiosk.tickets import build_slip
from kiosk.tickets.receipt import compose_receipt
from tests.forms.helpers import pdftotext, squash
from tests.tickets.conftest import ARTIFACTS, REFERENCE, TICKET
from tests.tickets.escpos_stream import parse, preview, qr_content

TOKEN = "q3Vb7xYp0Zk_Lm2NcR8tWg"  # noqa: S105 (a made-up ticket token, 22 characters)
PUBLIC = "https://ward.example.jp/kiosk"
URL = f"{PUBLIC}/t/{TOKEN}"
PHONE = {
    "ja": "スマートフォンで順番を確認できます",
    "en": "Follow your turn on your phone",
    "ja-easy": "スマートフォンで、順番（じゅんばん）が見られます",
}


def slip(language: str, public_url: str = PUBLIC, *, route: bool = False):
    settings = Settings(web=WebSettings(public_url=public_url))
    made = build_slip(
        replace(TICKET, token=TOKEN),
        reference=REFERENCE,
        texts=Translations.load(language),
        settings=settings,
        minutes=15,
    )
    return replace(made, route="2番 → 5番 → 8番窓口") if route else made


def pdf_png(pdf: bytes, stem: Path, dpi: int = 300) -> Path:
    source = stem.with_suffix(".pdf")
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", "-singlefile", str(source), str(stem)], check=True
    )
    return stem.with_suffix(".png")


@pytest.mark.parametrize("language", ["ja", "en", "ja-easy"])
@pytest.mark.parametrize("route", [False, True])
def test_the_pdf_ticket_opens_the_phone_page(language: str, route: bool, tmp_path: Path):
    made = slip(language, route=route)
    assert made.qr_data == URL
    pdf = render_slip(made)
    text = squash(pdftotext(pdf))
    assert squash(f"ward.example.jp/kiosk/t/{TOKEN}") in text  # the short URL
    assert squash(PHONE[language]) in text
    assert REFERENCE in text  # still typed at the counter when a code will not scan
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    png = pdf_png(pdf, tmp_path / "ticket")
    with Image.open(png) as page:
        codes = [c.text for c in zxingcpp.read_barcodes(page.convert("L"))]
        if not route:
            page.save(ARTIFACTS / f"phone-pdf-{language}.png")
    assert codes == [URL]


def test_without_a_public_url_the_qr_code_holds_the_reference():
    made = slip("ja", public_url="")
    assert made.phone_url == "" and made.texts.phone == ""
    assert made.qr_data == f"WK:{REFERENCE}"
    assert squash(PHONE["ja"]) not in squash(pdftotext(render_slip(made)))


@pytest.mark.parametrize("language", ["ja", "en", "ja-easy"])
def test_the_receipt_prints_a_qr_code_of_the_url_and_the_url(language: str):
    sent = compose_receipt(slip(language), 576)
    commands = parse(sent)
    assert qr_content(commands) == URL
    image = preview(sent)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    image.save(ARTIFACTS / f"phone-escpos-{language}.png")
    assert [c.text for c in zxingcpp.read_barcodes(image.convert("L"))] == [URL]
