"""The cover page, in the visitor's language: what to do, what to bring, where to go.

It comes first in the visit's print job. Its QR code holds only the visit's
reference (``WK:<reference>``), which counter staff scan to open the visit's
data; nothing personal is in the code or on the page.
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

from kiosk.forms.layout import PAGE_H
from kiosk.forms.render import Sheet, printed
from kiosk.guidance import Step
from kiosk.i18n import Translations
from kiosk.visit import qr_payload
from kiosk.wareki import GREGORIAN_SINCE, wareki

LEFT, RIGHT = 15.0, 195.0
QR_SIZE = 36.0  # mm, quiet zone included
QR_X, QR_Y = RIGHT - QR_SIZE, 38.0
STEPS_TOP = 92.0
STEPS_BOTTOM = 236.0


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


def draw_cover(canvas: Canvas, cover: Cover, texts: Translations) -> list[str]:
    """Draw the cover on the current page; returns texts squeezed below their size."""
    sheet = Sheet(canvas)
    _header(sheet, cover, texts)
    _ticket(sheet, cover, texts)
    if cover.reference:
        _qr(sheet, cover, texts)
    _steps(sheet, cover.steps, texts)
    _forms(sheet, cover, texts)
    return sheet.cramped


def _text(
    sheet: Sheet,
    text: str,
    x: float,
    y: float,
    w: float,
    h: float,
    *,
    size: float,
    lines: int = 1,
    align: str = "left",
    bold: bool = False,
) -> float:
    """Fit text into at most (w, h) with its top at y; returns the height it takes, in mm."""
    fitted = sheet.measure(
        printed(text), w, h, size=size, min_size=min(size, 7.0), lines=lines, what=text
    )
    height = float(fitted.height / mm)
    sheet.draw(fitted, x, y, w, height, align=align, bold=bold)
    return height


def _header(sheet: Sheet, cover: Cover, texts: Translations) -> None:
    _text(sheet, cover.ward_name, LEFT, 12, 110, 7, size=13)
    _text(sheet, _date(cover.today, texts), 130, 12, RIGHT - 130, 7, size=10, align="right")
    _text(sheet, texts.text("forms.cover.title"), LEFT, 20, RIGHT - LEFT, 11, size=22, bold=True)
    language = texts.text("forms.cover.language", language=texts.name)
    _text(sheet, language, LEFT, 31, RIGHT - LEFT, 5, size=9)


def _date(day: date, texts: Translations) -> str:
    """The date the way the visitor's language writes it (as on the confirm screen)."""
    months = texts.raw("ui.confirm.months") if texts.language != "ja" else None
    return texts.text(
        "ui.confirm.date_format",
        era=wareki(day).year_text if day >= GREGORIAN_SINCE else "",
        year=day.year,
        month=day.month,
        month_name=months[day.month - 1] if isinstance(months, list) else str(day.month),
        day=day.day,
    )


def _ticket(sheet: Sheet, cover: Cover, texts: Translations) -> None:
    """The ticket number, big, and the first counter to go to."""
    x, y, w, h = LEFT, 38.0, QR_X - LEFT - 8, 46.0
    sheet.canvas.roundRect(x * mm, (PAGE_H - y - h) * mm, w * mm, h * mm, 3 * mm)
    _text(sheet, texts.text("forms.cover.ticket"), x + 4, y + 3, w - 8, 6, size=11)
    _text(sheet, cover.ticket_code, x + 4, y + 9, w - 8, 20, size=48, align="center", bold=True)
    first = texts.text("forms.cover.first_counter", counter=cover.ticket_counter)
    _text(sheet, first, x + 4, y + 31, w - 8, 12, size=12, lines=2, align="center")


