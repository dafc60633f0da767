"""Calendar warnings on the cover page, in the visitor's language, through the real renderer."""

from __future__ import annotations

import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest

from kiosk.calendar_rules import warnings_for
from kiosk.catalog import Catalog
from kiosk.config import Settings
from kiosk.forms.documents import render_visit_document
from kiosk.i18n import Translations
from kiosk.visit import Ticket, Visit
from tests.forms.helpers import ANSWERS, pdftotext, squash
from tests.kiosk_fixture import make_checkout

TICKET = Ticket("A-012", "resident", 12, "resident", 3, datetime(2026, 12, 27, 10, 0))
ONLINE = {**ANSWERS, "move_in_from": "other_municipality_online", "cards": "all"}
FOURTH_SUNDAY = date(2026, 12, 27)
SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "calendar"
EXPECTED = {
    "ja": ["ご注意ください", "日曜開庁日", "14日以内", "暗証番号"],
    "en": ["Please note", "cannot be done today", "within 14 days", "4-digit PIN"],
    "ja-easy": ["気をつけてください", "今日は日曜日です", "14日の間", "暗証番号"],
}


def visit(language: str, answers: dict[str, str] = ONLINE) -> Visit:
    procedures = [p.id for p in Catalog.load().procedures_for(answers)]
    return Visit(language, "7K2Q9", None, answers=dict(answers), procedures=procedures)


def cover_text(pdf: bytes) -> str:
    return squash(pdftotext(pdf).split("\f")[0])


@pytest.mark.parametrize("language", ["ja", "en", "ja-easy"])
def test_the_cover_warns_in_the_visitors_language(language: str, tmp_path: Path):
    v = visit(language)
    warnings = warnings_for(v.answers, v.procedures, FOURTH_SUNDAY, where="kiosk")
    texts = Translations.load(language)
    document = render_visit_document(
        v, TICKET, Settings(), Catalog.load(), texts, FOURTH_SUNDAY, warnings=warnings
    )
    first = cover_text(document.pdf)
    for text in EXPECTED[language]:
        assert squash(text) in first, text
    assert not [t for t in document.cramped if any(t in w.text(texts) for w in warnings)]
    SHOTS.mkdir(parents=True, exist_ok=True)
    (tmp_path / "cover.pdf").write_bytes(document.pdf)
    stem = SHOTS / f"cover-{language}"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile",
         str(tmp_path / "cover.pdf"), str(stem)],
        check=True,
    )  # fmt: skip
    assert stem.with_suffix(".png").stat().st_size > 0


def test_without_warnings_the_cover_is_as_before():
    v = visit("ja")
    document = render_visit_document(
        v, TICKET, Settings(), Catalog.load(), Translations.load("ja"), FOURTH_SUNDAY
    )
    assert squash("ご注意ください") not in cover_text(document.pdf)


def test_the_checkout_prints_todays_warnings(kiosk_context):
    checkout = make_checkout(kiosk_context)
    checkout._today = lambda: FOURTH_SUNDAY  # a 4th Sunday: 特例転入 is not accepted
    v = visit("en")
    v.reference = ""
    try:
        outcome = checkout.complete(v)
    finally:
        checkout.close()
    assert outcome.print_error == ""
    [printed] = sorted(kiosk_context.settings.output_dir().glob("*forms*.pdf"))
    first = cover_text(printed.read_bytes())
    assert squash("cannot be done today") in first
    assert squash("within 14 days of moving") in first
