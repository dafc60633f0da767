"""The ticket as ESC/POS bytes for an 80 mm receipt printer (python-escpos).

Layout, top to bottom: the ward and the ticket's title (image), the ticket code
as the printer's own text, four times the normal size, on a priority ticket the
mark 優先 in white on a black band, the category, counter (and beneath
it the route through the visit's counters, when there is more than one),
people ahead, estimated wait and issue time (image), the visitor's line (image),
the QR code drawn by the printer (``GS ( k``) holding only the visit reference, or
the ticket's phone page when ``[web] public_url`` is set (then "follow your turn on
your phone" above it, and its URL beneath in small type), a closing line (image),
and the cut. Images are sent as ``GS v 0`` raster
graphics, so Japanese and Korean print on any ESC/POS printer.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any

from PIL import Image

from kiosk.tickets.raster import RasterPen
from kiosk.tickets.slip import TicketSlip, short_url

log = logging.getLogger(__name__)

CODE_MAGNIFY = 4  # the ticket code at 4 × 4 the normal character size
FONT_A_WIDTH = 12  # dots per character of the printer's font A
QR_MODULE_DOTS = 8  # 1 mm per QR module at 203 dpi
DPI = 203
# Pillow's FreeType faces are cached and shared; one ticket is drawn at a time.
_render_lock = threading.Lock()


@dataclass(frozen=True)
class ReceiptImages:
    """The raster parts of a ticket, each as wide as the paper's printable width."""

    header: Image.Image
    body: Image.Image
    footer: Image.Image
    missing: int  # characters no font has, printed as 〓


def receipt_images(slip: TicketSlip, width: int) -> ReceiptImages:
    """Draw the ticket's texts for a printer ``width`` dots wide."""
    language = slip.language  # the fonts of the visitor's language
    header, body, footer = (RasterPen(width, language=language) for _ in range(3))
    header.text(slip.ward_name, 30, min_size=22, max_lines=2)
    header.text(slip.texts.title, 24, min_size=18)
    header.rule()
    header.text(slip.texts.number, 26)
    if not slip.code.isascii():  # the printer's own font has ASCII only
        header.text(slip.code, 120, min_size=48, bold=True)
    _body(body, slip)
    if slip.phone_url:  # under the QR code, small
        footer.text(short_url(slip.phone_url), 20, min_size=16, max_lines=2)
    footer.space(4)
    footer.text(slip.texts.footer, 24, min_size=20, max_lines=2)
    missing = header.missing + body.missing + footer.missing
    return ReceiptImages(header.image(), body.image(), footer.image(), missing)


def _body(pen: RasterPen, slip: TicketSlip) -> None:
    if slip.priority:  # right under the code, where visitor and staff look first
        pen.banner(slip.texts.priority, 40, min_size=24)
        pen.space(10)
    pen.text(slip.category_label, 36, min_size=24, max_lines=2)
    pen.space(10)
    counter = _cell(pen.cell_width(1), slip.texts.counter, slip.counter_label, 36, pen.language)
    if slip.route:  # "2番 → 5番 → 8番窓口" under the first counter
        counter.space(6)
        counter.text(slip.route, 32, min_size=22, max_lines=2, bold=True)
    pen.boxes([counter])
    pen.space(10)
    cells = [(slip.texts.waiting, slip.texts.waiting_value)]
    if slip.texts.estimate_value:
        cells.append((slip.texts.estimate, slip.texts.estimate_value))
    width = pen.cell_width(len(cells))
    pen.boxes([_cell(width, label, value, 40, pen.language) for label, value in cells])
    pen.space(10)
    pen.text(slip.texts.issued, 24, min_size=18)
    pen.rule(dashed=True)
    pen.text(slip.language_line, 30, min_size=22, max_lines=4)
    pen.rule(dashed=True)
    if slip.phone_url and slip.texts.phone:  # what the QR code beneath it is for
        pen.text(slip.texts.phone, 28, min_size=20, max_lines=2, bold=True)


def _cell(width: int, label: str, value: str, size: int, language: str) -> RasterPen:
    cell = RasterPen(width, language=language)
    cell.text(label, 22, min_size=18, max_lines=2)
    cell.space(4)
    cell.text(value, size, min_size=22, max_lines=2, bold=True)
    return cell


def compose_receipt(slip: TicketSlip, width: int) -> bytes:
    """The whole ticket as one ESC/POS job, ending with a cut."""
    from escpos.constants import QR_ECLEVEL_M
    from escpos.printer import Dummy

    with _render_lock:
        images = receipt_images(slip, width)
    if images.missing:
        log.warning("ticket: %d character(s) in no font, printed as 〓", images.missing)
    job: Any = Dummy()
    _set_paper_width(job, width)
    job.hw("INIT")
    job.set(align="center")
    job.image(images.header)
    if slip.code.isascii():
        _code(job, slip.code, width)
    job.image(images.body)
    if slip.qr_data:
        job.ln()
        job.qr(slip.qr_data, native=True, size=QR_MODULE_DOTS, ec=QR_ECLEVEL_M)
        job.textln(slip.reference if slip.reference.isascii() else "")
    job.image(images.footer)
    job.cut()
    return bytes(job.output)


def _code(job: Any, code: str, width: int) -> None:
    """The ticket code in the printer's font, as large as fits (at most 4 × 4)."""
    magnify = max(1, min(CODE_MAGNIFY, width // (FONT_A_WIDTH * max(len(code), 1))))
    job.set(align="center", bold=True, custom_size=True, width=magnify, height=CODE_MAGNIFY)
    job.textln(code)
    job.set(bold=False, custom_size=True, width=1, height=1)


def _set_paper_width(job: Any, width: int) -> None:
    """Tell python-escpos the paper width, so it checks images against it (and does not
    print a warning about an unknown width on standard output)."""
    media = {"width": {"pixels": width, "mm": round(width / DPI * 25.4)}, "dpi": DPI}
    job.profile.profile_data = {**job.profile.profile_data, "media": media}
