"""The route on the ticket: "2番 → 5番 → 8番窓口" under the counter when a visit goes to
more than one counter, on the PDF ticket and on the receipt printer's raster."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from kiosk.context import KioskContext
from kiosk.tickets import TicketSlip, build_slip
from kiosk.tickets.raster import RasterPen
from kiosk.tickets.receipt import receipt_images
from kiosk.tickets.slip import visit_steps
from kiosk.visit import Visit
from tests.forms.helpers import ANSWERS, ANSWERS_FOR, pdftotext, squash
from tests.kiosk_fixture import make_checkout
from tests.tickets.conftest import REFERENCE, TICKET
from tests.tickets.test_pdf_ticket import _render_png, print_to_folder

ROUTE = {"ja": "2番 → 5番 → 8番窓口", "en": "Counters 2 → 5 → 8", "ko": "2번 → 5번 → 8번 창구"}
WIDTH = 576
MakeSlip = Callable[..., TicketSlip]


def _visit(language: str, answers: dict[str, str] = ANSWERS) -> Visit:
    return Visit(language, "7K2Q9", None, answers=dict(answers), procedures=[])


def route_slip(context: KioskContext, language: str, answers: dict[str, str] = ANSWERS):
    visit = _visit(language, answers)
    visit.procedures = [p.id for p in context.catalog.procedures_for(answers)]
    texts = context.texts_for(language)
    steps = visit_steps(visit, context.catalog, context.settings, texts)
    return build_slip(
        TICKET,
        reference=REFERENCE,
        texts=texts,
        settings=context.settings,
        minutes=30,
        steps=steps,
    )


@pytest.mark.parametrize("language", ["ja", "en", "ko"])
def test_a_visit_to_three_counters_has_its_route(context: KioskContext, language: str) -> None:
    assert route_slip(context, language).route == ROUTE[language]


def test_a_visit_to_one_counter_has_no_route(context: KioskContext, make_slip: MakeSlip) -> None:
    assert route_slip(context, "ja", ANSWERS_FOR["juminhyo"]).route == ""
    assert make_slip("ja").route == ""  # no steps given: as before


@pytest.mark.parametrize("language", ["ja", "en", "ko"])
def test_the_pdf_ticket_prints_the_route_and_its_qr_code_still_reads(
    context: KioskContext, tmp_path: Path, artifacts: Path, language: str
) -> None:
    pdf = print_to_folder(route_slip(context, language), tmp_path)
    text = squash(pdftotext(pdf))
    assert squash(ROUTE[language]) in text
    assert "〓" not in text and "A-012" in text and REFERENCE in text
    counter = text.index(squash(context.texts_for(language).text("ticket.slip.counter")))
    assert counter < text.index(squash(ROUTE[language]))
    png = _render_png(pdf, artifacts / f"pdf-route-{language}")
    with Image.open(png) as page:
        assert [c.text for c in zxingcpp.read_barcodes(page.convert("L"))] == [f"WK:{REFERENCE}"]


@pytest.mark.parametrize("language", ["ja", "en", "ko"])
def test_the_receipt_prints_the_route_under_the_counter(
    context: KioskContext, make_slip: MakeSlip, artifacts: Path, language: str
) -> None:
    slip = route_slip(context, language)
    body = receipt_images(slip, WIDTH).body
    body.save(artifacts / f"escpos-route-{language}-body-raster.png")
    plain = receipt_images(make_slip(language), WIDTH).body
    assert body.height >= plain.height + 30
    line = RasterPen(RasterPen(WIDTH).cell_width(1), language=language)
    line.text(slip.route, 32, min_size=22, max_lines=2, bold=True)
    drawn = line.image(bottom_margin=0)
    found = [
        y
        for y in range(body.height - drawn.height)
        if body.crop((10, y, 10 + drawn.width, y + drawn.height)).tobytes() == drawn.tobytes()
    ]
    assert found, "the route line is not in the raster"


def test_the_checkout_prints_the_route_on_the_ticket(kiosk_context: KioskContext) -> None:
    checkout = make_checkout(kiosk_context)
    visit = _visit("ja")
    visit.reference = ""
    visit.procedures = [p.id for p in kiosk_context.catalog.procedures_for(ANSWERS)]
    try:
        outcome = checkout.complete(visit)
    finally:
        checkout.close()
    assert outcome.ticket_error == ""
    [ticket] = sorted(kiosk_context.settings.output_dir().glob("*ticket*.pdf"))
    assert squash(ROUTE["ja"]) in squash(pdftotext(ticket.read_bytes()))
    [forms] = sorted(kiosk_context.settings.output_dir().glob("*forms*.pdf"))
    assert squash("手続き 4つ: 2番 → 5番 → 8番窓口") in squash(pdftotext(forms.read_bytes()))
