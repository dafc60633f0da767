"""Follow a ticket: the page, 404 and 429, the live stream, nothing personal shown."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from starlette.testclient import TestClient

from kiosk.config import Settings
from kiosk.queue import QueueService
from kiosk.web.app import create_app
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


def _next_event(response: http.client.HTTPResponse) -> dict[str, str]:
    while True:
        line = response.readline().decode("utf-8")
        assert line, "the stream ended"
        if line.startswith("data: "):
            return json.loads(line[len("data: ") :])
