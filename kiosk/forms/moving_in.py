"""住民異動届 (notification of moving in), pre-filled from the card and the answers."""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from kiosk.forms import fonts
from kiosk.person import Person
from kiosk.wareki import to_wareki

PAGE_W, PAGE_H = A4[0] / mm, A4[1] / mm
LEFT, RIGHT = 15.0, 195.0
LABEL_W = 26.0
TINT = 0.89  # grey of a field the kiosk could not fill; still light enough to write on
MAX_MOVER_ROWS = 4
MOVER_ROW_H = 14.0
STAFF_TOP = 246.0

HOUSEHOLD_ROWS = {"1": 1, "2": 2, "3": 3, "4_or_more": 4}
FIELD_LABELS = {"ward_name": "宛先", "name": "氏名", "name_kana": "フリガナ", "address": "前住所"}
STAFF_ROWS = (
    ("本人確認", ("マイナンバーカード", "運転免許証", "旅券", "その他（　　　　）")),
    ("転出証明書", ("有", "転入届の特例", "不要（市内）")),
    ("関連手続", ("国保", "年金", "児童手当", "医療証", "カード継続")),
)
NOTES: dict[str, dict[str, str]] = {
    "move_in_from": {
        "other_municipality": "他の市区町村から転入（転出証明書 または 転入届の特例）",
        "abroad": "国外から転入（旅券・在留カード等を確認）",
        "other_ward": "市内の他区から異動（転出証明書 不要）",
    },
    "household_size": {
        "1": "異動者 1人",
        "2": "異動者 2人",
        "3": "異動者 3人",
        "4_or_more": "異動者 4人以上（5人目からは続紙に記入）",
    },
    "children": {"yes": "児童手当 対象児童あり（認定請求・子ども医療証）", "no": ""},
    "insurance": {
        "national": "国民健康保険 加入予定",
        "elderly": "後期高齢者医療 住所変更",
        "employer": "健康保険 勤務先の保険（国保の手続 不要）",
        "none": "健康保険 未加入（国民健康保険 加入案内）",
    },
    "cards": {
        "all": "マイナンバーカード 継続利用 手続あり（全員分 持参）",
        "some": "マイナンバーカード 継続利用 手続あり（一部の方のみ 持参）",
        "none": "マイナンバーカード 持参なし",
    },
}


@dataclass(frozen=True)
class MovingInData:
    """What the kiosk knows when it prints a 住民異動届 for moving in."""

    ward_name: str  # addressee, e.g. "大阪市北区長"
    filed_on: date
    person: Person | None  # None: no card was read, personal fields stay blank
    answers: Mapping[str, str] = field(default_factory=dict)  # question id -> choice id
    visit_reference: str = ""


@dataclass(frozen=True)
class RenderedForm:
    """A rendered form and the characters the font could not print, per field.

    They are printed as 〓 (and listed in the form's notes box); the caller should
    flag those fields for staff. Keys: ``ward_name``, ``name``, ``name_kana``,
    ``address``, ``visit_reference``, ``notes``.
    """

    pdf: bytes
    missing_glyphs: Mapping[str, str] = field(default_factory=dict)

    @property
    def needs_review(self) -> bool:
        return bool(self.missing_glyphs)


def kiosk_notes(data: MovingInData) -> list[str]:
    """What the visitor's answers imply, as short Japanese lines for the counter clerk."""
    notes = [
        "マイナンバーカード 読取済（氏名・前住所・生年月日・性別を転記）"
        if data.person
        else "マイナンバーカード 読取なし（本人確認書類を確認）"
    ]
    for question, choices in NOTES.items():
        choice = data.answers.get(question)
        if choice is None:
            continue
        # An unknown choice is still shown, raw, rather than dropped.
        note = choices.get(choice, f"{question}: {choice}")
        if note:
            notes.append(note)
    return notes


