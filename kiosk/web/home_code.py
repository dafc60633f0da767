"""Prepare at home, the end: the optional details, then the pre-entry code.

A resident without a card may type name, フリガナ, the moving date and the new address
(〒 looked up on the server: the "look up" button re-shows the form with the address
filled in). Each address may make :data:`~kiosk.web.site.CREATED_CODES` codes, and only
:data:`~kiosk.web.site.KEY_DERIVATIONS` are stored at once: each derives its key with
scrypt (16 MiB). The code is shown large, as a QR code holding ``WK-PRE:<code>``, on a page
that prints well and offers the QR code as a PNG to save.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from kiosk.journey import Journey, ResultShown
from kiosk.pre_entry import HomeDetails, PreEntry, format_code, qr_payload
from kiosk.web.calendar import warning_texts
from kiosk.web.pages import (
    BadForm,
    Posted,
    bad_form,
    history_fields,
    read_form,
    refused,
    replayed,
)
from kiosk.web.postal import look_up, normalize_postal_code
from kiosk.web.qr import qr_png_data_url, qr_svg
from kiosk.web.security import CsrfRejected
from kiosk.web.site import CREATED_CODES, Site, client_address, message_page, page, site_of

log = logging.getLogger(__name__)

DETAIL_FIELDS = ("name", "name_kana", "postal_code", "address", "moved_on")


async def details(request: Request) -> Response:
    """``POST /prepare/details``: the form (from the result), or a 〒 look-up in it."""
    found = await _at_result(request)
    if isinstance(found, Response):
        return found
    posted, _site, journey, _event = found
    values = {name: str(posted.form.get(name, "")).strip() for name in DETAIL_FIELDS}
    notice = ""
    if "lookup" in posted.form:
        values, notice = await _looked_up(values)
    return details_page(request, journey, values, {}, notice)


async def _looked_up(values: dict[str, str]) -> tuple[dict[str, str], str]:
    """The values with the address of their postal code, and the notice's text key."""
    code = normalize_postal_code(values["postal_code"])
    place = await run_in_threadpool(look_up, code) if code else None
    if place is None:
        return values, "web.details.not_found"
    address = values["address"]
    if not address.startswith(place.address):
        address = place.address
    return {**values, "postal_code": place.postal_code, "address": address}, "web.details.found"


def details_page(
    request: Request,
    journey: Journey,
    values: dict[str, str],
    faults: dict[str, str],
    notice: str,
) -> Response:
    return page(
        request,
        "details.html",
        journey.texts.language,
        history=history_fields(journey.history),
        values=values,
        faults=faults,
        notice=notice,
    )


async def code(request: Request) -> Response:
    """``POST /prepare/code``: store the pre-entry, show its code."""
    found = await _at_result(request)
    if isinstance(found, Response):
        return found
    posted, site, journey, event = found
    home, faults = _home_details(posted.form)
    if faults:
        values = {name: str(posted.form.get(name, "")).strip() for name in DETAIL_FIELDS}
        return details_page(request, journey, values, faults, "web.details.fix")
    if not site.limiter.hit(site.created_codes, client_address(request)):
        log.info("pre-entry codes of one address at their most (%s)", CREATED_CODES)
        return message_page(
            request, posted.language, "web.errors.title", "web.errors.too_many_codes", 429
        )
    now = site.clock()
    entry = PreEntry(
        language=posted.language,
        history=journey.history,
        procedures=list(journey.visit.procedures),
        details=home,
        created_at=now,
        expires_at=now + timedelta(days=site.config.pre_entry_days),
    )
    try:
        async with site.key_derivations:  # scrypt takes 16 MiB a key: a few at a time
            saved = await run_in_threadpool(lambda: site.store.save_pre_entry(entry, now=now))
    except Exception as e:  # noqa: BLE001 -- any storage failure: the resident may try again
        log.error("a pre-entry could not be stored: %s", type(e).__name__)
        return message_page(
            request, posted.language, "web.errors.title", "web.errors.unavailable", 503
        )
    return code_page(request, site, journey, event, entry, saved)


async def _at_result(request: Request) -> tuple[Posted, Site, Journey, ResultShown] | Response:
    """The posted answers replayed up to the result, or the page refusing the POST."""
    try:
        posted = await read_form(request)
        site = site_of(request)
        journey, event = replayed(site, posted)
    except CsrfRejected as e:
        return refused(request, e)
    except BadForm as e:
        return bad_form(request, e)
    if not isinstance(event, ResultShown):
        return bad_form(request, BadForm("this form needs every question answered"))
    return posted, site, journey, event


def _home_details(form: FormData) -> tuple[HomeDetails | None, dict[str, str]]:
    """The typed details (None when nothing was typed) and the faults by field."""
    values = {name: str(form.get(name, "")).strip() for name in DETAIL_FIELDS}
    if not any(values.values()):
        return None, {}
    faults: dict[str, str] = {}
    moved_on: date | None = None
    if values["moved_on"]:
        try:
            moved_on = date.fromisoformat(values["moved_on"])
        except ValueError:
            faults["moved_on"] = "format"
    postal_code = values["postal_code"]
    if postal_code:
        postal_code = normalize_postal_code(postal_code) or postal_code
    home = HomeDetails(
        name=values["name"],
        name_kana=values["name_kana"],
        postal_code=postal_code,
        address=values["address"],
        moved_on=moved_on,
    )
    return home, {**home.faults(), **faults}


def code_page(
    request: Request,
    site: Site,
    journey: Journey,
    event: ResultShown,
    entry: PreEntry,
    saved: str,
) -> Response:
    texts = journey.texts
    shown = format_code(saved)
    label = texts.text("web.code.qr_label", code=shown)
    journey.visit.home = entry.details  # the deadlines count from the moving date typed
    return page(
        request,
        "code.html",
        texts.language,
        code=shown,
        qr=qr_svg(qr_payload(saved), label),
        png=qr_png_data_url(qr_payload(saved)),
        valid_until=texts.info.date(_last_day(entry.expires_at)),
        steps=event.steps,
        warnings=warning_texts(texts, journey.warnings()),
    )


def _last_day(expires_at: datetime) -> date:
    """The last day the code works: the day before it expires when that is at midnight."""
    return (expires_at - timedelta(microseconds=1)).date()
