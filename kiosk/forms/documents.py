"""One print job per visit: the cover page, then every form of the visit's procedures.

``render_visit_document`` is what the checkout calls; ``render_form`` renders a
single form (``ward-kiosk forms render``, the benchmark).
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from kiosk.calendar_rules import CalendarWarning
from kiosk.catalog import Catalog
from kiosk.config import Settings
from kiosk.forms import fonts
from kiosk.forms.cover import Cover, draw_cover
from kiosk.forms.layout import LAYOUTS, Layout
from kiosk.forms.render import Drawn, Flag, FormData, Glossary, draw_form
from kiosk.guidance import counter_label, route_summary
from kiosk.i18n import Translations
from kiosk.person import Person
from kiosk.tickets.slip import visit_steps
from kiosk.visit import Ticket, Visit


@dataclass(frozen=True)
class Document:
    """A rendered print job: the PDF, and the fields staff must check."""

    pdf: bytes
    forms: tuple[str, ...]  # form ids, in page order (after the cover, if any)
    flags: tuple[Flag, ...] = ()  # fields with characters the fonts lack (printed as 〓)
    cramped: tuple[str, ...] = ()  # texts squeezed below their size, for the tests
    missing: tuple[str, ...] = ()  # characters of fixed texts (translations) in no font

    @property
    def needs_review(self) -> bool:
        return bool(self.flags)


def forms_of(procedures: Sequence[str], catalog: Catalog) -> list[tuple[str, str]]:
    """(form id, procedure) for the procedures' forms, each form once, in the visit's order."""
    forms: dict[str, str] = {}
    for procedure_id in procedures:
        for form_id in catalog.procedure(procedure_id).forms:
            forms.setdefault(form_id, procedure_id)
    return list(forms.items())


def render_visit_document(
    visit: Visit,
    ticket: Ticket,
    settings: Settings,
    catalog: Catalog,
    texts: Translations,
    today: date,
    layouts: Mapping[str, Layout] = LAYOUTS,
    warnings: Sequence[CalendarWarning] = (),
) -> Document:
    """The cover page in the visitor's language (one page or more), then every form of the
    visit, as one PDF; ``warnings`` (kiosk.calendar_rules) are printed on the cover."""
    forms = forms_of(visit.procedures, catalog)
    glossary = Glossary(texts)
    steps = visit_steps(visit, catalog, settings, texts)
    cover = Cover(
        ward_name=settings.ward.name_in(texts.language),
        today=today,
        reference=visit.reference,
        ticket_code=ticket.code,
        ticket_counter=counter_label(settings, texts, ticket.counter),
        steps=steps,
        forms=[(layouts[f].title, glossary(layouts[f].key, layouts[f].title)) for f, _ in forms],
        route=route_summary(texts, steps),
        warnings=[warning.text(texts) for warning in warnings],
    )

    def pages(canvas: Canvas) -> list[Drawn]:
        drawn = [draw_cover(canvas, cover, texts)]
        canvas.showPage()
        for form_id, procedure in forms:
            data = _data(procedure, visit.person, visit.answers, settings, today, visit.reference)
            data = dataclasses.replace(data, home=visit.home)
            drawn.append(draw_form(canvas, form_id, layouts[form_id], data, glossary))
            canvas.showPage()
        return drawn

    return _render("申請書", [f for f, _ in forms], pages)


def render_form(
    procedure: str,
    person: Person | None,
    answers: Mapping[str, str],
    *,
    settings: Settings,
    catalog: Catalog,
    texts: Translations | None,
    today: date,
    reference: str = "",
    layouts: Mapping[str, Layout] = LAYOUTS,
) -> Document:
    """The procedure's forms alone (no cover); KeyError if it names none."""
    form_ids = catalog.procedure(procedure).forms
    if not form_ids:
        raise KeyError(procedure)
    data = _data(procedure, person, answers, settings, today, reference)
    glossary = Glossary(texts)

    def pages(canvas: Canvas) -> list[Drawn]:
        drawn = []
        for form_id in form_ids:
            drawn.append(draw_form(canvas, form_id, layouts[form_id], data, glossary))
            canvas.showPage()
        return drawn

    return _render(layouts[form_ids[0]].title, list(form_ids), pages)


def _data(
    procedure: str,
    person: Person | None,
    answers: Mapping[str, str],
    settings: Settings,
    today: date,
    reference: str,
) -> FormData:
    return FormData(
        procedure=procedure,
        person=person,
        answers=dict(answers),
        ward_name=settings.ward.name,
        addressee=settings.ward.form_addressee(),
        today=today,
        reference=reference,
    )


def _render(title: str, forms: list[str], pages: Callable[[Canvas], list[Drawn]]) -> Document:
    buffer = io.BytesIO()
    with fonts.rendering():
        canvas = Canvas(
            buffer, pagesize=A4, invariant=1, pageCompression=1, initialFontName=fonts.FONT_NAME
        )
        canvas.setTitle(title)
        canvas.setCreator("ward-kiosk")
        canvas.setAuthor("ward-kiosk")
        drawn = pages(canvas)
        canvas.save()
    return Document(
        buffer.getvalue(),
        tuple(forms),
        tuple(flag for d in drawn for flag in d.flags),
        tuple(text for d in drawn for text in d.cramped),
        tuple(dict.fromkeys(ch for d in drawn for ch in d.missing)),
    )
