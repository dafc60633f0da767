"""Drawing a form layout on a reportlab canvas, filled from the card, the answers and the settings.

Nothing is guessed: a value the kiosk does not have is left empty and its box
tinted light grey, so staff see at once what to fill in. A character the fonts
lack is printed as 〓, its field tinted as well and listed for the counter.

Japanese text (labels, values) is drawn with the Japanese font stack; the small
translations beneath the labels with the stack of the visitor's language
(``resources/fonts/fonts.toml``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from kiosk.forms import fonts
from kiosk.forms.font_stacks import JAPANESE
from kiosk.forms.layout import (
    PAGE_H,
    ChecksItem,
    FieldItem,
    FrameItem,
    LabelItem,
    Layout,
    NotesItem,
    Option,
    TextItem,
    matches,
)
from kiosk.i18n import REFERENCE_LANGUAGE, Translations
from kiosk.person import Person
from kiosk.pre_entry import HomeDetails
from kiosk.wareki import GREGORIAN_SINCE, wareki

TINT = 0.89  # grey of a box the kiosk could not fill; still light enough to write on
LINE = 0.5  # pt, the outline of a cell
CAPTION_SIZE = 7.0
TRANSLATION_SIZE = 6.0  # pt; at 4.5 pt a translation is still legible on paper
TRANSLATION_MIN = 4.5
PT = 0.3528  # mm per point


@dataclass(frozen=True)
class FormData:
    """What the kiosk knows when it fills a form."""

    procedure: str  # the procedure the form is printed for (a form may serve several)
    person: Person | None  # None: no card was read
    answers: Mapping[str, str]
    ward_name: str
    addressee: str  # e.g. 大阪市北区長
    today: date
    reference: str = ""  # the visit's public reference
    home: HomeDetails | None = None  # typed at home (スマート申請): the new address, the date

    @property
    def facts(self) -> dict[str, str]:
        """What conditions test: the answers, and ``procedure``."""
        return {**self.answers, "procedure": self.procedure}


@dataclass(frozen=True)
class Flag:
    """A field holding characters the fonts lack (printed as 〓)."""

    form: str
    field: str
    missing: str


@dataclass
class Drawn:
    """What drawing a page found: flagged fields, texts squeezed below their size, and
    characters of fixed texts (labels, translations) no font of their language has."""

    flags: list[Flag] = field(default_factory=list)
    cramped: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


class Glossary:
    """Label translations (``forms.labels.<key>``) in the visitor's language; none in Japanese."""

    def __init__(self, texts: Translations | None) -> None:
        labels = texts.tree.get("forms", {}).get("labels", {}) if texts else {}
        self.labels: Mapping[str, object] = (
            labels if texts and texts.language != REFERENCE_LANGUAGE else {}
        )
        self.language = texts.language if texts else JAPANESE  # the translations' fonts

    def __call__(self, key: str, japanese: str) -> str:
        text = self.labels.get(key) if key else None
        return text if isinstance(text, str) and text != japanese else ""


def format_date(day: date, style: str = "wareki") -> str:
    """令和8年11月22日, or with the western year: 昭和60年（1985年）4月1日."""
    if day < GREGORIAN_SINCE:
        return day.isoformat()
    era = wareki(day)
    western = f"（{day.year}年）" if style == "wareki_western" else ""
    return f"{era.year_text}{western}{era.month}月{era.day}日"


def source_value(source: str, data: FormData) -> str | date:
    """The raw value a source names; "" when the kiosk does not have it."""
    head, _, name = source.partition(".")
    if not source:
        return ""
    if head == "person":
        if data.person is None:  # no card: the name typed at home, if any (never an address:
            # the card's is the one before the move, home's the new one)
            return _typed_at_home(data.home, name) if name in ("name", "name_kana") else ""
        value: str | date = getattr(data.person, name)
        return value
    if head == "home":
        return _typed_at_home(data.home, name)
    if head == "answers":
        return data.answers.get(name, "")
    settings: dict[str, str | date] = {
        "ward.name": data.ward_name,
        "ward.addressee": data.addressee,
        "today": data.today,
        "visit.reference": data.reference,
        "procedure": data.procedure,
        "card": "read" if data.person else "",
    }
    return settings[source]