def render_moving_in(data: MovingInData) -> RenderedForm:
    """Render the A4 住民異動届 (転入) as PDF."""
    buffer = io.BytesIO()
    with fonts.rendering():
        canvas = Canvas(
            buffer, pagesize=A4, invariant=1, pageCompression=1, initialFontName=fonts.FONT_NAME
        )
        canvas.setTitle("住民異動届")
        canvas.setCreator("ward-kiosk")
        canvas.setAuthor("ward-kiosk")
        sheet = _Sheet(canvas)
        y = _header(sheet, data)
        y = _move(sheet, data, y + 5)
        y = _notifier(sheet, data, y + 4)
        y = _movers(sheet, data, y + 4)
        _notes(sheet, data, y + 4, STAFF_TOP - 8)
        _staff(sheet)
        _footer(sheet, data)
        canvas.showPage()
        canvas.save()
    return RenderedForm(buffer.getvalue(), dict(sheet.missing))


class _Sheet:
    """Drawing in millimetres, measured from the page's top-left corner."""

    def __init__(self, canvas: Canvas) -> None:
        self.canvas = canvas
        self.missing: dict[str, str] = {}

    def box(self, x: float, y: float, w: float, h: float, *, tint: bool = False) -> None:
        c = self.canvas
        c.setLineWidth(0.5)
        c.setStrokeGray(0)
        if tint:
            c.setFillGray(TINT)
        c.rect(x * mm, (PAGE_H - y - h) * mm, w * mm, h * mm, stroke=1, fill=int(tint))
        c.setFillGray(0)

    def frame(self, x: float, y: float, w: float, h: float) -> None:
        """A heavier outline around a group of cells."""
        self.canvas.setLineWidth(1.1)
        self.canvas.rect(x * mm, (PAGE_H - y - h) * mm, w * mm, h * mm, stroke=1, fill=0)

    def text(
        self,
        s: str,
        x: float,
        baseline: float,
        size: float,
        *,
        align: str = "left",
        bold: bool = False,
    ) -> None:
        """Fixed text (labels): baseline given in mm from the top."""
        c = self.canvas
        c.setFont(fonts.FONT_NAME, size)
        draw = {"left": c.drawString, "center": c.drawCentredString, "right": c.drawRightString}
        # Mode 2 strokes the outlines too: the font has no bold face.
        draw[align](x * mm, (PAGE_H - baseline) * mm, s, mode=2 if bold else None)

    def label(self, s: str, x: float, y: float, w: float, h: float, size: float = 9) -> None:
        """A label cell: box with the text centred, shrunk or wrapped if needed."""
        self.box(x, y, w, h)
        self._fit(s, x + 1, y + 0.5, w - 2, h - 1, size=size, min_size=6, align="center")

    def value(
        self,
        key: str,
        s: str,
        x: float,
        y: float,
        w: float,
        h: float,
        *,
        size: float = 12,
        min_size: float = 9,
        max_lines: int = 2,
        align: str = "left",
    ) -> None:
        """Draw a value inside the area (x, y, w, h), shrinking or wrapping, never cutting.

        Characters the font lacks are drawn as 〓 and recorded under ``key``.
        """
        drawn, missing = fonts.printable(s)
        if missing:
            self.missing[key] = "".join(dict.fromkeys(self.missing.get(key, "") + missing))
        self._fit(drawn, x, y, w, h, size=size, min_size=min_size, max_lines=max_lines, align=align)

    def _fit(
        self,
        s: str,
        x: float,
        y: float,
        w: float,
        h: float,
        *,
        size: float,
        min_size: float,
        max_lines: int = 2,
        align: str,
    ) -> None:
        fitted = fonts.fit(s, w * mm, h * mm, size=size, min_size=min_size, max_lines=max_lines)
        bottom = (PAGE_H - y - h) * mm
        fonts.draw_fitted(
            self.canvas, fitted, x * mm, bottom, h * mm, align=align, box_width=w * mm
        )

    def checkbox(
        self, x: float, y: float, caption: str, *, checked: bool, size: float = 10
    ) -> float:
        """A 3.4 mm square with its caption at (x, y), its top-left; returns the caption's end."""
        c = self.canvas
        side = 3.4
        c.setLineWidth(0.6)
        c.rect(x * mm, (PAGE_H - y - side) * mm, side * mm, side * mm, stroke=1, fill=0)
        if checked:
            c.setLineWidth(1.4)
            c.setLineJoin(1)
            c.setLineCap(1)
            path = c.beginPath()
            for i, (dx, dy) in enumerate(((0.65, 1.75), (1.45, 2.7), (2.85, 0.65))):
                point = path.lineTo if i else path.moveTo
                point((x + dx) * mm, (PAGE_H - y - dy) * mm)
            c.drawPath(path, stroke=1, fill=0)
        self.text(caption, x + side + 1.2, y + side - 0.35, size)
        return float(x + side + 1.2 + fonts.width(caption, size) / mm)

    def checkboxes(
        self,
        x: float,
        y: float,
        options: list[tuple[str, bool]],
        *,
        gap: float = 4.5,
        size: float = 10,
    ) -> None:
        for caption, checked in options:
            x = self.checkbox(x, y, caption, checked=checked, size=size) + gap


