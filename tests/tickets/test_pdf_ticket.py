"""PDF tickets through a folder printer: what the visitor can read, and the QR code."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from kiosk.printing import FolderPrinter
from kiosk.tickets import PdfTicketPrinter, TicketSlip
from kiosk.visit import Ticket
from tests.forms.helpers import pdftotext, squash
from tests.tickets.conftest import REFERENCE, TICKET

MakeSlip = Callable[..., TicketSlip]

EXPECTED = {
    "ja": ["2番窓口（住民登録）", "3人", "約30分", "令和8年（2026年）11月22日14:05",
           "番号が呼ばれるまで、近くでお待ちください。", "大阪市デモ区役所", "住民登録・証明"],
    "en": ["Counter 2 (Resident registration)", "3 people", "about 30 min",
           "Issued November 22, 2026 14:05", "Please wait nearby until your number is called.",
           "Demo Ward Office, Osaka City"],
    "ko": ["2번 창구 (주민등록)", "3명", "약 30분", "2026년 11월 22일 14:05",
           "번호가 불릴 때까지 가까운 곳에서 기다려 주세요.", "주민등록·증명"],
}  # fmt: skip


def print_to_folder(slip: TicketSlip, folder: Path) -> bytes:
    job = PdfTicketPrinter(FolderPrinter(folder)).print_ticket(slip)
    path = Path(job.destination)
    assert path.parent == folder
    assert path.name.endswith("-ticket-A-012.pdf")
    return path.read_bytes()


@pytest.mark.parametrize("language", ["ja", "en", "ko"])
def test_the_ticket_reads_in_the_visitors_language(
    make_slip: MakeSlip, tmp_path: Path, language: str
) -> None:
    text = squash(pdftotext(print_to_folder(make_slip(language), tmp_path)))
    assert "〓" not in text, "a character is missing from the fonts"
    assert "A-012" in text
    assert REFERENCE in text
    for expected in EXPECTED[language]:
        assert squash(expected) in text, expected


def test_nobody_ahead_is_no_wait(make_slip: MakeSlip, tmp_path: Path) -> None:
    from dataclasses import replace

    first = replace(TICKET, waiting_ahead=0)
    for language, words in (("ja", "待ち時間なし"), ("en", "no wait"), ("ko", "대기 없음")):
        text = squash(pdftotext(print_to_folder(make_slip(language, first), tmp_path)))
        assert squash(words) in text


def _render_png(pdf: bytes, stem: Path, dpi: int = 200) -> Path:
    source = stem.with_suffix(".pdf")
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", "-singlefile", str(source), str(stem)], check=True
    )
    source.unlink()
    return stem.with_suffix(".png")


@pytest.mark.parametrize("language", ["ja", "en", "ko"])
def test_the_qr_code_holds_the_reference_only(
    make_slip: MakeSlip, tmp_path: Path, artifacts: Path, language: str
) -> None:
    pdf = print_to_folder(make_slip(language), tmp_path)
    png = _render_png(pdf, artifacts / f"pdf-{language}")
    with Image.open(png) as page:
        codes = zxingcpp.read_barcodes(page.convert("L"))
        assert page.width == pytest.approx(80 / 25.4 * 200, abs=2)
    assert [c.text for c in codes] == [f"WK:{REFERENCE}"]


def test_the_old_render_call_still_works() -> None:
    from kiosk.forms.ticket import render_ticket

    pdf = render_ticket(
        Ticket("B-007", "insurance", 7, "insurance", 2, TICKET.issued_at),
        ward_name="大阪市北区役所",
        counter_label="5番窓口",
        category_label="保険・年金",
        language_line="Please wait.",
    )
    text = squash(pdftotext(pdf))
    for expected in ("B-007", "5番窓口", "2人", "Pleasewait.", "令和8年（2026年）11月22日14:05"):
        assert expected in text
    assert "待ち時間の目安" not in text  # no estimate without the catalog