def _typed_at_home(home: HomeDetails | None, name: str) -> str | date:
    if home is None:
        return ""
    if name == "address" and home.address and home.postal_code:
        return f"〒{home.postal_code[:3]}-{home.postal_code[3:]} {home.address}"
    if name in ("name", "name_kana", "address"):
        return str(getattr(home, name))
    if name == "moved_on":
        return home.moved_on or ""
    return ""


def field_text(item: FieldItem, data: FormData) -> str:
    """The text a field prints: formatted, mapped, with its prefix and suffix."""
    if item.unknown_when is not None and matches(item.unknown_when, data.facts):
        return ""
    value = source_value(item.source, data)
    if isinstance(value, date):
        text = format_date(value, item.format)
    else:
        text = item.map.get(value, value) if value else ""
    return f"{item.prefix}{text}{item.suffix}" if text else ""


def note_lines(item: NotesItem, data: FormData) -> list[str]:
    """The notes' lines; an answer the map does not know is printed raw, never dropped."""
    lines = []
    for line in item.lines:
        value = source_value(line.source, data)
        if isinstance(value, date):
            text = format_date(value)
        elif not value:
            text = line.empty
        elif line.map:
            text = line.map.get(value, f"{line.source.removeprefix('answers.')}: {value}")
        else:
            text = value
        if text:
            lines.append(text)
    return lines


class Sheet:
    """Drawing on an A4 page in millimetres, measured from its top-left corner.

    Text is drawn in the fonts of ``language`` unless a call names another.
    """

    def __init__(self, canvas: Canvas, language: str = JAPANESE) -> None:
        self.canvas = canvas
        self.language = language
        self.cramped: list[str] = []
        self.missing: list[str] = []

    def printed(self, text: str, language: str | None = None) -> str:
        """Fixed text as it can be drawn; a character no font has becomes 〓 and is noted."""
        drawn, missing = fonts.printable(text, fallback=True, language=language or self.language)
        self.missing += [ch for ch in missing if ch not in self.missing]
        return drawn

    def box(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        *,
        tint: bool = False,
        weight: float = LINE,
        stroke: bool = True,
    ) -> None:
        c = self.canvas
        c.setLineWidth(weight)
        c.setStrokeGray(0)
        if tint:
            c.setFillGray(TINT)
        c.rect(x * mm, (PAGE_H - y - h) * mm, w * mm, h * mm, stroke=int(stroke), fill=int(tint))
        c.setFillGray(0)

    def fill(self, x: float, y: float, w: float, h: float, gray: float) -> None:
        self.canvas.setFillGray(gray)
        self.canvas.rect(x * mm, (PAGE_H - y - h) * mm, w * mm, h * mm, stroke=0, fill=1)
        self.canvas.setFillGray(0)

    def fit(
        self,
        text: str,
        x: float,
        y: float,
        w: float,
        h: float,
        *,
        size: float,
        min_size: float,
        lines: int = 2,
        align: str = "left",
        bold: bool = False,
        what: str = "",
        language: str | None = None,
    ) -> fonts.Fitted:
        """Draw text into the area, shrinking then wrapping, never cutting a character."""
        fitted = self.measure(
            text, w, h, size=size, min_size=min_size, lines=lines, what=what, language=language
        )
        self.draw(fitted, x, y, w, h, align=align, bold=bold)
        return fitted

    def measure(
        self,
        text: str,
        w: float,
        h: float,
        *,
        size: float,
        min_size: float,
        lines: int,
        what: str,
        language: str | None = None,
    ) -> fonts.Fitted:
        fitted = fonts.fit(
            text,
            w * mm,
            h * mm,
            size=size,
            min_size=min_size,
            max_lines=lines,
            language=language or self.language,
        )
        if fitted.size < min_size - 0.01 or fitted.height > h * mm + 0.01:
            self.cramped.append(what or text)
        return fitted

    def draw(
        self,
        fitted: fonts.Fitted,
        x: float,
        y: float,
        w: float,
        h: float,
        *,
        align: str = "left",
        bold: bool = False,
    ) -> None:
        self.canvas.setLineWidth(0.35)  # the stroke of bold text
        bottom = (PAGE_H - y - h) * mm
        fonts.draw_fitted(
            self.canvas, fitted, x * mm, bottom, h * mm, align=align, box_width=w * mm, bold=bold
        )

    def line(
        self, text: str, x: float, baseline: float, size: float, language: str | None = None
    ) -> float:
        """One short line from (x, baseline); returns where it ends, in mm."""
        end = fonts.draw_line(
            self.canvas,
            text,
            x * mm,
            (PAGE_H - baseline) * mm,
            size,
            language=language or self.language,
        )
        return float(end / mm)

    def checkbox(self, x: float, y: float, side: float, *, checked: bool) -> None:
        """A square with its top-left at (x, y), ticked when ``checked``."""
        c = self.canvas
        c.setLineWidth(0.6)
        c.rect(x * mm, (PAGE_H - y - side) * mm, side * mm, side * mm, stroke=1, fill=0)
        if not checked:
            return
        c.setLineWidth(1.4)
        c.setLineJoin(1)
        c.setLineCap(1)
        path = c.beginPath()
        for i, (dx, dy) in enumerate(((0.19, 0.51), (0.43, 0.79), (0.84, 0.19))):
            point = path.lineTo if i else path.moveTo
            point((x + dx * side) * mm, (PAGE_H - y - dy * side) * mm)
        c.drawPath(path, stroke=1, fill=0)

    def labelled(
        self,
        text: str,
        translation: str,
        x: float,
        y: float,
        w: float,
        h: float,
        *,
        size: float,
        min_size: float = 6.0,
        lines: int = 2,
        align: str = "center",
        bold: bool = False,
        language: str = JAPANESE,
    ) -> None:
        """Japanese text with its translation (in ``language``) in small type beneath,
        centred as a block."""
        text = self.printed(text, JAPANESE)
        if not translation:
            self.fit(
                text,
                x,
                y,
                w,
                h,
                size=size,
                min_size=min_size,
                lines=lines,
                align=align,
                bold=bold,
                what=text,
            )
            return
        tr_size = max(TRANSLATION_SIZE, size * 0.42)
        tr = self.measure(
            self.printed(translation, language),
            w,
            h * 0.5,
            size=tr_size,
            min_size=TRANSLATION_MIN,
            lines=2,
            what=translation,
            language=language,
        )
        gap = 0.4
        tr_h = tr.height / mm
        ja = self.measure(
            text, w, h - tr_h - gap, size=size, min_size=min_size, lines=lines, what=text
        )
        ja_h = ja.height / mm
        top = y + max(0.0, (h - ja_h - gap - tr_h) / 2)
        self.draw(ja, x, top, w, ja_h, align=align, bold=bold)
        self.draw(tr, x, top + ja_h + gap, w, tr_h, align=align)


