"""The queue ticket: an 80 mm wide receipt-like PDF page."""

from __future__ import annotations

import io
import logging

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from kiosk.forms import fonts
from kiosk.visit import Ticket
from kiosk.wareki import to_wareki

log = logging.getLogger(__name__)

WIDTH, HEIGHT = 80.0, 120.0
MARGIN = 5.0
INNER = WIDTH - 2 * MARGIN


def render_ticket(
    ticket: Ticket,
    *,
    ward_name: str,
    counter_label: str,
    category_label: str,
    language_line: str,
) -> bytes:
    """Render the ticket as a one-page PDF (80 × 120 mm).

    Characters the font lacks are printed as 〓 and logged (by count only).
    """
    buffer = io.BytesIO()
    with fonts.rendering():
        canvas = Canvas(
            buffer,
            pagesize=(WIDTH * mm, HEIGHT * mm),
            invariant=1,
            pageCompression=1,
            initialFontName=fonts.FONT_NAME,
        )
        canvas.setTitle("受付番号票")
        canvas.setCreator("ward-kiosk")
        canvas.setAuthor("ward-kiosk")
        pen = _Pen(canvas)
        _top(pen, ticket, ward_name, category_label)
        _counter(pen, ticket, counter_label)
        _bottom(pen, ticket, language_line)
        canvas.showPage()
        canvas.save()
    if pen.missing:
        log.warning("ticket: %d character(s) not in the font, printed as 〓", pen.missing)
    return buffer.getvalue()


class _Pen:
    """Text in boxes, in millimetres from the ticket's top-left corner."""

    def __init__(self, canvas: Canvas) -> None:
        self.canvas = canvas
        self.missing = 0

    def text(
        self,
        s: str,
        y: float,
        h: float,
        *,
        size: float,
        x: float = MARGIN,
        w: float = INNER,
        min_size: float = 6,
        max_lines: int = 1,
        align: str = "center",
        bold: bool = False,
    ) -> None:
        drawn, missing = fonts.printable(s)
        self.missing += len(missing)
        fitted = fonts.fit(drawn, w * mm, h * mm, size=size, min_size=min_size, max_lines=max_lines)
        fonts.draw_fitted(
            self.canvas,
            fitted,
            x * mm,
            (HEIGHT - y - h) * mm,
            h * mm,
            align=align,
            box_width=w * mm,
            bold=bold,
        )

    def rule(self, y: float, *, dash: bool = False) -> None:
        c = self.canvas
        c.setLineWidth(0.6)
        if dash:
            c.setDash(2, 2)
        c.line(MARGIN * mm, (HEIGHT - y) * mm, (WIDTH - MARGIN) * mm, (HEIGHT - y) * mm)
        c.setDash()

    def box(self, x: float, y: float, w: float, h: float) -> None:
        self.canvas.setLineWidth(0.6)
        self.canvas.roundRect(x * mm, (HEIGHT - y - h) * mm, w * mm, h * mm, 1.5 * mm)


def _top(pen: _Pen, ticket: Ticket, ward_name: str, category_label: str) -> None:
    pen.text(ward_name, 5, 6, size=11)
    pen.text("受付番号票", 11, 4.5, size=8)
    pen.rule(17)
    pen.text("受付番号", 19.5, 4.5, size=9)
    pen.canvas.setLineWidth(2.2)
    pen.text(ticket.code, 24, 22, size=64, min_size=20, bold=True)
    pen.text(category_label, 48, 11, size=14, min_size=8, max_lines=2)


def _counter(pen: _Pen, ticket: Ticket, counter_label: str) -> None:
    half = INNER / 2 - 1
    right = MARGIN + half + 2
    pen.box(MARGIN, 61, half, 18)
    pen.box(right, 61, half, 18)
    pen.text("お呼び出し窓口", 62.5, 4, size=7.5, x=MARGIN, w=half)
    pen.text(counter_label, 67, 10.5, size=15, x=MARGIN + 1, w=half - 2, min_size=7, max_lines=2)
    pen.text("前にお待ちの方", 62.5, 4, size=7.5, x=right, w=half)
    pen.text(f"{ticket.waiting_ahead}人", 67, 10.5, size=18, x=right + 1, w=half - 2)


def _bottom(pen: _Pen, ticket: Ticket, language_line: str) -> None:
    issued = ticket.issued_at
    pen.text(f"発行 {to_wareki(issued.date())} {issued:%H:%M}", 82, 5, size=9)
    pen.rule(89, dash=True)
    pen.text(language_line, 91, 17, size=11, min_size=7, max_lines=3)
    pen.rule(110, dash=True)
    pen.text("番号が表示されたら窓口へお越しください", 112, 5, size=8)
