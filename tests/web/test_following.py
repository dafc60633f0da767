"""Follow a ticket: the page, 404 and 429, the live stream, nothing personal shown."""

from __future__ import annotations

import asyncio
import http.client
import json
import logging
import socket
import threading
import time
from collections.abc import Callable, Collection, Iterator
from datetime import datetime
from typing import Any

import pytest
import sqlalchemy
import uvicorn
from starlette.testclient import TestClient

from kiosk.config import Settings
from kiosk.queue import QueueService
from kiosk.storage.for_web import TicketView
from kiosk.storage.models import TICKET_STATUSES
from kiosk.web.app import create_app
from kiosk.web.following import (
    MAX_STREAMS_PER_TOKEN,
    OTHER_STATUS_TEXT,
    STATUS_TEXTS,
    TicketWatcher,
    TooManyStreams,
    _event,
    ticket_texts,
)
from kiosk.web.site import FAILED_LOOKUPS
from tests.web.conftest import form_fields
from tests.web.test_prepare import walk_to_result

NAME = "大阪 花子"


def test_the_ticket_page_shows_number_state_and_wait(client: TestClient, queue: QueueService):
    first = queue.issue("resident").ticket
    second = queue.issue("resident").ticket
    page = client.get(f"/t/{second.token}?lang=en")
    assert page.status_code == 200
    assert second.code in page.text
    assert "1 person is waiting ahead of you" in page.text
    assert "Estimated wait: about" in page.text
    assert '<meta http-equiv="refresh"' in page.text, "without JavaScript it reloads itself"
    queue.call_next("resident")
    called = client.get(f"/t/{first.token}?lang=ja")
    assert "2番窓口へお越しください" in called.text
    assert 'data-status="called"' in called.text


def test_the_page_is_in_the_tickets_language_unless_switched(
    client: TestClient, queue: QueueService
):
    token = queue.issue("resident").ticket.token
    assert '<html lang="ja">' in client.get(f"/t/{token}").text
    switched = client.get(f"/t/{token}?lang=vi")
    assert '<html lang="vi">' in switched.text


def test_an_unknown_token_is_404_then_429(client: TestClient):
    limit = int(FAILED_LOOKUPS.split("/")[0])
    for n in range(limit):
        page = client.get(f"/t/no-such-token-{n:04d}?lang=en")
        assert page.status_code == 404
        assert "This number was not found" in page.text
    assert client.get("/t/no-such-token-9999?lang=en").status_code == 429


def test_a_found_token_is_served_from_an_address_over_the_limit(
    client: TestClient, queue: QueueService
):
    """A ward's Wi-Fi (or a proxy on another host) gives many phones one address."""
    token = queue.issue("resident").ticket.token
    limit = int(FAILED_LOOKUPS.split("/")[0])
    for n in range(limit + 3):
        client.get(f"/t/no-such-token-{n:04d}?lang=en")
    assert client.get(f"/t/{token}?lang=en").status_code == 200
    assert client.get("/t/no-such-token-9999?lang=en").status_code == 429


def _set_status(settings: Settings, token: str, status: str) -> None:
    engine = sqlalchemy.create_engine(settings.database_url())
    with engine.begin() as connection:
        connection.execute(
            sqlalchemy.text("UPDATE tickets SET status = :status WHERE token = :token"),
            {"status": status, "token": token},
        )
    engine.dispose()


def test_every_ticket_status_has_a_text():
    assert set(STATUS_TEXTS) == set(TICKET_STATUSES)


@pytest.mark.parametrize("status", TICKET_STATUSES)
def test_every_status_shows_its_page(
    client: TestClient, queue: QueueService, web_settings: Settings, status: str
):
    token = queue.issue("resident").ticket.token
    _set_status(web_settings, token, status)
    page = client.get(f"/t/{token}?lang=en")
    assert page.status_code == 200, status
    assert f'data-status="{status}"' in page.text
    texts = site_of_client(client).texts("en")
    headline = texts.text(STATUS_TEXTS[status], counter="")
    assert headline.replace("'", "&#39;") in page.text


