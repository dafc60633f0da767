"""A request that fails: logged with its traceback, answered with the plain error page.

Starlette's own ``ServerErrorMiddleware`` sits outside every middleware the app adds, so
the 500 it answers would miss :class:`~kiosk.web.security.SecurityHeaders`' headers
(``Content-Security-Policy``, ``Cache-Control: no-store``…). :class:`ServerErrors` sits
inside them (``kiosk.web.app``), so an error page carries the same headers as any page.
"""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kiosk.web.site import message_page, site_of

log = logging.getLogger(__name__)


class ServerErrors:
    """Answers 500 with the error page in the visitor's language when the app raises
    before its response began; after that the exception goes on (nothing can be sent)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch_start(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watch_start)
        except Exception:
            if started:
                raise
            # The path is not logged: /t/<token> holds a ticket's secret.
            log.exception("a %s request failed", scope.get("method", "?"))
            await error_page(Request(scope, receive))(scope, receive, send)


def error_page(request: Request) -> Response:
    """The plain 500 page in the language asked for; plain text when even that fails."""
    try:
        site = site_of(request)
        language = site.language(request.query_params.get("lang"))
        return message_page(request, language, "web.errors.title", "web.errors.unavailable", 500)
    except Exception:  # the page itself failed: still answer the visitor
        log.exception("the error page could not be shown")
        return PlainTextResponse("Internal Server Error", status_code=500)