def _header(sheet: _Sheet, data: MovingInData) -> float:
    """Title, addressee, filing date and the staff stamp cells; returns the next free y."""
    sheet.canvas.setLineWidth(0.5)
    sheet.text("住民異動届", PAGE_W / 2, 24, 24, align="center", bold=True)
    sheet.text("（転入・転居・転出・世帯変更）", PAGE_W / 2, 30, 8.5, align="center")
    for i, stamp in enumerate(("受付", "入力", "照合")):
        x = 150 + i * 15
        sheet.label(stamp, x, 10, 15, 4.5, size=7.5)
        sheet.box(x, 14.5, 15, 14)
    sheet.value(
        "ward_name", f"{data.ward_name}　様", LEFT, 33, 80, 8, size=13, min_size=9, max_lines=1
    )
    sheet.label("届出日", 120, 34, 20, 8)
    sheet.box(140, 34, 55, 8)
    sheet.value("filed_on", to_wareki(data.filed_on), 142, 34, 51, 8, size=12, max_lines=1)
    return 42.0


def _move(sheet: _Sheet, data: MovingInData, y: float) -> float:
    """異動の種類, 異動日, 新住所, 世帯主 and 前住所."""
    top = y
    sheet.label("異動の種類", LEFT, y, LABEL_W, 10)
    sheet.box(LEFT + LABEL_W, y, 86, 10)
    sheet.checkboxes(
        LEFT + LABEL_W + 3,
        y + 3.3,
        [("転入", True), ("転居", False), ("転出", False), ("世帯変更", False)],
    )
    sheet.label("異動日", 127, y, 18, 10)
    sheet.box(145, y, RIGHT - 145, 10, tint=True)
    _blank_date(sheet, 145, y, RIGHT - 145, 10)
    y += 10
    sheet.label("新住所", LEFT, y, LABEL_W, 17)
    sheet.box(LEFT + LABEL_W, y, RIGHT - LEFT - LABEL_W, 17, tint=True)
    sheet.text("〒", LEFT + LABEL_W + 2, y + 4.5, 8)
    sheet.text("窓口で記入", RIGHT - 2, y + 4.5, 7, align="right")
    y += 17
    sheet.label("世帯主", LEFT, y, LABEL_W, 9)
    sheet.box(LEFT + LABEL_W, y, RIGHT - LEFT - LABEL_W, 9, tint=True)
    y += 9
    sheet.label("前住所", LEFT, y, LABEL_W, 17)
    filled = data.person is not None
    sheet.box(LEFT + LABEL_W, y, RIGHT - LEFT - LABEL_W, 17, tint=not filled)
    if data.person:
        sheet.value(
            "address",
            data.person.address,
            LEFT + LABEL_W + 3,
            y + 1.5,
            RIGHT - LEFT - LABEL_W - 6,
            14,
            size=13,
            min_size=10.5,
        )
    y += 17
    sheet.frame(LEFT, top, RIGHT - LEFT, y - top)
    return y