def site_of_client(client: TestClient) -> Any:
    return client.app.state.site  # type: ignore[attr-defined]


def test_a_transferred_ticket_says_where_it_went(
    client: TestClient, queue: QueueService, web_settings: Settings
):
    token = queue.issue("resident").ticket.token
    _set_status(web_settings, token, "transferred")
    assert "moved to another counter&#39;s queue" in client.get(f"/t/{token}?lang=en").text
    assert "ほかの窓口の順番に移りました" in client.get(f"/t/{token}?lang=ja").text
    _set_status(web_settings, token, "no_show")
    assert "you were not there" in client.get(f"/t/{token}?lang=en").text


def test_an_unknown_status_has_a_plain_headline(client: TestClient):
    view = _view("A-001", status="archived_in_2030")
    site = site_of_client(client)
    shown = ticket_texts(site, site.texts("en"), view)
    assert shown["headline"] == site.texts("en").text(OTHER_STATUS_TEXT)


class _Broken:
    def text(self, key: str, **_values: object) -> str:
        raise KeyError(key)


def test_an_update_that_fails_to_render_is_skipped(
    client: TestClient, caplog: pytest.LogCaptureFixture
):
    site = site_of_client(client)
    with caplog.at_level(logging.ERROR, logger="kiosk.web.following"):
        line = _event(site, _Broken(), _view("A-001"))  # type: ignore[arg-type]
    assert line.startswith(":") and line.endswith("\n\n"), "a comment: the stream goes on"
    assert any(r.exc_info for r in caplog.records)
    assert _event(site, site.texts("en"), _view("A-001")).startswith("data: ")


def test_nothing_personal_on_the_public_pages(client: TestClient, queue: QueueService):
    result = walk_to_result(client, "ja")
    details = {**form_fields(result), "lang": "ja", "name": NAME, "name_kana": "オオサカ ハナコ"}
    assert client.post("/prepare/code", data=details).status_code == 200
    token = queue.issue("resident").ticket.token
    for path in ("/waits", "/api/waits", f"/t/{token}", f"/t/{token}/events"):
        if path.endswith("/events"):
            continue  # the stream: test_the_stream_delivers_a_status_change
        body = client.get(path).text
        assert NAME not in body and "ハナコ" not in body, path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(web_settings: Settings, queue_store) -> Iterator[int]:
    """The app served by uvicorn in a thread (the test client cannot end a stream)."""
    port = _free_port()
    config = uvicorn.Config(
        create_app(web_settings),
        port=port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=1,
    )
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not running.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield port
    running.should_exit = True
    thread.join(10)


def test_the_stream_delivers_a_status_change(server: int, queue: QueueService):
    token = queue.issue("resident").ticket.token
    connection = http.client.HTTPConnection("127.0.0.1", server, timeout=5)
    connection.request("GET", f"/t/{token}/events?lang=ja")
    response = connection.getresponse()
    assert response.status == 200
    assert response.getheader("content-type", "").startswith("text/event-stream")
    first = _next_event(response)
    assert first["status"] == "waiting" and NAME not in json.dumps(first)
    called_at = time.monotonic()
    queue.call_next("resident")
    changed = _next_event(response)
    assert changed["status"] == "called"
    assert changed["headline"] == "2番窓口へお越しください"
    assert time.monotonic() - called_at < 2.0
    connection.close()


def test_every_status_gives_a_stream_event(
    server: int, queue: QueueService, web_settings: Settings
):
    for status in TICKET_STATUSES:
        token = queue.issue("resident").ticket.token
        _set_status(web_settings, token, status)
        connection = http.client.HTTPConnection("127.0.0.1", server, timeout=5)
        connection.request("GET", f"/t/{token}/events?lang=en")
        response = connection.getresponse()
        assert response.status == 200, status
        event = _next_event(response)
        assert event["status"] == status and event["headline"], status
        connection.close()


