"""The cover page's blocks: the route, the warnings, the steps, the checklist, the forms,
the notes.

A block is a function that draws itself from a given height on the page and
returns where it ends; drawn on a canvas that draws nothing, the same function
measures it (``kiosk.forms.cover`` places the blocks over one page or more).
Headings are drawn with the block that follows them, so none ends a page alone.
Text is drawn in the fonts of the sheet's language (the visitor's), but the forms'
Japanese titles in the Japanese fonts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from reportlab.lib.units import mm

from kiosk.forms import fonts
from kiosk.forms.font_stacks import JAPANESE
from kiosk.forms.layout import PAGE_H
from kiosk.forms.render import Sheet
from kiosk.guidance import Step
from kiosk.i18n import Translations

BODY = 12.0  # pt: no text on the cover is smaller
LEFT, RIGHT = 15.0, 195.0
WIDTH = RIGHT - LEFT
INDENT = 11.0  # mm: step texts and checklist items, right of their number or box
HEADING = 16.0  # pt
ITEM = 14.0  # pt: the procedures' counters and the checklist's items
TICK_BOX = 4.0  # mm: the side of a checklist's box

Block = Callable[[Sheet, float], float]  # draws from y (mm from the top); returns its bottom


def write(
    sheet: Sheet,
    text: str,
    x: float,
    y: float,
    w: float,
    *,
    size: float,
    lines: int = 4,
    h: float = 0.0,
    align: str = "left",
    bold: bool = False,
    language: str | None = None,
) -> float:
    """Text at ``size`` with its top at y, wrapped to at most ``lines`` lines (in ``h``
    mm when given), in the fonts of ``language`` (default: the sheet's); returns the
    height it takes, in mm. Too long: reported cramped."""
    h = h or (size * (1 + 1.2 * (lines - 1))) / mm + 0.01
    language = language or sheet.language
    fitted = sheet.measure(
        sheet.printed(text, language),
        w,
        h,
        size=size,
        min_size=size,
        lines=lines,
        what=text,
        language=language,
    )
    height = float(fitted.height / mm)
    sheet.draw(fitted, x, y, w, height, align=align, bold=bold)
    return height


def route_block(summary: str) -> Block:
    """The route in large type in a heavy frame: "手続き 4つ: 2番 → 5番 → 8番窓口"."""

    def draw(sheet: Sheet, y: float) -> float:
        inner = write(sheet, summary, LEFT + 4, y + 3, WIDTH - 8, size=22, lines=2, bold=True)
        bottom = y + inner + 6
        sheet.canvas.setLineWidth(2.0)
        sheet.canvas.roundRect(
            LEFT * mm, (PAGE_H - bottom) * mm, WIDTH * mm, (bottom - y) * mm, 2.5 * mm
        )
        return bottom + 2

    return draw


def warnings_block(warnings: Sequence[str], heading: str) -> Block:
    """The calendar warnings (deadlines, what is not accepted today) in a heavy frame,
    each with a "！" before it, so they are not missed."""

    def draw(sheet: Sheet, y: float) -> float:
        top = y
        y += 2.5 + write(sheet, heading, LEFT + 4, y + 2.5, WIDTH - 8, size=HEADING, bold=True)
        for text in warnings:
            write(sheet, "！", LEFT + 4, y + 1.5, 6, size=ITEM, lines=1, bold=True)
            y += 1.5 + write(sheet, text, LEFT + 10, y + 1.5, WIDTH - 14, size=ITEM, lines=6)
        bottom = y + 3
        sheet.canvas.setLineWidth(2.5)
        sheet.canvas.rect(LEFT * mm, (PAGE_H - bottom) * mm, WIDTH * mm, (bottom - top) * mm)
        return bottom + 2

    return draw


def _heading(sheet: Sheet, text: str, y: float, k: float = 1.0) -> float:
    """A section heading with a rule beneath; returns where its section starts."""
    y += 2.5
    y += write(sheet, text, LEFT, y, WIDTH, size=HEADING * k, lines=2, bold=True) + 1.2
    sheet.canvas.setLineWidth(0.8)
    sheet.canvas.line(LEFT * mm, (PAGE_H - y) * mm, RIGHT * mm, (PAGE_H - y) * mm)
    return y + 2.5


def step_blocks(steps: Sequence[Step], texts: Translations, k: float = 1.0) -> list[Block]:
    """One block per procedure: its number and name, its counter, the number note
    (``k`` times the usual sizes)."""
    heading = texts.text("forms.cover.procedures")
    return [_step(n, s, texts, heading if n == 1 else "", k) for n, s in enumerate(steps, 1)]


def _step(number: int, step: Step, texts: Translations, heading: str, k: float) -> Block:
    name_size, counter_size = 16 * k, ITEM * k

    def draw(sheet: Sheet, y: float) -> float:
        if heading:
            y = _heading(sheet, heading, y, k)
        x, w = LEFT + INDENT * k, WIDTH - INDENT * k
        write(sheet, str(number), LEFT, y - 0.3, INDENT * k, size=18 * k, lines=1, bold=True)
        name = write(sheet, step.name, x, y, w, size=name_size, bold=True)
        counter = f"▶ {step.counter}"
        beside = x + _width(sheet, step.name, name_size) + 6
        if name < 7 * k and beside + _width(sheet, counter, counter_size) <= RIGHT:
            top = y + (name_size - counter_size) * 0.88 / mm  # on the name's baseline
            write(sheet, counter, beside, top, RIGHT - beside, size=counter_size)
            y += name
        else:  # a long name: the counter goes beneath it
            y += name + 1
            y += write(sheet, counter, x, y, w, size=counter_size)
        if step.needs_individual_number:
            note = texts.text("ui.result.individual_number_note")
            y += 1 + write(sheet, note, x, y + 1, w, size=BODY * k)
        return y + 2 * k

    return draw


def _width(sheet: Sheet, text: str, size: float) -> float:
    """Width of one line of text in the sheet's language, in mm."""
    return float(fonts.width(sheet.printed(text), size, sheet.language) / mm)


def checklist_blocks(items: Sequence[str], texts: Translations, k: float = 1.0) -> list[Block]:
    """ "持ち物": each thing to bring with an empty box to tick (a drawn square, not a glyph)."""
    heading = texts.text("forms.cover.checklist")
    if not items:
        nothing = texts.text("ui.result.nothing_to_bring")
        return [lambda sheet, y: _nothing(sheet, _heading(sheet, heading, y, k), nothing, k)]
    return [_item(item, heading if i == 0 else "", k) for i, item in enumerate(items)]


def _nothing(sheet: Sheet, y: float, text: str, k: float) -> float:
    return y + write(sheet, text, LEFT + INDENT * k, y, WIDTH - INDENT * k, size=ITEM * k)


def _item(item: str, heading: str, k: float) -> Block:
    side = TICK_BOX * k

    def draw(sheet: Sheet, y: float) -> float:
        if heading:
            y = _heading(sheet, heading, y, k)
        baseline = y + 0.88 * ITEM * k / mm  # of the item's first line; the box stands on it
        box_top = baseline + 0.2 - side
        sheet.canvas.setLineWidth(1.0)
        sheet.canvas.rect((LEFT + 2) * mm, (PAGE_H - box_top - side) * mm, side * mm, side * mm)
        x, w = LEFT + INDENT * k, WIDTH - INDENT * k
        return y + write(sheet, item, x, y, w, size=ITEM * k) + (k - 1) * 4

    return draw


def forms_block(forms: Sequence[tuple[str, str]], texts: Translations) -> Block:
    """The forms in the job (Japanese title, its translation)."""

    def draw(sheet: Sheet, y: float) -> float:
        y = _heading(sheet, texts.text("forms.cover.forms"), y)
        for japanese, translation in forms:
            title = f"・{japanese}"
            if fonts.runs(title, sheet.language) == fonts.runs(title, JAPANESE):
                # The visitor's fonts draw the Japanese title in the Japanese ones: one text.
                both = f"{title}（{translation}）" if translation else title
                y += write(sheet, both, LEFT + 2, y, WIDTH - 2, size=BODY, lines=2) + 1
                continue
            height = write(
                sheet, title, LEFT + 2, y, WIDTH - 2, size=BODY, lines=1, language=JAPANESE
            )
            if translation:  # beside the Japanese title when it fits there, else beneath it
                beside = LEFT + 2 + fonts.width(sheet.printed(title, JAPANESE), BODY) / mm + 0.5
                bracketed = f"（{translation}）"
                if _width(sheet, bracketed, BODY) <= RIGHT - beside:
                    write(sheet, bracketed, beside, y, RIGHT - beside, size=BODY, lines=1)
                else:
                    height += write(
                        sheet, translation, LEFT + 6, y + height, WIDTH - 6, size=BODY, lines=2
                    )
            y += height + 1
        return y + 1

    return draw


def notes_block(texts: Translations, *, qr: bool) -> Block:
    """Staff print again if anything is missing; what the QR code holds."""

    def draw(sheet: Sheet, y: float) -> float:
        sheet.canvas.setLineWidth(0.5)
        sheet.canvas.line(LEFT * mm, (PAGE_H - y) * mm, RIGHT * mm, (PAGE_H - y) * mm)
        y += 2
        y += write(sheet, texts.text("forms.cover.reprint"), LEFT, y, WIDTH, size=BODY)
        if qr:
            y += 1.5 + write(sheet, texts.text("forms.cover.qr"), LEFT, y + 1.5, WIDTH, size=BODY)
        return y

    return draw
