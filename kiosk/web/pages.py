"""Prepare at home: the language, the questions one per page, then the result.

No session: every form carries the answers so far in hidden ``h`` fields
(``question=choice``), never in the URL (an answer can be personal, e.g. a
pregnancy), and the server replays them with :class:`kiosk.journey.Journey`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from kiosk.guidance import route_summary
from kiosk.journey import Event, Journey, QuestionShown, ResultShown
from kiosk.web.calendar import warning_texts
from kiosk.web.security import CSRF_FIELD, CsrfRejected, check_csrf
from kiosk.web.site import Site, message_page, page, site_of

log = logging.getLogger(__name__)

HISTORY_FIELD = "h"
MAX_ANSWERS = 40
"""More answers than any path of the tree has: a form with more is refused."""


class BadForm(ValueError):
    """A form the pages did not make: answers that do not fit, too many fields."""


@dataclass(frozen=True)
class Posted:
    """A POSTed form of these pages, checked: its language, the answers so far, the rest."""

    language: str
    history: list[tuple[str, str]]
    form: FormData


async def read_form(request: Request) -> Posted:
    """The form, CSRF-checked; raises CsrfRejected or BadForm."""
    site = site_of(request)
    form = await request.form(max_files=0, max_fields=MAX_ANSWERS + 20)
    check_csrf(request, str(form.get(CSRF_FIELD, "")), site.allowed_origins)
    language = site.language(str(form.get("lang", "")))
    entries = [str(v) for v in form.getlist(HISTORY_FIELD)]
    if len(entries) > MAX_ANSWERS or not all("=" in entry for entry in entries):
        raise BadForm("the answers in the form are not question=choice pairs")
    history = [(q, c) for q, _, c in (entry.partition("=") for entry in entries)]
    return Posted(language, history, form)


def journey_for(site: Site, language: str) -> Journey:
    context = site.context
    return Journey(
        context.catalog,
        context.settings,
        site.texts(language),
        today=lambda: today(site),
        where="home",  # the calendar's warnings for someone who has yet to come
    )


def replayed(site: Site, posted: Posted) -> tuple[Journey, Event]:
    """A journey with the posted answers given again; BadForm when they do not fit."""
    journey = journey_for(site, posted.language)
    try:
        return journey, journey.replay(posted.history)
    except (ValueError, KeyError) as e:
        raise BadForm(str(e)) from None


async def start(request: Request) -> Response:
    """``/``: the languages; ``/?lang=vi``: the first question in that language."""
    site = site_of(request)
    wanted = request.query_params.get("lang")
    if wanted not in site.context.languages:
        return page(request, "languages.html", site.language(None))
    journey = journey_for(site, wanted)
    return show(request, site, journey, journey.start())


async def prepare(request: Request) -> Response:
    """An answer (``answer``) or Back (``back``) on a question page."""
    try:
        posted = await read_form(request)
        site = site_of(request)
        journey, event = replayed(site, posted)
        if "back" in posted.form:
            back = journey.back() if posted.history else None
            if back is None:
                return page(request, "languages.html", posted.language)
            event = back
        elif "answer" in posted.form:
            event = answer(journey, str(posted.form["answer"]))
    except CsrfRejected as e:
        return refused(request, e)
    except BadForm as e:
        return bad_form(request, e)
    return show(request, site, journey, event)


def answer(journey: Journey, choice: str) -> Event:
    try:
        return journey.answer(choice)
    except ValueError as e:
        raise BadForm(str(e)) from None


def show(request: Request, site: Site, journey: Journey, event: Event) -> Response:
    """The page for ``event``: a question or the result."""
    language = journey.texts.language
    history = journey.history
    if isinstance(event, QuestionShown):
        texts = journey.texts
        question = event.question
        return page(
            request,
            "question.html",
            language,
            history=history_fields(history),
            question_id=question.id,
            title=texts.question(question.id),
            choices=[(c, texts.choice(question.id, c)) for c in question.choices],
            step=event.step,
            total=event.total,
        )
    if isinstance(event, ResultShown):
        return result_page(request, site, journey, event)
    return bad_form(request, BadForm(f"nothing to show for {type(event).__name__}"))


def result_page(request: Request, site: Site, journey: Journey, event: ResultShown) -> Response:
    texts = journey.texts
    warnings = warning_texts(texts, event.warnings)
    return page(
        request,
        "result.html",
        texts.language,
        history=history_fields(journey.history),
        steps=event.steps,
        route=route_summary(texts, event.steps),
        warnings=warnings,
    )


def history_fields(history: Sequence[tuple[str, str]]) -> list[str]:
    """The hidden ``h`` values of the answers so far."""
    return [f"{question}={choice}" for question, choice in history]


def today(site: Site) -> date:
    return site.clock().date()


def refused(request: Request, error: CsrfRejected) -> Response:
    log.info("form refused: %s", error)
    site = site_of(request)
    language = site.language(request.query_params.get("lang"))
    return message_page(request, language, "web.errors.title", "web.errors.csrf", 403)


def bad_form(request: Request, error: BadForm) -> Response:
    log.info("form not understood: %s", error)
    site = site_of(request)
    language = site.language(request.query_params.get("lang"))
    return message_page(request, language, "web.errors.title", "web.errors.bad_answers", 400)
