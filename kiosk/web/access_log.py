"""The access log: method, the route's template, status and time, nothing else.

uvicorn's own access log is off (``kiosk.web.server``): it writes the full path and
query, and ``/t/<token>`` holds a ticket's token. Here a ticket page is logged as
``/t/{token}``, a path no route knows as ``(unknown)``, and no client address is kept.
"""

from __future__ import annotations

import logging
import time

from starlette.routing import BaseRoute, Match, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("kiosk.web.access")


def route_template(routes: list[BaseRoute], scope: Scope) -> str:
    """The path of the route that serves ``scope``, with its parameters as ``{name}``."""
    for route in routes:
        match, _ = route.matches(scope)
        if match == Match.FULL:
            if isinstance(route, Mount):
                return f"{route.path}/…"
            return str(getattr(route, "path", "(unknown)"))
    return "(unknown)"


class AccessLog:
    """Logs one line per HTTP request at INFO on ``kiosk.web.access``."""

    def __init__(self, app: ASGIApp, routes: list[BaseRoute]) -> None:
        self.app = app
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.monotonic()
        status = 500

        async def keep_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, keep_status)
        finally:
            log.info(
                "%s %s %d %.0fms",
                scope.get("method", "?"),
                route_template(self.routes, scope),
                status,
                (time.monotonic() - started) * 1000,
            )
