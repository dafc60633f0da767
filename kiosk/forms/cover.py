"""The cover page, in the visitor's language: the route, what to bring, where to go.

It comes first in the visit's print job. Every text on it is at least ``BODY`` pt;
when a visit's procedures do not fit one A4 page, the cover flows onto a second
page rather than shrinking. Its QR code holds only the visit's reference
(``WK:<reference>``), which counter staff scan to open the visit's data; nothing
personal is in the code or on the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from kiosk.forms.cover_blocks import (
    BODY,
    LEFT,
    RIGHT,
    WIDTH,
    Block,
    checklist_blocks,
    forms_block,
    notes_block,
    route_block,
    step_blocks,
    warnings_block,
    write,
)
from kiosk.forms.font_stacks import JAPANESE
from kiosk.forms.layout import PAGE_H
from kiosk.forms.render import Drawn, Sheet
from kiosk.guidance import Step, route
from kiosk.i18n import Translations
from kiosk.visit import qr_payload

QR_SIZE = 36.0  # mm, quiet zone included
QR_X, QR_Y = RIGHT - QR_SIZE, 32.0
FIRST_TOP = 79.0  # the first page's blocks start below the ticket box and the QR code
NEXT_TOP = 34.0  # a later page's blocks start below its short header
BOTTOM = 279.0  # blocks end above this on a cover of several pages (page numbers beneath)
BOTTOM_ALONE = 284.0  # and on a cover of one page
GAP = 2.0  # mm between blocks (blocks add their own space)
LARGER = (1.3, 1.15, 1.0)  # sizes tried for the procedures and the checklist


@dataclass(frozen=True)
class Cover:
    """What the cover page says; every text already in the visitor's language."""

    ward_name: str
    today: date
    reference: str
    ticket_code: str
    ticket_counter: str  # e.g. "2番窓口（住民登録）"
    steps: Sequence[Step]
    forms: Sequence[tuple[str, str]]  # Japanese title, its translation ("" in Japanese)
    route: str = ""  # "手続き 4つ: 2番 → 5番 → 8番窓口"
    warnings: Sequence[str] = ()  # calendar warnings (kiosk.calendar_rules), already written


def draw_cover(canvas: Canvas, cover: Cover, texts: Translations) -> Drawn:
    """Draw the cover from the current page on, over as many pages as it needs (the
    last one is left open), in the fonts of the visitor's language; returns the texts
    squeezed below their size and the characters no font has."""
    for k in LARGER:  # a short visit's cover in larger type, if it still fits one page
        blocks = _blocks(cover, texts, k)
        heights = [height(block, texts.language) for block in blocks]
        pages = paginate(heights, BOTTOM_ALONE)
        if len(pages) == 1:
            break
    else:
        pages = paginate(heights, BOTTOM)
    bottom = BOTTOM_ALONE if len(pages) == 1 else BOTTOM
    found = Drawn()
    for number, indexes in enumerate(pages, 1):
        if number > 1:
            canvas.showPage()
        sheet = Sheet(canvas, texts.language)
        y = _first_page(sheet, cover, texts) if number == 1 else _next_page(sheet, cover, texts)
        for i in indexes:
            if i == len(blocks) - 1:  # the closing notes sit at the foot of the last page
                y = max(y, bottom - heights[i])
            y = blocks[i](sheet, y) + GAP
        if len(pages) > 1:
            page = texts.text("forms.cover.page", page=number, pages=len(pages))
            write(sheet, page, LEFT, BOTTOM + 4, WIDTH, size=BODY, align="right")
        found.cramped.extend(sheet.cramped)
        found.missing.extend(ch for ch in sheet.missing if ch not in found.missing)
    return found


def paginate(heights: Sequence[float], bottom: float) -> list[list[int]]:
    """Which blocks (by index) go on which page: in order, a block that would cross
    ``bottom`` starts the next page."""
    pages: list[list[int]] = [[]]
    y = FIRST_TOP
    for i, h in enumerate(heights):
        if y + h > bottom and pages[-1]:
            pages.append([])
            y = NEXT_TOP
        pages[-1].append(i)
        y += h + GAP
    if len(pages) > 1 and len(pages[-1]) == 1 and len(pages[-2]) > 1:
        pages[-1].insert(0, pages[-2].pop())  # never a page of the closing notes alone
    return pages


def height(block: Block, language: str = JAPANESE) -> float:
    """How tall a block is in a language's fonts, measured without drawing it."""
    return block(Sheet(_NullCanvas(), language), 0.0)


