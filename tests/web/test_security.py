"""Safe on the internet: CSRF, security headers, body limits, logs without tokens."""

from __future__ import annotations

import logging

import pytest
from starlette.requests import Request
from starlette.responses import Response
from starlette.testclient import TestClient

from kiosk.queue import QueueService
from kiosk.web.security import CSRF_COOKIE
from tests.web.conftest import form_fields
from tests.web.test_prepare import walk_to_result

HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


def _first_answer(client: TestClient, **headers: str):
    page = client.get("/?lang=en")
    data = {**form_fields(page.text), "lang": "en", "answer": "move_in"}
    return client.post("/prepare?lang=en", data=data, headers=headers)


def test_a_post_with_the_token_and_our_origin_is_taken(client: TestClient):
    assert _first_answer(client, origin="http://testserver").status_code == 200


def test_origin_null_is_left_to_the_token(client: TestClient):
    """Browsers send ``Origin: null`` for a page's own forms under no-referrer."""
    assert _first_answer(client, origin="null").status_code == 200


def test_a_post_from_another_site_is_refused(client: TestClient):
    page = _first_answer(client, origin="https://evil.example")
    assert page.status_code == 403
    assert "another site" in page.text
    referred = _first_answer(client, referer="https://evil.example/form")
    assert referred.status_code == 403


def test_a_post_without_the_token_is_refused(client: TestClient):
    client.get("/?lang=en")
    assert client.post("/prepare", data={"lang": "en", "answer": "move_in"}).status_code == 403
    wrong = {"lang": "en", "answer": "move_in", "csrf": "x" * 43}
    assert client.post("/prepare", data=wrong).status_code == 403
    for path in ("/prepare/details", "/prepare/code"):
        assert client.post(path, data={"lang": "en"}).status_code == 403


def test_a_post_without_the_cookie_is_refused(client: TestClient):
    page = client.get("/?lang=en")
    fields = {**form_fields(page.text), "lang": "en", "answer": "move_in"}
    client.cookies.delete(CSRF_COOKIE)
    assert client.post("/prepare", data=fields).status_code == 403


def test_the_cookie_is_httponly_and_strict(client: TestClient):
    cookie = client.get("/?lang=en").headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")


def test_security_headers_on_every_response(client: TestClient, queue: QueueService):
    token = queue.issue("resident").ticket.token
    result = walk_to_result(client, "en")
    code_page = client.post("/prepare/code", data={**form_fields(result), "lang": "en"})
    responses = [
        client.get("/"),
        client.get("/?lang=vi"),
        client.get("/waits?lang=en"),
        client.get("/api/waits"),
        client.get(f"/t/{token}"),
        client.get("/t/unknown-token-123"),
        client.get("/no/such/page"),
        client.get("/static/web.css"),
        client.post("/prepare", data={}),
        code_page,
    ]
    for response in responses:
        for name, value in HEADERS.items():
            assert response.headers[name] == value, (response.url, name)
        policy = response.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy
        assert "script-src 'self'" in policy
        assert "permissions-policy" in response.headers
    pages = [r for r in responses if "/static/" not in str(r.url)]
    assert all(r.headers["cache-control"] == "no-store" for r in pages)


def test_pages_have_no_inline_script_or_style(client: TestClient):
    for path in ("/", "/?lang=en", "/waits"):
        html = client.get(path).text
        assert "<script>" not in html and "style=" not in html and "<style" not in html


def test_a_large_body_is_refused(client: TestClient):
    page = client.get("/?lang=en")
    data = {**form_fields(page.text), "lang": "en", "answer": "x" * 100_000}
    assert client.post("/prepare", data=data).status_code == 413


def test_the_access_log_names_routes_not_tokens(
    client: TestClient, queue: QueueService, caplog: pytest.LogCaptureFixture
):
    token = queue.issue("resident").ticket.token
    with caplog.at_level(logging.INFO, logger="kiosk.web.access"):
        client.get(f"/t/{token}?lang=en")
    lines = [r.getMessage() for r in caplog.records if r.name == "kiosk.web.access"]
    assert "GET /t/{token} 200" in " ".join(lines)
    assert all(token not in line for line in lines)


def test_no_postal_code_in_a_url(client: TestClient):
    """The 〒 look-up is a POST of the details form: a new address's code is personal."""
    assert client.get("/postal?code=5300001").status_code == 404


def test_a_server_error_has_the_headers_too(web_settings, queue_store):
    from kiosk.web.app import create_app

    async def broken(_request: Request) -> Response:
        raise RuntimeError("a bug")

    app = create_app(web_settings, watch=False)
    app.add_route("/test-only/broken", broken)
    with TestClient(app) as client:
        page = client.get("/test-only/broken?lang=en")
    assert page.status_code == 500
    assert "The reception system cannot be reached" in page.text
    assert page.headers["content-security-policy"].startswith("default-src 'none'")
    assert page.headers["cache-control"] == "no-store"
    for name, value in HEADERS.items():
        assert page.headers[name] == value


def test_behind_a_proxy_under_a_path(web_settings, queue_store):
    """``[web] public_url`` with a path: links carry it, and its origin may post."""
    from kiosk.web.app import create_app

    settings = web_settings.model_copy(
        update={
            "web": web_settings.web.model_copy(update={"public_url": "https://smart.example/kiosk"})
        }
    )
    with TestClient(create_app(settings)) as client:
        page = client.get("/?lang=en")
        assert 'action="/kiosk/prepare?lang=en"' in page.text
        assert 'href="/kiosk/static/web.css"' in page.text
        data = {**form_fields(page.text), "lang": "en", "answer": "move_in"}
        posted = client.post("/prepare", data=data, headers={"origin": "https://smart.example"})
        assert posted.status_code == 200
