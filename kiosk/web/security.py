"""What keeps the pages safe on the internet: CSRF checks, security headers, body limits.

CSRF is a double-submit token: a random value in an HttpOnly, SameSite=Strict cookie and
the same value in a hidden field of every form, compared in constant time. A POST whose
``Origin`` (or, without one, ``Referer``) names another site is refused before that.
``Origin: null`` is not refused: with ``Referrer-Policy: no-referrer`` browsers send
``null`` for the page's own forms, and the SameSite=Strict cookie never travels with a
request another site starts, so the token alone decides then (docs/web.md).
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSRF_COOKIE = "wk_csrf"
CSRF_FIELD = "csrf"
MAX_BODY_BYTES = 32 * 1024
"""The largest request body taken: a form of answers and a few details is under 4 KiB."""

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    )
)
SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "cross-origin-opener-policy": "same-origin",
}
NO_STORE = "no-store"
STATIC_CACHE = "public, max-age=3600"


class CsrfRejected(Exception):
    """A POST without a valid token, or started from another site."""


def csrf_token(request: Request) -> str:
    """The token of this browser (its cookie's), or a new one the response will set."""
    token = getattr(request.state, "csrf", None)
    if token is None:
        cookie = request.cookies.get(CSRF_COOKIE, "")
        token = cookie if _well_formed(cookie) else secrets.token_urlsafe(32)
        request.state.csrf = token
        request.state.csrf_new = token != cookie
    return str(token)


def set_csrf_cookie(request: Request, response: Response) -> None:
    """Set the cookie when :func:`csrf_token` made a new token for this request."""
    if getattr(request.state, "csrf_new", False):
        response.set_cookie(
            CSRF_COOKIE,
            request.state.csrf,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            path="/",
        )


def check_csrf(request: Request, form_token: str, allowed_origins: Iterable[str]) -> None:
    """Raise CsrfRejected unless the POST comes from our own pages."""
    origin = request.headers.get("origin")
    if origin is None:
        referer = request.headers.get("referer")
        origin = _origin_of(referer) if referer else None
    if origin not in (None, "null") and origin not in {*allowed_origins, own_origin(request)}:
        raise CsrfRejected(f"a form sent from another site ({origin})")
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if not _well_formed(cookie) or not hmac.compare_digest(
        cookie.encode("ascii"), form_token.encode("ascii", "replace")
    ):
        raise CsrfRejected("the form's token does not match this browser's")


def own_origin(request: Request) -> str:
    """``scheme://host[:port]`` of this request as the browser sees it."""
    return f"{request.url.scheme}://{request.url.netloc}"


def origin_of_url(url: str) -> str | None:
    """The origin of a configured public URL, e.g. ``https://smart.ward.example``."""
    return _origin_of(url) if url else None


def _origin_of(url: str) -> str | None:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def _well_formed(token: str) -> bool:
    return 20 <= len(token) <= 100 and token.isascii()


class SecurityHeaders:
    """Adds :data:`SECURITY_HEADERS` to every response, and ``Cache-Control``: pages may
    hold codes or a ticket's state, so only static files may be cached."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers[name] = value
                headers["cache-control"] = STATIC_CACHE if static else NO_STORE
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimit:
    """Refuses request bodies over ``limit`` bytes with 413, by header and as read."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length", b"0")
        if not declared.isdigit() or int(declared) > self.limit:
            await _too_large(send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise BodyTooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except BodyTooLarge:
            await _too_large(send)


class BodyTooLarge(Exception):
    """A chunked body grew over the limit while it was read."""


async def _too_large(send: Send) -> None:
    body = b"Request body too large."
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