def _qr(sheet: Sheet, cover: Cover, texts: Translations) -> None:
    widget = QrCodeWidget(qr_payload(cover.reference), barLevel="M")
    x1, y1, x2, y2 = widget.getBounds()
    side = QR_SIZE * mm
    drawing = Drawing(side, side, transform=[side / (x2 - x1), 0, 0, side / (y2 - y1), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, sheet.canvas, QR_X * mm, (PAGE_H - QR_Y - QR_SIZE) * mm)
    reference = texts.text("forms.cover.reference", reference=cover.reference)
    _text(sheet, reference, QR_X - 6, QR_Y + QR_SIZE, QR_SIZE + 6, 4, size=8, align="center")
    _text(
        sheet,
        texts.text("forms.cover.qr"),
        QR_X - 6,
        QR_Y + QR_SIZE + 4.5,
        QR_SIZE + 6,
        16,
        size=7,
        lines=5,
        align="center",
    )


def _steps(sheet: Sheet, steps: Sequence[Step], texts: Translations) -> None:
    """The procedures in order, each with its counter and what to bring; smaller if crowded."""
    _text(sheet, texts.text("forms.cover.procedures"), LEFT, STEPS_TOP, 120, 7, size=13, bold=True)
    for scale in (1.0, 0.9, 0.8, 0.7, 0.6):
        if _step_rows(None, steps, texts, scale) <= STEPS_BOTTOM:
            break
    _step_rows(sheet, steps, texts, scale)


def _step_rows(
    sheet: Sheet | None, steps: Sequence[Step], texts: Translations, scale: float
) -> float:
    """Lay the steps out from STEPS_TOP (drawing them if ``sheet``); returns the bottom."""
    measure = sheet or Sheet(_NullCanvas())
    y = STEPS_TOP + 9
    width = RIGHT - LEFT - 10
    for number, step in enumerate(steps, 1):
        top = y
        _text(measure, f"{number}", LEFT, y, 7, 7 * scale, size=14 * scale, bold=True)
        y += (
            _text(
                measure,
                step.name,
                LEFT + 9,
                y,
                width,
                12 * scale,
                size=13 * scale,
                lines=2,
                bold=True,
            )
            + 1.5 * scale
        )
        y += _text(
            measure, f"▶ {step.counter}", LEFT + 9, y, width, 10 * scale, size=10.5 * scale, lines=2
        )
        y += 1.5 * scale
        bring = list(step.bring) or [texts.text("ui.result.nothing_to_bring")]
        heading = texts.text("forms.cover.bring")
        y += _text(measure, heading, LEFT + 9, y, width, 5 * scale, size=9.5 * scale) + scale
        for item in bring:
            y += (
                _text(
                    measure,
                    f"・{item}",
                    LEFT + 12,
                    y,
                    width - 3,
                    9 * scale,
                    size=9.5 * scale,
                    lines=2,
                )
                + 0.8 * scale
            )
        if step.needs_individual_number:
            note = texts.text("ui.result.individual_number_note")
            y += _text(measure, note, LEFT + 12, y, width - 3, 9 * scale, size=9 * scale, lines=2)
        y += 4 * scale
        if sheet is not None:
            sheet.canvas.setLineWidth(0.4)
            sheet.canvas.line(LEFT * mm, (PAGE_H - top + 2) * mm, LEFT * mm, (PAGE_H - y + 5) * mm)
    return y


class _NullCanvas:
    """Takes drawing calls and draws nothing: for measuring a layout before drawing it."""

    def __getattr__(self, name: str) -> object:
        return lambda *args, **kwargs: None


def _forms(sheet: Sheet, cover: Cover, texts: Translations) -> None:
    """The forms in the job, then the promise that staff print again if something is missing."""
    y = STEPS_BOTTOM + 3
    sheet.canvas.setLineWidth(0.5)
    sheet.canvas.line(LEFT * mm, (PAGE_H - y) * mm, RIGHT * mm, (PAGE_H - y) * mm)
    y += 2
    y += _text(sheet, texts.text("forms.cover.forms"), LEFT, y, RIGHT - LEFT, 6, size=10, bold=True)
    for japanese, translation in cover.forms:
        title = f"・{japanese}（{translation}）" if translation else f"・{japanese}"
        y += 0.8 + _text(sheet, title, LEFT + 3, y + 0.8, RIGHT - LEFT - 3, 5, size=9.5)
    _text(sheet, texts.text("forms.cover.reprint"), LEFT, 272, RIGHT - LEFT, 10, size=10, lines=2)