def _blank_date(sheet: _Sheet, x: float, y: float, w: float, h: float) -> None:
    """年 月 日 placeholders for a date to be written by hand."""
    sheet.text("令和", x + 2, y + h / 2 + 1.5, 9)
    for frac, unit in ((0.45, "年"), (0.7, "月"), (0.94, "日")):
        sheet.text(unit, x + w * frac, y + h / 2 + 1.5, 9, align="right")


def _notifier(sheet: _Sheet, data: MovingInData, y: float) -> float:
    """届出人: name, relation checkboxes and a telephone number to fill in."""
    h = 16.0
    person = data.person
    sheet.label("届出人", LEFT, y, LABEL_W, h)
    name_x, name_w = LEFT + LABEL_W, 76.0
    sheet.box(name_x, y, name_w, h, tint=person is None)
    sheet.text("氏名", name_x + 1.5, y + 3.4, 7)
    if person:
        sheet.value("name", person.name, name_x + 3, y + 4, name_w - 6, h - 5, size=14, min_size=10)
    rel_x = name_x + name_w
    sheet.box(rel_x, y, 34, h)
    sheet.checkbox(rel_x + 2, y + 3, "本人", checked=person is not None, size=9)
    sheet.checkbox(rel_x + 17, y + 3, "世帯主", checked=False, size=9)
    sheet.checkbox(rel_x + 2, y + 9.6, "代理人", checked=False, size=9)
    tel_x = rel_x + 34
    sheet.box(tel_x, y, RIGHT - tel_x, h, tint=True)
    sheet.text("電話番号", tel_x + 1.5, y + 3.4, 7)
    sheet.frame(LEFT, y, RIGHT - LEFT, h)
    return y + h


def _movers(sheet: _Sheet, data: MovingInData, y: float) -> float:
    """異動者 table: the card holder first, blank rows for the rest of the household."""
    cols = (
        ("No.", 9),
        ("フリガナ／氏名", 62),
        ("生年月日", 39),
        ("性別", 24),
        ("続柄", 19),
        ("備考", 27),
    )
    top = y
    sheet.text("異動者", LEFT, y + 3.5, 9.5)
    sheet.text("（異動する方全員を記入）", LEFT + 12, y + 3.5, 7.5)
    y += 5
    x = LEFT
    for title, w in cols:
        sheet.label(title, x, y, w, 6.5, size=8)
        x += w
    y += 6.5
    rows = min(HOUSEHOLD_ROWS.get(data.answers.get("household_size", ""), 1), MAX_MOVER_ROWS)
    for i in range(rows):
        _mover_row(sheet, y, i + 1, cols, data.person if i == 0 else None)
        y += MOVER_ROW_H
    sheet.frame(LEFT, top + 5, RIGHT - LEFT, y - top - 5)
    return y


