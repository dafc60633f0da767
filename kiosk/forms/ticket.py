"""The queue ticket as an 80 × 120 mm PDF page, for ordinary printers through CUPS.

It shows what the receipt printer prints (``kiosk/tickets/receipt.py``), laid out
the same way: ward and title, the ticket code (on a priority ticket, smaller, over
the mark 優先 in white on black), category, counter (with the route beneath it when
the visit goes to more than one: the code and the QR code are drawn a little smaller
to make room), people ahead, estimated wait, issue time, the visitor's line beside
the QR code, a closing line. When the QR code opens the ticket's phone page, "follow
your turn on your phone" goes beside it too and the page's URL under it, in small type.
"""

from __future__ import annotations

import io
import logging

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from kiosk.forms import fonts
from kiosk.i18n import Translations
from kiosk.tickets.slip import TicketSlip, short_url, slip_texts
from kiosk.visit import Ticket

log = logging.getLogger(__name__)

WIDTH, HEIGHT = 80.0, 120.0
MARGIN = 5.0
INNER = WIDTH - 2 * MARGIN
QR_SIZE = 22.0  # mm, quiet zone included
ROUTE = 3.0  # mm taken from the code and from the QR code to fit the route
GAP = 2.0


def render_slip(slip: TicketSlip) -> bytes:
    """Render the ticket as a one-page PDF (80 × 120 mm).

    Characters no font has are printed as 〓 and logged (by count only).
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
        pen = _Pen(canvas, slip.language)
        _top(pen, slip)
        _boxes(pen, slip)
        _bottom(pen, slip)
        canvas.showPage()
        canvas.save()
    if pen.missing:
        log.warning("ticket: %d character(s) not in the fonts, printed as 〓", pen.missing)
    return buffer.getvalue()


def render_ticket(
    ticket: Ticket,
    *,
    ward_name: str,
    counter_label: str,
    category_label: str,
    language_line: str,
) -> bytes:
    """The ticket with Japanese labels, no estimate and no QR code.

    Kept for callers that have no :class:`TicketSlip` yet; new code builds one with
    :func:`kiosk.tickets.build_slip` and calls :func:`render_slip`.
    """
    texts = slip_texts(Translations.load("ja"), ticket.waiting_ahead, None, ticket.issued_at)
    slip = TicketSlip(
        code=ticket.code,
        language="ja",
        ward_name=ward_name,
        category_label=category_label,
        counter_label=counter_label,
        waiting_ahead=ticket.waiting_ahead,
        estimate_minutes=None,
        issued_at=ticket.issued_at,
        reference="",
        language_line=language_line,
        texts=texts,
    )
    return render_slip(slip)


class _Pen:
    """Text in boxes, in millimetres from the ticket's top-left corner, in the fonts of
    the visitor's language."""

    def __init__(self, canvas: Canvas, language: str = "ja") -> None:
        self.canvas = canvas
        self.language = language
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
        bold: bool = False,
    ) -> None:
        drawn, missing = fonts.printable(s, fallback=True, language=self.language)
        self.missing += len(missing)
        fitted = fonts.fit(
            drawn,
            w * mm,
            h * mm,
            size=size,
            min_size=min_size,
            max_lines=max_lines,
            language=self.language,
        )
        fonts.draw_fitted(
            self.canvas,
            fitted,
            x * mm,
            (HEIGHT - y - h) * mm,
            h * mm,
            align="center",
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

    def banner(self, s: str, y: float, h: float) -> None:
        """White bold text on a black band across the ticket (a mark, not only a colour)."""
        c = self.canvas
        c.setFillGray(0)
        c.roundRect(MARGIN * mm, (HEIGHT - y - h) * mm, INNER * mm, h * mm, 1.2 * mm, fill=1)
        c.setFillGray(1)
        c.setStrokeGray(1)
        c.setLineWidth(0.3)
        self.text(s, y + 0.4, h - 0.8, size=11, min_size=7, bold=True)
        c.setFillGray(0)
        c.setStrokeGray(0)

    def labelled(
        self, label: str, value: str, x: float, y: float, w: float, size: float, height: float = 13
    ) -> None:
        """A framed box (13 mm tall): a small label over a large value."""
        self.box(x, y, w, height)
        self.text(label, y + 1, 3.5, size=7, x=x + 2, w=w - 4, min_size=5)
        self.text(value, y + 4.5, 8, size=size, x=x + 2, w=w - 4, min_size=7, max_lines=2)

    def qr(self, data: str, x: float, y: float, size: float) -> None:
        widget = QrCodeWidget(data, barLevel="M")
        x1, y1, x2, y2 = widget.getBounds()
        side = size * mm
        drawing = Drawing(side, side, transform=[side / (x2 - x1), 0, 0, side / (y2 - y1), 0, 0])
        drawing.add(widget)
        renderPDF.draw(drawing, self.canvas, x * mm, (HEIGHT - y - size) * mm)


def _top(pen: _Pen, slip: TicketSlip) -> None:
    pen.text(slip.ward_name, 3.5, 5.5, size=11, min_size=7)
    pen.text(slip.texts.title, 9, 4, size=7.5)
    pen.rule(13.5)
    pen.text(slip.texts.number, 15, 4, size=8.5)
    pen.canvas.setLineWidth(2.2)
    short = ROUTE if slip.route else 0.0  # mm less for the code, to make room for the route
    if slip.priority:  # a smaller code makes room for the mark beneath it
        pen.text(slip.code, 19.5, 13 - short, size=38 - 3 * short, min_size=20, bold=True)
        pen.banner(slip.texts.priority, 33 - short, 5)
    else:
        pen.text(slip.code, 19, 19 - short, size=58 - 3 * short, min_size=20, bold=True)
    pen.text(slip.category_label, 38.5 - short, 8.5, size=13, min_size=8, max_lines=2)


def _boxes(pen: _Pen, slip: TicketSlip) -> None:
    texts = slip.texts
    if slip.route:  # the counter, and the route through the visit's counters beneath it
        y = 48 - ROUTE
        pen.labelled(texts.counter, slip.counter_label, MARGIN, y, INNER, 13, height=19)
        pen.text(slip.route, y + 12.5, 5.5, size=12, x=MARGIN + 2, w=INNER - 4, bold=True)
        y += 21
    else:
        pen.labelled(texts.counter, slip.counter_label, MARGIN, 48, INNER, 13)
        y = 63
    cells = [(texts.waiting, texts.waiting_value)]
    if texts.estimate_value:
        cells.append((texts.estimate, texts.estimate_value))
    width = (INNER - GAP * (len(cells) - 1)) / len(cells)
    for i, (label, value) in enumerate(cells):
        pen.labelled(label, value, MARGIN + i * (width + GAP), y, width, 15)
    pen.text(texts.issued, y + 14.5, 4.5, size=8.5)


def _bottom(pen: _Pen, slip: TicketSlip) -> None:
    short = ROUTE if slip.route else 0.0  # the rule comes lower, the QR code is smaller
    pen.rule(83.5 + short, dash=True)
    line_x, line_w, top, side = MARGIN, INNER, 85 + short, QR_SIZE - short
    if slip.qr_data:
        pen.qr(slip.qr_data, MARGIN - 1.5, top, side)  # the quiet zone may reach the margin
        pen.text(slip.reference, top + side - 1.5, 3, size=6.5, x=MARGIN, w=side - 3)
        line_x, line_w = MARGIN + side, INNER - side
    phone = bool(slip.phone_url and slip.texts.phone)
    # Wrapped at a readable size rather than squeezed onto one line.
    pen.text(
        slip.language_line,
        top + 1,
        (13 if phone else 24) - short,
        size=10.5,
        x=line_x,
        w=line_w,
        min_size=8 if phone else 9,
        max_lines=3 if phone else 4,
    )
    if phone:
        y = top + 14 - short
        pen.text(slip.texts.phone, y, 7.5, size=9, x=line_x, w=line_w, min_size=7, max_lines=2)
        pen.text(short_url(slip.phone_url), top + side + 1.3, 2.8, size=6.5, min_size=4.5)
    pen.rule(111.5, dash=True)
    pen.text(slip.texts.footer, 113, 4.5, size=7.5, min_size=5.5)
