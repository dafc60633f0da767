"""Prepare at home with the test client: the questions, the result, the details, the code."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from kiosk.pre_entry import normalize_code
from kiosk.web.app import create_app
from kiosk.web.site import CREATED_CODES
from tests.web.conftest import form_fields

MOVING_IN = {
    "purpose": "move_in",
    "move_in_from": "other_municipality",
    "household_size": "2",
    "children": "yes",
    "insurance": "national",
    "cards": "none",
    "priority": "none",
}
QUESTION = re.compile(r'name="answer" value="([^"]+)"')
CODE = re.compile(r'id="pre-entry-code">([2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4})<')


def question_of(html: str) -> str | None:
    """The question on a page, from its hidden history and choices (None: the result)."""
    choices = QUESTION.findall(html)
    if not choices:
        return None
    return next((q for q, a in MOVING_IN.items() if a in choices and q not in answered(html)), None)


def answered(html: str) -> set[str]:
    return {entry.partition("=")[0] for entry in form_fields(html)["h"]}  # type: ignore[union-attr]


def walk_to_result(client: TestClient, language: str) -> str:
    """Answer every question as a resident moving in from another city; the result page."""
    page = client.get(f"/?lang={language}")
    assert page.status_code == 200
    for _ in range(12):
        choices = QUESTION.findall(page.text)
        if not choices:
            return page.text
        fields = form_fields(page.text)
        known = [a for q, a in MOVING_IN.items() if a in choices and q not in answered(page.text)]
        page = client.post(
            "/prepare",
            data={**fields, "lang": language, "answer": known[0] if known else choices[0]},
        )
        assert page.status_code == 200, page.text
    raise AssertionError("the questions did not end")


@pytest.mark.parametrize(
    ("language", "procedure", "bring"),
    [("ja", "転入届", "お持ちいただくもの"), ("en", "Moving-in notification", "Please bring")],
)
def test_the_whole_pre_entry_path(client: TestClient, language, procedure, bring):
    result = walk_to_result(client, language)
    assert f'<html lang="{language}">' in result
    assert procedure in result
    assert bring in result
    page = client.post("/prepare/code", data={**form_fields(result), "lang": language})
    assert page.status_code == 200, page.text
    found = CODE.search(page.text)
    assert found is not None, "the code is shown large as XXXX-XXXX-XXXX"
    assert normalize_code(found.group(1)) is not None
    assert '<svg class="qr" role="img"' in page.text
    assert 'download="pre-entry-qr.png"' in page.text and "data:image/png;base64," in page.text
    assert page.headers["cache-control"] == "no-store"
    assert procedure in page.text, "the code page lists the procedures again"
    assert _qr_text(page.text) == f"WK-PRE:{normalize_code(found.group(1))}"


def _qr_text(html: str) -> str:
    """What the page's PNG QR code (the one to save) holds, read by zxing."""
    import base64
    import io

    import zxingcpp
    from PIL import Image

    data = re.search(r'href="data:image/png;base64,([^"]+)"', html)
    assert data is not None
    image = Image.open(io.BytesIO(base64.b64decode(data.group(1))))
    results = zxingcpp.read_barcodes(image)
    assert len(results) == 1
    return str(results[0].text)


def test_details_with_a_postal_code_look_up_then_the_code(client: TestClient):
    result = walk_to_result(client, "ja")
    fields = {**form_fields(result), "lang": "ja"}
    form = client.post("/prepare/details", data=fields)
    assert 'name="postal_code"' in form.text and 'for="f-name_kana"' in form.text
    typed = {
        **fields,
        "name": "大阪 太郎",
        "name_kana": "オオサカ タロウ",
        "postal_code": "530-0001",
    }
    looked_up = client.post("/prepare/details", data={**typed, "lookup": "1"})
    assert "大阪府大阪市北区梅田" in looked_up.text
    assert 'value="5300001"' in looked_up.text
    page = client.post(
        "/prepare/code",
        data={
            **typed,
            "postal_code": "5300001",
            "address": "大阪府大阪市北区梅田1丁目2番3号",
            "moved_on": "2026-11-28",
        },
    )
    assert CODE.search(page.text) is not None, page.text


def test_an_unknown_postal_code_is_said_so(client: TestClient):
    result = walk_to_result(client, "en")
    page = client.post(
        "/prepare/details",
        data={**form_fields(result), "lang": "en", "postal_code": "0000000", "lookup": "1"},
    )
    assert "This postal code was not found" in page.text


def test_a_bad_detail_is_shown_next_to_its_field(client: TestClient):
    result = walk_to_result(client, "en")
    page = client.post(
        "/prepare/code",
        data={**form_fields(result), "lang": "en", "name": "x" * 500, "postal_code": "12"},
    )
    assert page.status_code == 200
    assert 'aria-invalid="true" aria-describedby="e-name"' in page.text
    assert "This is too long" in page.text and "not written in the right format" in page.text
    assert CODE.search(page.text) is None


def test_back_returns_to_the_previous_question(client: TestClient):
    first = client.get("/?lang=en")
    second = client.post(
        "/prepare", data={**form_fields(first.text), "lang": "en", "answer": "move_in"}
    )
    back = client.post("/prepare", data={**form_fields(second.text), "lang": "en", "back": "1"})
    assert 'value="move_in"' in back.text and form_fields(back.text)["h"] == []


def test_answers_that_do_not_fit_the_questions_are_refused(client: TestClient):
    first = client.get("/?lang=en")
    fields = {**form_fields(first.text), "lang": "en", "h": ["purpose=no_such"], "answer": "x"}
    assert client.post("/prepare", data=fields).status_code == 400


def test_an_address_makes_a_few_codes_an_hour(web_settings, queue_store):
    """Each code derives a key with scrypt (16 MiB): one address may not make many."""
    limit = int(CREATED_CODES.split("/")[0])
    app = create_app(web_settings, watch=False)
    with (
        TestClient(app, client=("192.0.2.10", 50000)) as one,
        TestClient(app, client=("192.0.2.20", 50000)) as other,
    ):
        result = walk_to_result(one, "en")
        fields = {**form_fields(result), "lang": "en"}
        for _ in range(limit):
            assert CODE.search(one.post("/prepare/code", data=fields).text) is not None
        refused = one.post("/prepare/code", data=fields)
        assert refused.status_code == 429
        assert "Too many codes were made" in refused.text
        assert CODE.search(refused.text) is None
        elsewhere = walk_to_result(other, "ja")
        page = other.post("/prepare/code", data={**form_fields(elsewhere), "lang": "ja"})
        assert page.status_code == 200 and CODE.search(page.text) is not None


def test_the_languages_are_each_in_their_own_script(client: TestClient):
    page = client.get("/")
    for name in ("日本語", "やさしい日本語", "English", "Tiếng Việt", "नेपाली", "한국어"):
        assert name in page.text
