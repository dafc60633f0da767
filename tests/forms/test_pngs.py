"""PNG pages of every form and of the cover page, in artifacts/forms/, to look at.

Forms: every procedure's form for the demo card in Japanese, for the long name and
address and for no card, and with translations (en, ko) for the demo card. The
cover page (with the forms behind it) for a move-in visit in ja, en and ko.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from kiosk.catalog import Catalog
from kiosk.config import Settings
from kiosk.forms.documents import render_visit_document
from kiosk.i18n import Translations
from kiosk.visit import Ticket, Visit
from tests.forms.helpers import ANSWERS, TODAY, procedures_with_forms, render, save_png

FORM_PROCEDURES = [
    "tennyu",
    "juminhyo",
    "inkan_register",
    "inkan_cert",
    "nhi_enroll",
    "nhi_withdraw",
    "child_allowance",
    "shussei",
]


def test_every_form_has_a_picture():
    forms = {f for p in procedures_with_forms() for f in Catalog.load().procedure(p).forms}
    covered = {f for p in FORM_PROCEDURES for f in Catalog.load().procedure(p).forms}
    assert covered == forms


@pytest.mark.parametrize("procedure", FORM_PROCEDURES)
def test_save_form_pngs(procedure: str, people):
    variants = [("demo", "ja"), ("long", "ja"), ("no_card", "ja"), ("demo", "en"), ("demo", "ko")]
    for who, language in variants:
        document = render(procedure, people[who], language=language)
        [png] = save_png(document.pdf, f"{procedure}-{who}-{language}")
        assert png.stat().st_size > 5_000


@pytest.mark.parametrize("language", ["ja", "en", "ko"])
def test_save_cover_pngs(language: str, people):
    catalog = Catalog.load()
    procedures = [p.id for p in catalog.procedures_for(ANSWERS)]
    visit = Visit(language, "7K2Q9", people["demo"], answers=dict(ANSWERS), procedures=procedures)
    ticket = Ticket("A-012", "resident", 12, "resident", 3, datetime(2026, 11, 22, 10, 0))
    texts = Translations.load(language)
    document = render_visit_document(visit, ticket, Settings(), catalog, texts, TODAY)
    pages = save_png(document.pdf, f"visit-{language}")
    assert len(pages) == 1 + len(document.forms)
