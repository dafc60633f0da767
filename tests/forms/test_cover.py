"""The visit's print job: a cover page in the visitor's language, then the forms, one PDF."""

from __future__ import annotations

import io
import logging
import re
import subprocess
from datetime import date, datetime

import pytest
from PIL import Image
from reportlab.graphics.barcode.qr import QrCodeWidget

from kiosk.catalog import Catalog
from kiosk.config import Settings
from kiosk.forms import cover
from kiosk.forms.documents import render_visit_document
from kiosk.i18n import Translations
from kiosk.person import Person
from kiosk.visit import Ticket, Visit
from tests.forms.helpers import ANSWERS, TODAY, pdftotext, squash
from tests.kiosk_fixture import make_checkout

TICKET = Ticket("A-012", "resident", 12, "resident", 3, datetime(2026, 11, 22, 10, 0))
COVER_TEXTS = {
    "ja": ["本日の手続きのご案内", "転入届", "持ち物", "2番窓口（住民登録）"],
    "en": ["Your visit today", "Moving-in notification", "What to bring", "Counter 2"],
    "ko": ["오늘의 방문 안내", "전입 신고", "준비물", "2번 창구"],
}


def _visit(person: Person | None, language: str, answers: dict[str, str] = ANSWERS) -> Visit:
    procedures = [p.id for p in Catalog.load().procedures_for(answers)]
    return Visit(language, "7K2Q9", person, answers=dict(answers), procedures=procedures)


def _document(visit: Visit):
    return render_visit_document(
        visit, TICKET, Settings(), Catalog.load(), Translations.load(visit.language), TODAY
    )


def _pages(pdf: bytes) -> list[str]:
    return pdftotext(pdf).split("\f")[:-1]


@pytest.mark.parametrize("language", ["ja", "en", "ko"])
def test_the_cover_is_in_the_visitors_language(language: str, demo: Person):
    document = _document(_visit(demo, language))
    assert document.forms == ("resident_move", "nhi_enrollment", "child_allowance")
    pages = _pages(document.pdf)
    assert len(pages) == 4  # the cover, then one page per form
    first = squash(pages[0])
    for text in COVER_TEXTS[language]:
        assert squash(text) in first, text
    assert "A-012" in first and "7K2Q9" in first
    assert squash(demo.name) not in first and squash(demo.address) not in first
    assert "住民異動届" in pages[1] and "資格取得届" in pages[2] and "認定請求書" in pages[3]


def test_the_forms_carry_translations_in_the_visitors_language(demo: Person):
    pages = _pages(_document(_visit(demo, "ko")).pdf)
    assert "이전 주소" in pages[1]  # beneath 前住所


def test_the_qr_code_holds_the_reference_only(demo: Person, tmp_path):
    assert cover.qr_payload("7K2Q9") == "WK:7K2Q9"
    pdf = _document(_visit(demo, "en")).pdf
    printed = _read_qr(pdf, tmp_path)
    expected = QrCodeWidget("WK:7K2Q9", barLevel="M")
    expected.draw()
    size = expected.qr.getModuleCount()
    assert printed == [[expected.qr.isDark(r, c) for c in range(size)] for r in range(size)]


def _read_qr(pdf: bytes, tmp_path) -> list[list[bool]]:
    """The QR modules as printed: the cover rendered at 300 dpi, sampled module by module."""
    source = tmp_path / "visit.pdf"
    source.write_bytes(pdf)
    png = subprocess.run(
        ["pdftoppm", "-r", "300", "-f", "1", "-l", "1", "-gray", "-png", str(source)],
        capture_output=True,
        check=True,
    ).stdout
    image = Image.open(io.BytesIO(png)).convert("L")
    widget = QrCodeWidget("WK:7K2Q9", barLevel="M")
    widget.draw()
    size = widget.qr.getModuleCount()
    total = size + 2 * widget.barBorder
    module = cover.QR_SIZE / total / 25.4 * 300  # pixels
    left = cover.QR_X / 25.4 * 300 + widget.barBorder * module
    top = cover.QR_Y / 25.4 * 300 + widget.barBorder * module
    return [
        [
            image.getpixel((left + (c + 0.5) * module, top + (r + 0.5) * module)) < 128
            for c in range(size)
        ]
        for r in range(size)
    ]


def test_a_visit_without_a_card_prints_no_personal_field(demo: Person):
    text = squash(pdftotext(_document(_visit(None, "en")).pdf))
    assert "読取なし" in text and squash(demo.name) not in text


def test_the_checkout_prints_one_job_per_visit(kiosk_context, demo: Person, caplog):
    checkout = make_checkout(kiosk_context)
    visit = _visit(Person("𠮷田 花子", demo.address, demo.birth_date, "female"), "en")
    visit.reference = ""
    try:
        with caplog.at_level(logging.INFO):
            outcome = checkout.complete(visit)
    finally:
        checkout.close()
    assert outcome.print_error == ""
    [forms] = [job for job in outcome.jobs if "forms" in job.destination]
    assert outcome.reference in forms.destination
    printed = sorted(kiosk_context.settings.output_dir().glob("*forms*.pdf"))
    assert len(printed) == 1
    pages = _pages(printed[0].read_bytes())
    # The cover (one page, or two with the day's calendar warnings), then three forms.
    assert len(pages) in (4, 5) and "Your visit today" in pages[0]
    assert "resident_move.name" in caplog.text  # the flagged field, by id
    for value in ("𠮷", "花子", demo.address):
        assert value not in caplog.text  # never personal data in the log


def test_a_visit_without_forms_prints_no_cover(kiosk_context, demo: Person):
    checkout = make_checkout(kiosk_context)
    try:
        visit = _visit(demo, "ja", {"purpose": "other"})
        visit.reference = ""
        outcome = checkout.complete(visit)
    finally:
        checkout.close()
    assert outcome.print_error == ""
    assert not list(kiosk_context.settings.output_dir().glob("*forms*.pdf"))
    assert len(outcome.jobs) == 1  # the ticket


def test_the_forms_job_title_holds_no_personal_data(demo: Person):
    document = _document(_visit(demo, "ja"))
    title = re.search(rb"/Title \((.*?)\)", document.pdf)
    assert title is not None
    assert demo.name.encode() not in title[1]


def test_dates_on_the_cover_are_written_the_languages_way(demo: Person):
    text = {lang: pdftotext(_document(_visit(demo, lang)).pdf) for lang in ("ja", "en")}
    assert "令和8年（2026年）11月22日" in text["ja"]
    assert "November 22, 2026" in text["en"]  # CLDR's long date for English
    assert date(2026, 11, 22) == TODAY
