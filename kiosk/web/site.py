"""What every page needs: the kiosk's context, the store, the templates, the language.

:class:`Site` is built once per process by :func:`kiosk.web.app.create_app` and kept
in ``app.state.site``; :func:`page` renders a template in the visitor's language with
the values every page shows (ward name, languages, the CSRF token).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import jinja2
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.requests import Request
from starlette.responses import HTMLResponse

from kiosk.config import WebSettings
from kiosk.context import KioskContext
from kiosk.i18n import Translations
from kiosk.web.security import csrf_token, origin_of_url, set_csrf_cookie

if TYPE_CHECKING:
    from kiosk.storage.for_web import WebStore
    from kiosk.web.following import TicketWatcher

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
FAILED_LOOKUPS = "10/minute"
"""Failed ticket look-ups a client address may make before it gets 429 for a while."""
CREATED_CODES = "10/hour"
"""Pre-entry codes a client address may make; each derives a key with scrypt (16 MiB)."""
KEY_DERIVATIONS = 2
"""Pre-entries stored (their keys derived) at once; more wait their turn."""


@dataclass
class Site:
    """One running web app: context, store, templates and the limiters."""

    context: KioskContext
    store: WebStore
    clock: Callable[[], datetime]
    templates: jinja2.Environment = field(init=False)
    limiter: MovingWindowRateLimiter = field(init=False)
    failed_lookups: RateLimitItem = field(init=False)
    created_codes: RateLimitItem = field(init=False)
    key_derivations: asyncio.Semaphore = field(init=False)
    watcher: TicketWatcher | None = None  # started with the app (its lifespan)

    def __post_init__(self) -> None:
        self.templates = jinja2.Environment(
            loader=jinja2.FileSystemLoader(TEMPLATES),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.limiter = MovingWindowRateLimiter(MemoryStorage())
        self.failed_lookups = parse(FAILED_LOOKUPS)
        self.created_codes = parse(CREATED_CODES)
        self.key_derivations = asyncio.Semaphore(KEY_DERIVATIONS)

    @property
    def config(self) -> WebSettings:
        return self.context.settings.web

    @property
    def base(self) -> str:
        """The path the proxy serves the app under ("" or e.g. "/kiosk"), for links."""
        return urlsplit(self.config.public_url).path.rstrip("/")

    @property
    def allowed_origins(self) -> set[str]:
        origin = origin_of_url(self.config.public_url)
        return {origin} if origin else set()

    def language(self, wanted: str | None) -> str:
        """``wanted`` when the ward offers it, else the first language offered."""
        languages = self.context.languages
        return wanted if wanted in languages else languages[0]

    def texts(self, language: str) -> Translations:
        return self.context.texts_for(language)


def site_of(request: Request) -> Site:
    site: Site = request.app.state.site
    return site


def client_address(request: Request) -> str:
    """The visitor's address: uvicorn puts X-Forwarded-For's there for trusted proxies."""
    return request.client.host if request.client else "unknown"


def html_lang(texts: Translations) -> str:
    """The ``lang`` attribute: BCP 47 from the language's locale (やさしい日本語 is ``ja``)."""
    return str(texts.info.locale).replace("_", "-")


def page(
    request: Request,
    template: str,
    language: str,
    *,
    status_code: int = 200,
    **values: Any,
) -> HTMLResponse:
    """``template`` rendered in ``language`` with what every page shows."""
    site = site_of(request)
    texts = site.texts(language)
    context = site.context
    html = site.templates.get_template(template).render(
        t=texts.text,
        texts=texts,
        lang=language,
        base=site.base,
        html_lang=html_lang(texts),
        ward=context.settings.ward.name_in(language),
        languages=[(code, site.texts(code).name) for code in context.languages],
        csrf=csrf_token(request),
        **values,
    )
    response = HTMLResponse(html, status_code=status_code)
    set_csrf_cookie(request, response)
    return response


def message_page(
    request: Request, language: str, title_key: str, body_key: str, status_code: int
) -> HTMLResponse:
    """A plain page with one message, e.g. 404 or 429, in ``language``."""
    return page(
        request,
        "message.html",
        language,
        status_code=status_code,
        title_key=title_key,
        body_key=body_key,
    )