def test_a_token_holds_a_few_streams_at_most(server: int, queue: QueueService):
    token = queue.issue("resident").ticket.token
    path = f"/t/{token}/events?lang=en"
    streams = []
    for _ in range(MAX_STREAMS_PER_TOKEN):
        connection = http.client.HTTPConnection("127.0.0.1", server, timeout=5)
        connection.request("GET", path)
        response = connection.getresponse()
        assert response.status == 200
        _next_event(response)
        streams.append(connection)
    one_more = http.client.HTTPConnection("127.0.0.1", server, timeout=5)
    one_more.request("GET", path)
    refused = one_more.getresponse()
    assert refused.status == 429
    assert refused.getheader("content-security-policy"), "a refusal has the headers too"
    refused.read()
    one_more.close()
    other = queue.issue("resident").ticket.token  # another ticket is not affected
    connection = http.client.HTTPConnection("127.0.0.1", server, timeout=5)
    connection.request("GET", f"/t/{other}/events?lang=en")
    assert connection.getresponse().status == 200
    connection.close()
    streams.pop().close()  # a stream closed gives its place back
    deadline = time.monotonic() + 5
    while True:
        again = http.client.HTTPConnection("127.0.0.1", server, timeout=5)
        again.request("GET", path)
        answer = again.getresponse()
        if answer.status == 200 or time.monotonic() > deadline:
            break
        answer.read()
        again.close()
        time.sleep(0.1)
    assert answer.status == 200
    again.close()
    for connection in streams:
        connection.close()


def _next_event(response: http.client.HTTPResponse) -> dict[str, str]:
    while True:
        line = response.readline().decode("utf-8")
        assert line, "the stream ended"
        if line.startswith("data: "):
            return json.loads(line[len("data: ") :])


def _view(code: str, status: str = "waiting") -> TicketView:
    return TicketView(
        code=code,
        category="resident",
        status=status,
        ahead=0,
        estimated_minutes=0,
        counter_number="",
        language="ja",
        issued_at=datetime(2026, 12, 5, 9, 0).astimezone(),
    )


class _Events:
    """Queue events fired by hand."""

    def __init__(self) -> None:
        self.callbacks: list[Callable[[object], None]] = []

    def subscribe(self, callback: Callable[[object], None]) -> None:
        self.callbacks.append(callback)

    def fire(self) -> None:
        for callback in self.callbacks:
            callback(object())

    def close(self) -> None:
        self.callbacks.clear()


class _FailingOnce:
    """A store whose first ``statuses`` raises something that is no StorageError."""

    def __init__(self) -> None:
        self.calls = 0

    def statuses(self, tokens: Collection[str]) -> dict[str, TicketView]:
        self.calls += 1
        if self.calls == 1:
            raise RuntimeError("a bug in the store")
        return {token: _view("A-007") for token in tokens}


def test_the_watcher_goes_on_after_an_unexpected_error(caplog: pytest.LogCaptureFixture):
    store = _FailingOnce()
    events = _Events()
    watcher = TicketWatcher(store, lambda: events)  # type: ignore[arg-type]

    async def follow() -> TicketView:
        follower = watcher.follow("token-0001")
        events.fire()
        deadline = time.monotonic() + 5
        while store.calls < 1 and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        events.fire()  # the next event is read again
        return await asyncio.wait_for(follower.queue.get(), 5)

    watcher.start()
    try:
        with caplog.at_level(logging.ERROR, logger="kiosk.web.following"):
            view = asyncio.run(follow())
    finally:
        watcher.close()
    assert view.code == "A-007" and store.calls >= 2
    failed = [r for r in caplog.records if r.name == "kiosk.web.following"]
    assert failed and failed[0].exc_info is not None, "logged with its traceback"


def test_a_token_may_follow_a_few_times():
    watcher = TicketWatcher(_FailingOnce(), _Events)  # type: ignore[arg-type]

    async def follow() -> None:
        followers = [watcher.follow("token-0001") for _ in range(MAX_STREAMS_PER_TOKEN)]
        with pytest.raises(TooManyStreams):
            watcher.follow("token-0001")
        watcher.follow("token-0002")
        watcher.unfollow("token-0001", followers[0])
        watcher.follow("token-0001")

    asyncio.run(follow())