def printed(text: str, language: str = JAPANESE) -> str:
    """Fixed text as it can be drawn (a character no font has becomes 〓)."""
    return fonts.printable(text, fallback=True, language=language)[0]


def draw_form(
    canvas: Canvas, form_id: str, layout: Layout, data: FormData, glossary: Glossary
) -> Drawn:
    """Draw one form on the canvas's current page (the caller ends the page)."""
    sheet = Sheet(canvas)
    values: dict[str, tuple[str, str]] = {}
    flags: list[Flag] = []
    for item in layout.placed:
        if isinstance(item, FieldItem):
            drawn, missing = fonts.printable(field_text(item, data), fallback=True)
            values[item.id] = (drawn, missing)
            if missing:
                flags.append(Flag(form_id, item.id, missing))
    names = {f.id: f.display_name for f in layout.fields}
    flagged = [names[flag.field] for flag in flags]
    for item in layout.placed:
        _draw_item(sheet, item, data, glossary, values, flagged)
    has_notes = any(isinstance(item, NotesItem) for item in layout.placed)
    _footer(sheet, data, glossary, [] if has_notes else flagged)
    return Drawn(flags, sheet.cramped, sheet.missing)


def _draw_item(
    sheet: Sheet,
    item: object,
    data: FormData,
    glossary: Glossary,
    values: Mapping[str, tuple[str, str]],
    flagged: Sequence[str],
) -> None:
    if isinstance(item, TextItem):
        sheet.labelled(
            item.text,
            glossary(item.key, item.text),
            item.x,
            item.y,
            item.w,
            item.h,
            size=item.size,
            min_size=item.min_size,
            lines=item.lines,
            align=item.align,
            bold=item.bold,
            language=glossary.language,
        )
    elif isinstance(item, LabelItem):
        sheet.box(item.x, item.y, item.w, item.h)
        sheet.labelled(
            item.text,
            glossary(item.key, item.text),
            item.x + 0.8,
            item.y + 0.4,
            item.w - 1.6,
            item.h - 0.8,
            size=item.size,
            align=item.align,
            language=glossary.language,
        )
    elif isinstance(item, FieldItem):
        _field(sheet, item, values[item.id], data, glossary)
    elif isinstance(item, ChecksItem):
        _checks(sheet, item, data, glossary)
    elif isinstance(item, FrameItem):
        sheet.box(item.x, item.y, item.w, item.h, weight=item.weight)
    elif isinstance(item, NotesItem):
        _notes(sheet, item, data, glossary, flagged)


