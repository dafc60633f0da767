"""Follow a queue ticket on a phone: ``/t/<token>`` and its live updates.

One :class:`TicketWatcher` per process subscribes to the queue's events
(:mod:`kiosk.queue.events`: LISTEN on PostgreSQL, polling on SQLite). On each event it
reads the statuses of every followed token at once and hands only the ones that changed
to their pages' Server-Sent Events streams. A failed token look-up counts against the
client address (``[web] forwarded_allow_ips`` says which proxies may name it); a
token found is always served, so a ward's shared address over the limit still sees its
tickets. One token may hold at most :data:`MAX_STREAMS_PER_TOKEN` live streams.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from kiosk.i18n import Translations
from kiosk.queue.events import QueueEvents
from kiosk.storage import StorageError
from kiosk.web.site import Site, client_address, message_page, page, site_of

if TYPE_CHECKING:
    from kiosk.storage.for_web import TicketView, WebStore

log = logging.getLogger(__name__)

KEEP_ALIVE_S = 15.0
STREAM_S = 600.0
"""A stream ends after this long; the browser's EventSource opens a new one by itself."""
RETRY_MS = 1000
GATHER_S = 0.2
"""How long after a queue event the statuses are read: events in between share the read."""
MAX_STREAMS_PER_TOKEN = 5
"""Live streams one token may hold open (a phone or two, reloads); one more gets 429."""

STATUS_TEXTS: dict[str, str] = {
    "waiting": "web.ticket.waiting",
    "called": "web.ticket.called",
    "serving": "web.ticket.serving",
    "done": "web.ticket.done",
    "no_show": "web.ticket.absent",
    "transferred": "web.ticket.transferred",
    "cancelled": "web.ticket.cancelled",
}
"""The headline's text of every ticket status (``kiosk.storage.models.TICKET_STATUSES``;
tests/web/test_following.py checks that none is missing)."""
OTHER_STATUS_TEXT = "web.ticket.other"
"""The headline of a status the web does not know yet: ask at the information desk."""


class TooManyStreams(Exception):
    """A token already holds :data:`MAX_STREAMS_PER_TOKEN` live streams."""


@dataclass(eq=False)
class _Follower:
    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue[TicketView]


class TicketWatcher:
    """The process's one subscription to the queue's events, shared by every page.

    Each event only marks the statuses stale; one thread reads them again for every
    followed ticket, so a burst of calls costs one read, not one per call.
    """

    def __init__(self, store: WebStore, open_events: Callable[[], QueueEvents]) -> None:
        self._store = store
        self._open_events = open_events
        self._events: QueueEvents | None = None
        self._followers: dict[str, set[_Follower]] = {}
        self._last: dict[str, TicketView] = {}
        self._lock = threading.Lock()
        self._stale = threading.Event()
        self._stopping = False
        self._refresher = threading.Thread(
            target=self._refresh_loop, name="ticket-watcher", daemon=True
        )

    def start(self) -> None:
        self._refresher.start()
        self._events = self._open_events()
        self._events.subscribe(self._changed)

    def close(self) -> None:
        if self._events is not None:
            self._events.close()
            self._events = None
        self._stopping = True
        self._stale.set()
        if self._refresher.is_alive():
            self._refresher.join(5)

    def follow(self, token: str) -> _Follower:
        """A new follower of ``token``; TooManyStreams when it has its most already."""
        follower = _Follower(asyncio.get_running_loop(), asyncio.Queue())
        with self._lock:
            followers = self._followers.setdefault(token, set())
            if len(followers) >= MAX_STREAMS_PER_TOKEN:
                raise TooManyStreams(token)
            followers.add(follower)
        return follower

    def unfollow(self, token: str, follower: _Follower) -> None:
        with self._lock:
            followers = self._followers.get(token, set())
            followers.discard(follower)
            if not followers:
                self._followers.pop(token, None)
                self._last.pop(token, None)

    @property
    def followed(self) -> int:
        with self._lock:
            return len(self._followers)

    def _changed(self, _event: object) -> None:
        """On the notifier's thread: the statuses are stale."""
        self._stale.set()

    def _refresh_loop(self) -> None:
        while True:
            self._stale.wait()
            time.sleep(GATHER_S)  # the rest of a burst of calls joins this read
            if self._stopping:
                return
            self._stale.clear()  # events from now on ask for one more read
            try:
                self._refresh()
            except StorageError as e:  # the database is away: the next event tries again
                log.warning("ticket statuses not refreshed: %s", e)
            except Exception:  # not only StorageError: this one thread feeds every live page;
                # were it to end, they would all stop updating without a word
                log.exception("ticket statuses not refreshed")

    def _refresh(self) -> None:
        """Push the statuses that changed to their followers."""
        with self._lock:
            tokens = list(self._followers)
        if not tokens:
            return
        statuses = self._store.statuses(tokens)
        with self._lock:
            for token, view in statuses.items():
                if self._last.get(token) == view or token not in self._followers:
                    continue
                self._last[token] = view
                for follower in self._followers[token]:
                    follower.loop.call_soon_threadsafe(follower.queue.put_nowait, view)