def in_route_order(steps: Sequence[Step]) -> list[Step]:
    """The steps grouped by counter, the counters in the route's order."""
    stops = route(steps)
    return sorted(steps, key=lambda step: stops.index(step.counter_number))


def checklist(steps: Sequence[Step]) -> list[str]:
    """What to bring for all the steps, each thing once, in the order of the route."""
    return list(dict.fromkeys(item for step in in_route_order(steps) for item in step.bring))


def _first_page(sheet: Sheet, cover: Cover, texts: Translations) -> float:
    """Ward, date, title, the ticket box and the QR code; returns where blocks start."""
    write(sheet, cover.ward_name, LEFT, 12, 110, size=14, lines=1)
    write(sheet, texts.info.date(cover.today), 125, 12.5, RIGHT - 125, size=BODY, align="right")
    write(sheet, texts.text("forms.cover.title"), LEFT, 20, 125, size=24, lines=1, bold=True)
    language = texts.text("forms.cover.language", language=texts.name)
    write(sheet, language, 140, 23.5, RIGHT - 140, size=BODY, lines=1, align="right")
    _ticket(sheet, cover, texts)
    if cover.reference:
        _qr(sheet, cover, texts)
    return FIRST_TOP


def _next_page(sheet: Sheet, cover: Cover, texts: Translations) -> float:
    """A later page's header: ward, the title (continued) and the ticket number."""
    write(sheet, cover.ward_name, LEFT, 12, 110, size=14, lines=1)
    number = f"{texts.text('forms.cover.ticket')} {cover.ticket_code}"
    write(sheet, number, 120, 11, RIGHT - 120, size=18, lines=1, align="right", bold=True)
    title = texts.text("forms.cover.continued", title=texts.text("forms.cover.title"))
    write(sheet, title, LEFT, 21, WIDTH, size=20, lines=1, bold=True)
    return NEXT_TOP


def _ticket(sheet: Sheet, cover: Cover, texts: Translations) -> None:
    """The ticket number, big, and the first counter to go to."""
    x, y, w, h = LEFT, QR_Y, QR_X - LEFT - 8, 41.0
    sheet.canvas.setLineWidth(1.0)
    sheet.canvas.roundRect(x * mm, (PAGE_H - y - h) * mm, w * mm, h * mm, 3 * mm)
    write(sheet, texts.text("forms.cover.ticket"), x + 4, y + 3, w - 8, size=BODY, lines=1)
    write(sheet, cover.ticket_code, x + 4, y + 8, w - 8, size=48, h=18, align="center", bold=True)
    first = texts.text("forms.cover.first_counter", counter=cover.ticket_counter)
    write(sheet, first, x + 4, y + 27.5, w - 8, size=14, lines=2, h=11, align="center")


def _qr(sheet: Sheet, cover: Cover, texts: Translations) -> None:
    widget = QrCodeWidget(qr_payload(cover.reference), barLevel="M")
    x1, y1, x2, y2 = widget.getBounds()
    side = QR_SIZE * mm
    drawing = Drawing(side, side, transform=[side / (x2 - x1), 0, 0, side / (y2 - y1), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, sheet.canvas, QR_X * mm, (PAGE_H - QR_Y - QR_SIZE) * mm)
    reference = texts.text("forms.cover.reference", reference=cover.reference)
    top = QR_Y + QR_SIZE + 1
    write(sheet, reference, QR_X - 8, top, QR_SIZE + 8, size=BODY, lines=1, align="center")


def _blocks(cover: Cover, texts: Translations, k: float) -> list[Block]:
    """The cover's blocks in order: route, warnings, procedures, checklist, forms, closing
    notes (procedures and checklist at ``k`` times their usual size)."""
    blocks = [route_block(cover.route)] if cover.route else []
    if cover.warnings:
        blocks.append(warnings_block(cover.warnings, texts.text("calendar.heading")))
    blocks += step_blocks(in_route_order(cover.steps), texts, k)
    blocks += checklist_blocks(checklist(cover.steps), texts, k)
    if cover.forms:
        blocks.append(forms_block(cover.forms, texts))
    blocks.append(notes_block(texts, qr=bool(cover.reference)))
    return blocks


class _NullCanvas:
    """Takes drawing calls and draws nothing: for measuring a layout before drawing it."""

    def __getattr__(self, name: str) -> object:
        return lambda *args, **kwargs: None