def _field(
    sheet: Sheet, item: FieldItem, value: tuple[str, str], data: FormData, glossary: Glossary
) -> None:
    text, missing = value
    needed = not item.optional and matches(item.needed_when, data.facts)
    tint = bool(missing) or (needed and not text)
    if item.border or tint:
        sheet.box(item.x, item.y, item.w, item.h, tint=tint, stroke=item.border)
    top = item.y + 0.5
    if item.caption:
        _caption(sheet, item, glossary)
        top = item.y + 3.6
    area = (item.x + 1.8, top, item.w - 3.6, item.y + item.h - 0.5 - top)
    if text:
        sheet.fit(
            text,
            *area,
            size=item.size,
            min_size=item.min_size,
            lines=item.lines,
            align=item.align,
            what=f"value {item.id}",
        )
    elif item.hint:
        hint = sheet.printed(item.hint)
        sheet.fit(
            hint,
            *area,
            size=min(item.size, 9.0),
            min_size=5.0,
            lines=1,
            align=item.align,
            what=f"hint {item.id}",
        )


def _caption(sheet: Sheet, item: FieldItem, glossary: Glossary) -> None:
    """The field's small caption in its top-left corner, the translation after it."""
    caption = sheet.printed(item.caption)
    end = sheet.line(caption, item.x + 1.2, item.y + 2.8, CAPTION_SIZE)
    translation = glossary(item.key, item.caption)
    room = item.x + item.w - 1.2 - (end + 1.2)
    if translation and room > 3:
        sheet.fit(
            sheet.printed(translation, glossary.language),
            end + 1.2,
            item.y + 0.5,
            room,
            3.0,
            size=5.5,
            min_size=TRANSLATION_MIN,
            lines=1,
            what=translation,
            language=glossary.language,
        )
    elif translation:
        sheet.cramped.append(translation)


@dataclass(frozen=True)
class _OptionBox:
    option: Option
    translation: str
    x: float
    y: float


def _checks(sheet: Sheet, item: ChecksItem, data: FormData, glossary: Glossary) -> None:
    value = source_value(item.source, data)
    if item.unknown_when is not None and matches(item.unknown_when, data.facts):
        value = ""
    ticks = [bool(value) and value in option.value for option in item.options]
    needed = not item.optional and matches(item.needed_when, data.facts)
    sheet.box(item.x, item.y, item.w, item.h, tint=needed and not any(ticks))
    translations = [glossary(o.key, o.text) for o in item.options]
    size = item.size
    translations = [sheet.printed(t, glossary.language) if t else "" for t in translations]
    language = glossary.language
    placed = _place_options(item, translations, size, language)
    while placed is None and size > 6.0:
        size -= 0.5
        placed = _place_options(item, translations, size, language)
    if placed is None:
        sheet.cramped.append(f"checks {item.id}")
        placed = _place_options(item, translations, size, language, force=True) or []
    side = _side(size)
    cap_h = size * PT
    for box, ticked in zip(placed, ticks, strict=True):
        sheet.checkbox(box.x, box.y + (cap_h - side) / 2 + 0.1, side, checked=ticked)
        text_x = box.x + side + 1.0
        sheet.line(sheet.printed(box.option.text), text_x, box.y + cap_h * 0.86, size)
        if box.translation:
            baseline = box.y + cap_h + 0.35 + TRANSLATION_SIZE * PT * 0.86
            sheet.line(box.translation, text_x, baseline, TRANSLATION_SIZE - 0.5, language)


def _side(size: float) -> float:
    return min(3.4, max(2.6, size * 0.36))


