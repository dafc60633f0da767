"""Live waits: ``/waits`` (a page) and ``/api/waits`` (JSON, fields in docs/web.md).

Per queue category the people waiting and the estimated wait, today's tickets per hour
so far, and the opening hours. Counts only: nothing of any ticket or visitor.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from kiosk.i18n import Translations
from kiosk.web.calendar import hours_text
from kiosk.web.site import Site, message_page, page, site_of

log = logging.getLogger(__name__)


async def _read(site: Site) -> Any | None:
    """The store's waits now, or None when the database cannot be reached."""
    try:
        return await run_in_threadpool(lambda: site.store.waits(now=site.clock()))
    except Exception:
        import logging

        logging.getLogger(__name__).exception("the waits could not be read")
        return None


def waits_data(site: Site, texts: Translations, waits: Any, at: datetime) -> dict[str, Any]:
    """The JSON of ``/api/waits``; the page shows the same values."""
    catalog = site.context.catalog
    categories = sorted(catalog.categories.values(), key=lambda c: c.order)
    per_category = waits.categories
    rows = []
    for category in categories:
        wait = per_category.get(category.id)
        minutes = wait.estimated_minutes if wait is not None else None
        rows.append(
            {
                "id": category.id,
                "letter": category.letter,
                "name": texts.text(f"catalog.categories.{category.id}"),
                "waiting": wait.waiting if wait is not None else 0,
                "estimated_minutes": round(minutes) if minutes is not None else None,
            }
        )
    return {
        "language": texts.language,
        "updated_at": at.isoformat(timespec="seconds"),
        "categories": rows,
        "issued_by_hour": [
            {"hour": hour, "issued": count} for hour, count in sorted(waits.issued_by_hour.items())
        ],
    }


async def api_waits(request: Request) -> Response:
    site = site_of(request)
    texts = site.texts(site.language(request.query_params.get("lang")))
    now = site.clock()
    waits = await _read(site)
    if waits is None:
        return JSONResponse({"error": "unavailable"}, status_code=503)
    return JSONResponse(waits_data(site, texts, waits, now))


async def waits_page(request: Request) -> Response:
    site = site_of(request)
    language = site.language(request.query_params.get("lang"))
    texts = site.texts(language)
    now = site.clock()
    waits = await _read(site)
    if waits is None:
        return message_page(request, language, "web.errors.title", "web.errors.unavailable", 503)
    data = waits_data(site, texts, waits, now)
    hours = data["issued_by_hour"]
    return page(
        request,
        "waits.html",
        language,
        data=data,
        busiest=max((h["issued"] for h in hours), default=0),
        updated=texts.text("web.waits.updated", time=f"{now.hour}:{now.minute:02d}"),
        hours=hours_text(texts, now.date()),
    )
