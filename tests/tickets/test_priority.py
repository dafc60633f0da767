"""Priority tickets chosen on the interview's last question: issued, printed and marked."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from kiosk.checkout import Checkout
from kiosk.context import KioskContext
from kiosk.printing import FolderPrinter
from kiosk.tickets import PdfTicketPrinter, TicketSlip
from kiosk.tickets.escpos_printer import EscposTicketPrinter, network_target
from kiosk.tickets.raster import RasterPen
from kiosk.tickets.receipt import receipt_images
from kiosk.visit import Visit
from tests.forms.helpers import pdftotext, squash
from tests.keys import open_store
from tests.tickets.conftest import REFERENCE, TICKET
from tests.tickets.escpos_server import LoopbackPrinter
from tests.tickets.escpos_stream import parse, preview, raster_image
from tests.tickets.test_pdf_ticket import _render_png, print_to_folder

MakeSlip = Callable[..., TicketSlip]
PRIORITY = dataclasses.replace(TICKET, priority=True)
MARKS = {"ja": "優先", "en": "優先 · Priority", "ko": "優先 · 우선"}
WIDTH = 576  # dots on 80 mm paper


# -- the slip ----------------------------------------------------------------------


@pytest.mark.parametrize("language", ["ja", "en", "ko"])
def test_a_priority_slip_carries_the_mark(make_slip: MakeSlip, language: str) -> None:
    slip = make_slip(language, PRIORITY)
    assert slip.priority
    assert slip.texts.priority == MARKS[language]
    normal = make_slip(language)
    assert (normal.priority, normal.texts.priority) == (False, "")


@pytest.mark.parametrize("language", ["ja", "en", "ko"])
def test_the_pdf_ticket_shows_the_mark_and_keeps_its_qr_code(
    make_slip: MakeSlip, tmp_path: Path, artifacts: Path, language: str
) -> None:
    pdf = print_to_folder(make_slip(language, PRIORITY), tmp_path)
    text = squash(pdftotext(pdf))
    assert squash(MARKS[language]) in text
    assert "A-012" in text and "〓" not in text
    png = _render_png(pdf, artifacts / f"pdf-priority-{language}")
    with Image.open(png) as page:
        assert [c.text for c in zxingcpp.read_barcodes(page.convert("L"))] == [f"WK:{REFERENCE}"]
    assert "優先" not in squash(pdftotext(print_to_folder(make_slip(language), tmp_path)))


@pytest.mark.parametrize("language", ["ja", "en", "ko"])
def test_the_receipt_prints_the_mark_white_on_black_under_the_code(
    make_slip: MakeSlip, artifacts: Path, language: str
) -> None:
    slip = make_slip(language, PRIORITY)
    body = receipt_images(slip, WIDTH).body
    body.save(artifacts / f"escpos-priority-{language}-body-raster.png")
    band = RasterPen(WIDTH, language=language)
    band.banner(slip.texts.priority, 40, min_size=24)
    mark = band.image(bottom_margin=0)
    # The body starts with the band: the same pixels as the mark drawn alone.
    assert body.crop((0, 0, WIDTH, mark.height)).tobytes() == mark.tobytes()
    black_rows = [y for y in range(mark.height) if _ink_share(mark, y) > 0.9]
    assert len(black_rows) >= 8, "the band is not black: the mark would not stand out"
    normal = receipt_images(make_slip(language), WIDTH).body
    assert body.height > normal.height
    assert not any(_ink_share(normal, y) > 0.9 for y in range(20))


def test_the_receipt_printer_gets_the_marked_ticket(
    printer_on_loopback: LoopbackPrinter, make_slip: MakeSlip, artifacts: Path
) -> None:
    slip = make_slip("ja", PRIORITY)
    printer = EscposTicketPrinter(network_target("127.0.0.1", printer_on_loopback.port))
    printer.print_ticket(slip)
    sent = bytes(printer_on_loopback.wait_for_connection().received)
    body = [raster_image(c) for c in parse(sent) if c.name == "raster"][1]
    assert body.tobytes() == receipt_images(slip, WIDTH).body.convert("L").tobytes()
    preview(sent).save(artifacts / "escpos-priority-ja.png")


def _ink_share(image: Image.Image, y: int) -> float:
    row = image.convert("L").crop((0, y, image.width, y + 1)).tobytes()
    return row.count(0) / len(row)


# -- the checkout issues it ----------------------------------------------------------


@pytest.fixture
def checkout(kiosk_context: KioskContext, any_db_url: str, tmp_path: Path) -> Iterator[Checkout]:
    folder = FolderPrinter(tmp_path / "printed")
    checkout = Checkout(
        kiosk_context,
        lambda: open_store(any_db_url, tmp_path / "keys" / "data.key"),
        folder,
        PdfTicketPrinter(folder),
    )
    yield checkout
    checkout.close()


def juminhyo_visit(priority: str | None) -> Visit:
    answers = {"purpose": "certificate", "certificate_kind": "juminhyo"}
    if priority is not None:
        answers["priority"] = priority
    return Visit(language="ja", answers=answers, procedures=["juminhyo"])


@pytest.mark.parametrize(
    ("choice", "priority"),
    [("pregnancy", True), ("disability", True), ("elderly", True), ("none", False), (None, False)],
)
def test_the_checkout_issues_a_priority_ticket_for_every_choice_but_none(
    checkout: Checkout, choice: str | None, priority: bool
) -> None:
    outcome = checkout.complete(juminhyo_visit(choice))
    assert outcome.ticket.priority is priority
    assert checkout.store.find_ticket(outcome.ticket.code).priority is priority
    assert checkout.store.load_visit(outcome.reference).answers.get("priority") == choice
    ticket_pdf = next(Path(j.destination) for j in outcome.jobs if "-ticket-" in j.destination)
    assert ("優先" in squash(pdftotext(ticket_pdf.read_bytes()))) is priority


def test_a_priority_ticket_goes_ahead_of_the_normal_ones_already_waiting(
    checkout: Checkout,
) -> None:
    first = checkout.complete(juminhyo_visit("none")).ticket
    second = checkout.complete(juminhyo_visit("elderly")).ticket
    assert (first.waiting_ahead, second.waiting_ahead) == (0, 0)
    waiting = checkout.store.waiting_tickets({first.category})
    assert [t.code for t in waiting if t.priority] == [second.code]
