"""The web application: routes, middleware, and the store and watcher it starts with.

``create_app(settings)`` reads the catalog and texts and opens the store as the ``web``
database role; tests (and the PostgreSQL checks) hand it any settings or store.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from kiosk.config import Settings
from kiosk.context import KioskContext
from kiosk.resources import resource
from kiosk.web import following, home_code, pages, waits
from kiosk.web.access_log import AccessLog
from kiosk.web.errors import ServerErrors
from kiosk.web.security import BodyLimit, SecurityHeaders
from kiosk.web.site import STATIC, Site, message_page, site_of

log = logging.getLogger(__name__)

DEVANAGARI_FONT = "NotoSansDevanagari-Regular.ttf"


def routes() -> list[BaseRoute]:
    """Every path; ``/``, ``/waits``, ``/api/waits`` and ``/t/{token}`` are printed on
    paper and must not change."""
    return [
        Route("/", pages.start, methods=["GET"]),
        Route("/prepare", pages.prepare, methods=["POST"]),
        Route("/prepare/details", home_code.details, methods=["POST"]),
        Route("/prepare/code", home_code.code, methods=["POST"]),
        Route("/waits", waits.waits_page, methods=["GET"]),
        Route("/api/waits", waits.api_waits, methods=["GET"]),
        Route("/t/{token}", following.ticket, methods=["GET"]),
        Route("/t/{token}/events", following.ticket_events, methods=["GET"]),
        Route("/static/fonts/devanagari.ttf", devanagari_font, methods=["GET"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]


def _open_store(context: KioskContext, clock: Callable[[], datetime] | None) -> Any:
    """The store as the ``web`` role may use it (tickets read, pre-entries written)."""
    from kiosk.storage.for_web import open_web_store

    return open_web_store(context.settings, catalog=context.catalog, clock=clock)


def create_app(
    settings: Settings,
    *,
    context: KioskContext | None = None,
    store: Any | None = None,
    clock: Callable[[], datetime] | None = None,
    watch: bool = True,
) -> Starlette:
    """The app for ``settings`` (``context``: their catalog and texts, when loaded
    already); ``store`` defaults to one opened from them, ``clock`` to the local time.
    ``watch=False`` leaves the queue's events unwatched (no live pages)."""
    context = context or KioskContext.load(settings=settings)
    site = Site(context, store if store is not None else _open_store(context, clock), clock or _now)
    table = routes()

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        if watch:
            site.watcher = following.TicketWatcher(site.store, lambda: _events(site.store))
            site.watcher.start()
        try:
            yield
        finally:
            if site.watcher is not None:
                site.watcher.close()

    app = Starlette(
        routes=table,
        middleware=[
            Middleware(AccessLog, routes=table),
            Middleware(SecurityHeaders),
            Middleware(ServerErrors),  # inside SecurityHeaders: a 500 has the headers too
            Middleware(BodyLimit),
        ],
        exception_handlers={404: _not_found, 405: _not_found},
        lifespan=lifespan,
    )
    app.state.site = site
    return app


async def devanagari_font(_request: Request) -> Response:
    """The kiosk's Devanagari font (resources/fonts/, OFL), for Nepali on phones without one."""
    return FileResponse(resource("fonts", DEVANAGARI_FONT), media_type="font/ttf")


def _events(store: Any) -> Any:
    from kiosk.queue.events import open_events

    return open_events(store)


def _now() -> datetime:
    return datetime.now().astimezone()


async def _not_found(request: Request, _exc: Exception) -> Response:
    site = site_of(request)
    language = site.language(request.query_params.get("lang"))
    return message_page(request, language, "web.errors.not_found", "web.errors.not_found_body", 404)