async def _view_or_refusal(request: Request, token: str, language: str) -> TicketView | Response:
    """The ticket's view, or the 404/429 page to answer instead.

    The token is looked up first: one found is always served, whatever its address did
    before (a ward's Wi-Fi, or every visitor when the proxy is on another host, shares
    one). A miss counts against the address; past the limit it gets 429, not 404.
    """
    site = site_of(request)
    view = await run_in_threadpool(site.store.ticket_status, token) if _plausible(token) else None
    if view is not None:
        return view
    if not site.limiter.hit(site.failed_lookups, client_address(request)):
        return message_page(request, language, "web.errors.title", "web.ticket.too_many_tries", 429)
    return message_page(
        request, language, "web.ticket.not_found_title", "web.ticket.not_found_body", 404
    )


def _plausible(token: str) -> bool:
    return (
        8 <= len(token) <= 100
        and token.isascii()
        and token.replace("-", "").replace("_", "").isalnum()
    )


async def _found(request: Request) -> tuple[Site, str, str, TicketView] | Response:
    """The site, the token, the page's language (asked for, else the ticket's) and the
    ticket's view; or the 404/429 page to answer instead."""
    site = site_of(request)
    token = request.path_params["token"]
    wanted = request.query_params.get("lang")
    view = await _view_or_refusal(request, token, site.language(wanted))
    if isinstance(view, Response):
        return view
    return site, token, site.language(wanted or view.language), view


async def ticket(request: Request) -> Response:
    """``/t/<token>``: the ticket's number, state, people ahead and wait."""
    found = await _found(request)
    if isinstance(found, Response):
        return found
    site, token, language, view = found
    return page(
        request,
        "ticket.html",
        language,
        token=token,
        shown=ticket_texts(site, site.texts(language), view),
    )


async def ticket_events(request: Request) -> Response:
    """``/t/<token>/events``: the ticket's texts as Server-Sent Events, on each change."""
    found = await _found(request)
    if isinstance(found, Response):
        return found
    site, token, language, _view = found
    texts = site.texts(language)
    watcher = site.watcher
    follower: _Follower | None = None
    if watcher is not None:
        try:  # before reading: a change in between is not lost
            follower = watcher.follow(token)
        except TooManyStreams:
            log.info("a token's live streams are at their most (%d)", MAX_STREAMS_PER_TOKEN)
            return PlainTextResponse("Too many live updates open for this ticket.", 429)

    def release() -> None:
        if watcher is not None and follower is not None:
            watcher.unfollow(token, follower)

    return _EventStream(
        _stream(request, site, texts, token, follower),
        release,
        media_type="text/event-stream",
        headers={"x-accel-buffering": "no"},  # nginx: pass each event on at once
    )


class _EventStream(StreamingResponse):
    """A stream that gives its follower back however it ends, even before it began."""

    def __init__(
        self, content: AsyncIterator[str], release: Callable[[], None], **kwargs: Any
    ) -> None:
        super().__init__(content, **kwargs)
        self._release = release

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._release()


async def _stream(
    request: Request,
    site: Site,
    texts: Translations,
    token: str,
    follower: _Follower | None,
) -> AsyncIterator[str]:
    yield f"retry: {RETRY_MS}\n\n"
    if follower is None:  # an app made without watching (tests): the state once
        return
    view = await run_in_threadpool(site.store.ticket_status, token)
    if view is not None:
        yield _event(site, texts, view)
    ends = time.monotonic() + STREAM_S
    while time.monotonic() < ends and not await request.is_disconnected():
        try:
            view = await asyncio.wait_for(follower.queue.get(), KEEP_ALIVE_S)
        except TimeoutError:
            yield ": keep-alive\n\n"
            continue
        yield _event(site, texts, view)


def _event(site: Site, texts: Translations, view: TicketView) -> str:
    """One Server-Sent Event of the ticket's texts; a comment line when they fail to
    render (logged), so that one bad update does not end the stream."""
    try:
        shown = ticket_texts(site, texts, view)
    except Exception:  # the page keeps its last state and the stream goes on
        log.exception("a ticket's update could not be shown (status %r)", view.status)
        return ": skipped\n\n"
    return f"data: {json.dumps(shown, ensure_ascii=False)}\n\n"


def ticket_texts(site: Site, texts: Translations, view: TicketView) -> dict[str, str]:
    """What the ticket page shows, by element: the same for the page and its updates."""
    status = str(view.status)
    ahead = ""
    wait = ""
    if status == "waiting":
        ahead = (
            texts.text("ui.done.waiting_ahead", n=view.ahead)
            if view.ahead
            else texts.text("ui.done.nobody_ahead")
        )
        if view.estimated_minutes > 0:
            wait = texts.text("web.ticket.estimate", n=view.estimated_minutes)
    counter = str(view.counter_number or "")
    return {
        "status": status,
        "code": str(view.code),
        "category": texts.text(f"catalog.categories.{view.category}"),
        "headline": texts.text(STATUS_TEXTS.get(status, OTHER_STATUS_TEXT), counter=counter),
        "ahead": ahead,
        "wait": wait,
    }