def _mover_row(
    sheet: _Sheet, y: float, no: int, cols: tuple[tuple[str, float], ...], person: Person | None
) -> None:
    h = MOVER_ROW_H
    widths = [w for _, w in cols]
    xs = [LEFT + sum(widths[:i]) for i in range(len(widths))]
    sheet.label(str(no), xs[0], y, widths[0], h, size=10)
    kana = person.name_kana if person else ""
    sheet.box(xs[1], y, widths[1], 5, tint=not kana)
    if kana:
        sheet.value(
            "name_kana", kana, xs[1] + 2, y, widths[1] - 4, 5, size=8, min_size=6, max_lines=1
        )
    sheet.box(xs[1], y + 5, widths[1], h - 5, tint=person is None)
    sheet.box(xs[2], y, widths[2], h, tint=person is None)
    sheet.box(xs[3], y, widths[3], h, tint=person is None or person.sex == "not_applicable")
    sheet.box(xs[4], y, widths[4], h, tint=True)
    sheet.box(xs[5], y, widths[5], h)
    if person:
        sheet.value(
            "name", person.name, xs[1] + 2, y + 5.5, widths[1] - 4, h - 6, size=13, min_size=9
        )
        sheet.value(
            "birth_date",
            to_wareki(person.birth_date),
            xs[2] + 1.5,
            y,
            widths[2] - 3,
            h,
            size=10.5,
            min_size=8,
            max_lines=1,
            align="center",
        )
    sheet.checkboxes(
        xs[3] + 3,
        y + h / 2 - 1.7,
        [
            ("男", person is not None and person.sex == "male"),
            ("女", person is not None and person.sex == "female"),
        ],
        gap=3,
    )


def _notes(sheet: _Sheet, data: MovingInData, y: float, bottom: float) -> None:
    """Box listing what the answers imply, down to ``bottom``; two columns if crowded."""
    notes = kiosk_notes(data)
    if sheet.missing:
        keys = [key for key in FIELD_LABELS if key in sheet.missing]
        keys += [key for key in sheet.missing if key not in FIELD_LABELS]
        fields = "・".join(FIELD_LABELS.get(key, key) for key in keys)
        notes.append(f"外字あり（〓の文字を確認）: {fields}")
    h = bottom - y
    sheet.frame(LEFT, y, RIGHT - LEFT, h)
    sheet.box(LEFT, y, RIGHT - LEFT, 6.5)
    sheet.text("セルフ受付端末の記録（窓口で確認してください）", LEFT + 2, y + 4.6, 8.5)
    # One column, lines closer together if need be; two columns only when that fails.
    room = h - 10.5  # header strip plus a little air at the bottom
    single = len(notes) * 4.2 <= room
    per_column = len(notes) if single else max(1, int(room // 5))
    pitch = min(5.0, room / len(notes)) if single else 5.0
    width = 170 if single else 84
    for i, note in enumerate(notes):
        column, row = divmod(i, per_column)
        x = LEFT + 3 + column * 90
        line_y = y + 8 + row * pitch
        sheet.text("・", x, line_y + 3.6, 9.5)
        sheet.value("notes", note, x + 3.5, line_y, width, 5, size=9.5, min_size=6, max_lines=1)


def _staff(sheet: _Sheet) -> None:
    """職員記入欄, anchored to the bottom of the page."""
    y = STAFF_TOP
    sheet.text("職員記入欄", LEFT, y - 1.5, 8.5)
    for i, (title, captions) in enumerate(STAFF_ROWS):
        sheet.label(title, LEFT, y + i * 8, LABEL_W, 8, size=8.5)
        sheet.box(LEFT + LABEL_W, y + i * 8, RIGHT - LEFT - LABEL_W, 8)
        options = [(caption, False) for caption in captions]
        sheet.checkboxes(LEFT + LABEL_W + 3, y + i * 8 + 2.3, options, size=8.5, gap=4)
    sheet.frame(LEFT, y, RIGHT - LEFT, 24)


def _footer(sheet: _Sheet, data: MovingInData) -> None:
    c = sheet.canvas
    c.setFillGray(TINT)
    c.rect(LEFT * mm, (PAGE_H - 278.2) * mm, 4 * mm, 3 * mm, stroke=0, fill=1)
    c.setFillGray(0)
    sheet.text("灰色の欄は、窓口で確認・記入します。", LEFT + 5.5, 278, 7.5)
    sheet.text("この届書はセルフ受付端末で作成しました。", LEFT + 5.5, 282, 7.5)
    if data.visit_reference:
        sheet.value(
            "visit_reference",
            f"受付参照 {data.visit_reference}",
            140,
            279,
            55,
            4,
            size=7.5,
            min_size=5,
            max_lines=1,
            align="right",
        )
