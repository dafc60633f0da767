"""The cover page anyone can read: the route on top, the procedures in its order, what to
bring as a checklist, no text below 12 pt, a second page rather than smaller text."""

from __future__ import annotations

import re
import subprocess
from datetime import datetime

import pytest

from kiosk.catalog import Catalog
from kiosk.config import Settings
from kiosk.forms import cover, documents
from kiosk.forms.documents import Document, render_visit_document
from kiosk.guidance import Step
from kiosk.i18n import Translations
from kiosk.person import Person
from kiosk.visit import Ticket, Visit
from tests.forms.helpers import ANSWERS, TODAY, pdftotext, save_png, squash

TICKET = Ticket("A-012", "resident", 12, "resident", 3, datetime(2026, 11, 22, 10, 0))
ROUTE = {
    "ja": "手続き 4つ: 2番 → 5番 → 8番窓口",
    "en": "4 procedures: counter 2 → 5 → 8",
    "ko": "절차 4개: 2번 → 5번 → 8번 창구",
}
MOVING_IN = ["tennyu", "card_address_update", "nhi_enroll", "child_allowance"]


def _document(language: str, person: Person | None = None) -> Document:
    procedures = [p.id for p in Catalog.load().procedures_for(ANSWERS)]
    assert procedures == MOVING_IN
    visit = Visit(language, "7K2Q9", person, answers=dict(ANSWERS), procedures=procedures)
    texts = Translations.load(language)
    return render_visit_document(visit, TICKET, Settings(), Catalog.load(), texts, TODAY)


def _cover_pages(document: Document) -> list[str]:
    """The cover's pages' text, in the order it was drawn."""
    pages = pdftotext(document.pdf, raw=True).split("\f")[:-1]
    return pages[: len(pages) - len(document.forms)]


def text_sizes(pdf: bytes, first: int, last: int) -> list[tuple[float, str]]:
    """(height in pt, word) of every word on the pages: pdftotext's word boxes are as tall
    as the font size."""
    args = ["pdftotext", "-bbox-layout", "-f", str(first), "-l", str(last), "-", "-"]
    html = subprocess.run(args, input=pdf, capture_output=True, check=True).stdout.decode()
    words = re.findall(
        r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">(.*?)<', html
    )
    return [(float(bottom) - float(top), word) for top, bottom, word in words]


@pytest.mark.parametrize("language", ["ja", "en", "ko"])
def test_the_route_the_steps_in_its_order_and_the_checklist(language: str, demo: Person):
    document = _document(language, demo)
    [page] = _cover_pages(document)  # four procedures fit one page
    text = squash(page)
    texts = Translations.load(language)
    route = text.index(squash(ROUTE[language]))
    names = [text.index(squash(texts.procedure(p))) for p in MOVING_IN]
    assert route < names[0] and names == sorted(names)
    checklist = text.index(squash(texts.text("forms.cover.checklist")))
    assert names[-1] < checklist
    steps = Catalog.load().procedures_for(ANSWERS)
    things = dict.fromkeys(texts.item(i) for p in steps for i in p.items_to_bring(ANSWERS))
    assert len(things) >= 5
    for thing in things:
        assert squash(thing) in text[checklist:], thing
        assert text.count(squash(thing)) == 1, f"{thing} is on the checklist more than once"
    assert not document.cramped


@pytest.mark.parametrize("language", ["ja", "en", "ko"])
def test_no_text_on_the_cover_is_below_12_pt(language: str, demo: Person):
    document = _document(language, demo)
    sizes = text_sizes(document.pdf, 1, 1)
    assert len(sizes) > 40
    small = [(round(size, 1), word) for size, word in sizes if size < cover.BODY - 0.01]
    assert not small
    assert max(size for size, _ in sizes) >= 40  # the ticket number, large


def _many_steps(count: int) -> list[Step]:
    counters = ["5", "2", "8", "2", "3"]
    return [
        Step(
            procedure_id=f"p{n}",
            name=f"Procedure number {n} with a rather long name",
            counter=f"Counter {counters[n % 5]} (Desk {n})",
            counter_number=counters[n % 5],
            bring=(f"Document {n} for the procedure", f"Certificate {n} from the old ward"),
            needs_individual_number=n % 2 == 0,
        )
        for n in range(count)
    ]


def test_many_procedures_flow_onto_a_second_page_at_full_size(
    demo: Person, monkeypatch: pytest.MonkeyPatch
):
    steps = _many_steps(10)
    monkeypatch.setattr(documents, "visit_steps", lambda *args: steps)
    document = _document("en", demo)
    pages = _cover_pages(document)
    assert len(pages) == 2
    assert not document.cramped
    assert not [s for s, w in text_sizes(document.pdf, 1, 2) if s < cover.BODY - 0.01]
    assert "Page 1 of 2" in pages[0] and "Page 2 of 2" in pages[1]
    assert squash("Your visit today (continued)") in squash(pages[1]) and "A-012" in pages[1]
    text = squash("".join(pages))
    assert squash("10 procedures: counter 5 → 2 → 8 → 3") in text
    names = [text.index(squash(step.name)) for step in cover.in_route_order(steps)]
    assert names == sorted(names)
    assert [s.counter_number for s in cover.in_route_order(steps)] == ["5"] * 2 + ["2"] * 4 + [
        "8"
    ] * 2 + ["3"] * 2
    for step in steps:
        for thing in step.bring:
            assert squash(thing) in text
    save_png(document.pdf, "cover-many-procedures", resolution=50)


def test_pagination_keeps_every_block_in_order() -> None:
    heights = [30.0, 100.0, 100.0, 10.0]
    assert cover.paginate(heights, 284) == [[0, 1], [2, 3]]
    assert cover.paginate([500.0], 284) == [[0]]  # a block too tall for any page stays