def _place_options(
    item: ChecksItem,
    translations: list[str],
    size: float,
    language: str = JAPANESE,
    *,
    force: bool = False,
) -> list[_OptionBox] | None:
    """Where each option goes (flowing, or in ``columns``), or None if they do not fit."""
    pad, gap = 1.8, 3.0
    side = _side(size)
    inner = item.w - 2 * pad
    widths = [
        side + 1.0 + max(fonts.width(printed(o.text), size), fonts.width(t, 5.5, language)) / mm
        for o, t in zip(item.options, translations, strict=True)
    ]
    row_h = max(side, size * PT) + (2.5 if any(translations) else 0.0)
    spots: list[tuple[float, int]] = []  # x offset and row
    x, row = 0.0, 0
    for i, w in enumerate(widths):
        if item.columns:
            column = i % item.columns
            row, x = i // item.columns, column * inner / item.columns
            if w > inner / item.columns + 0.01 and not force:
                return None
        elif x > 0 and x + w > inner:
            x, row = 0.0, row + 1
        if w > inner + 0.01 and not force:
            return None
        spots.append((x, row))
        x += w + gap
    rows = spots[-1][1] + 1
    room = item.h - 1.0
    if rows * row_h + (rows - 1) > room and not force:
        return None
    # Rows 1 mm apart, or spread out (up to most of a row) when the box has room.
    gap_y = max(1.0, min(row_h * 0.8, (room - rows * row_h) / rows)) if rows > 1 else 0.0
    top = item.y + (item.h - rows * row_h - (rows - 1) * gap_y) / 2
    return [
        _OptionBox(o, t, item.x + pad + sx, top + r * (row_h + gap_y))
        for o, t, (sx, r) in zip(item.options, translations, spots, strict=True)
    ]


def _notes(
    sheet: Sheet, item: NotesItem, data: FormData, glossary: Glossary, flagged: Sequence[str]
) -> None:
    """The kiosk's record for the counter: a header strip, then one line per note."""
    notes = note_lines(item, data)
    if flagged:
        notes.append(f"外字あり（〓の文字を確認）: {'・'.join(dict.fromkeys(flagged))}")
    x, y, w, h = item.x, item.y, item.w, item.h
    sheet.box(x, y, w, h, weight=1.1)
    sheet.box(x, y, w, 6.0)
    end = sheet.line(sheet.printed(item.title), x + 2, y + 4.3, 8.5)
    translation = glossary(item.key, item.title)
    if translation:
        sheet.fit(
            sheet.printed(translation, glossary.language),
            end + 2,
            y + 1.2,
            x + w - end - 4,
            4,
            size=6,
            min_size=TRANSLATION_MIN,
            lines=1,
            what=translation,
            language=glossary.language,
        )
    room = h - 9.0
    if not notes:
        return
    # One column, lines closer together if need be; two columns only when that fails.
    single = len(notes) * 4.0 <= room
    per_column = len(notes) if single else max(1, int(room // 4.6))
    pitch = min(4.8, room / len(notes)) if single else 4.6
    column_w = w - 8 if single else w / 2 - 6
    for i, note in enumerate(notes):
        column, row = divmod(i, per_column)
        nx = x + 2.5 + column * w / 2
        ny = y + 7.2 + row * pitch
        sheet.line("・", nx, ny + 3.4, item.size)
        drawn = fonts.printable(note, fallback=True)[0]
        sheet.fit(
            drawn, nx + 3.5, ny, column_w, 4.6, size=item.size, min_size=6, lines=1, what="note"
        )


def _footer(sheet: Sheet, data: FormData, glossary: Glossary, flagged: Sequence[str]) -> None:
    """The kiosk's footer: what grey means, where the form came from, the visit reference."""
    sheet.fill(15, 275.3, 4, 3, TINT)
    legend = "灰色の欄は、窓口で確認・記入します。"
    end = sheet.line(legend, 20.5, 278, 7.5)
    translation = glossary("footer_grey", legend)
    if translation:
        sheet.fit(
            sheet.printed(translation, glossary.language),
            end + 2,
            275,
            195 - end - 45,
            4,
            size=6.5,
            min_size=TRANSLATION_MIN,
            lines=1,
            what=translation,
            language=glossary.language,
        )
    sheet.line("この届書はセルフ受付端末で作成しました。", 20.5, 282, 7.5)
    if flagged:
        note = f"外字あり（〓の文字を確認）: {'・'.join(dict.fromkeys(flagged))}"
        sheet.fit(note, 20.5, 283.5, 120, 4, size=7.5, min_size=5, lines=1, what="flags")
    if data.reference:
        sheet.fit(
            f"受付参照 {data.reference}",
            140,
            275,
            55,
            4,
            size=7.5,
            min_size=5,
            lines=1,
            align="right",
            what="reference",
        )
