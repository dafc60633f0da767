"""A visit prepared at home, printed at the kiosk: typed or scanned code, real card stack."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from kiosk.card.virtual.persona import load_persona
from kiosk.config import Settings
from kiosk.pre_entry import PreEntry, qr_payload
from kiosk.resources import resource
from kiosk.storage.for_web import open_web_store
from tests.kiosk_fixture import pdf_text
from tests.pre_entries import MOVING_IN, home_details

pytestmark = pytest.mark.pcsc

PERSONA = load_persona(resource("personas", "demo.toml"))
HISTORY = MOVING_IN
HOME = home_details(date(2026, 11, 28))


def prepare(settings: Settings, language: str = "en", history=HISTORY, **changes) -> str:
    """A pre-entry saved the way the web app saves it; its code."""
    store = open_web_store(settings)
    try:
        entry = PreEntry(
            language=language,
            history=list(history),
            procedures=[],
            details=HOME,
            created_at=datetime.now(UTC),
            expires_at=datetime.now(UTC) + timedelta(days=30),
        )
        return store.save_pre_entry(entry, **changes)
    finally:
        store.close()


def type_code(visitor, code: str) -> None:
    window = visitor.window
    visitor.click(window.welcome.prepared)
    visitor.wait_for(window.prepared)
    for char in code:
        visitor.click(window.prepared.keys[char])
    visitor.click(window.prepared.ok)


def scan(window, text: str) -> None:
    """What a keyboard-wedge scanner does: types the text fast, then Enter."""
    QTest.keyClicks(window.current_screen(), text)
    QTest.keyClick(window.current_screen(), Qt.Key.Key_Return)


def test_a_typed_code_prints_the_forms_with_the_answers_from_home(
    visitor, kiosk_window, pcsc_reader, virtual_card
):
    window = kiosk_window
    settings = window.context.settings
    code = prepare(settings, language="en")
    type_code(visitor, code)
    visitor.wait_for(window.result)
    assert window.texts.language == "en", "the language chosen at home"
    shown = "\n".join(window.visible_texts())
    assert "Moving-in notification (転入届)" in shown
    assert window.visit is not None and window.visit.answers["household_size"] == "2"

    visitor.with_card(PERSONA.pin, number=True)
    visitor.click(window.confirm.ok)
    visitor.answer("none")  # the priority question comes after the card, as in any visit
    visitor.wait_for(window.done)
    assert virtual_card.pin_entries == 1

    [form] = sorted(settings.output_dir().glob("*forms*.pdf"))
    text = pdf_text(form).replace(" ", "")
    assert "〒530-0001大阪府大阪市北区梅田1丁目2番3号梅田ハイツ405" in text
    assert "令和8年11月28日" in text  # 異動日, the moving date typed at home
    assert PERSONA.person.name.replace(" ", "") in text  # the card's name, read with the PIN


def test_a_scanned_code_loads_on_the_welcome_screen_and_prints_only_once(
    visitor, kiosk_window, pcsc_reader
):
    window = kiosk_window
    code = prepare(window.context.settings, language="ja")
    scan(window, qr_payload(code))
    visitor.wait_for(window.result)
    assert "転入届" in "\n".join(window.visible_texts())
    visitor.without_card()
    visitor.answer("none")
    visitor.wait_for(window.done)
    visitor.click(window.done.finish)
    visitor.wait_for(window.welcome)

    scan(window, qr_payload(code))  # the same paper again
    visitor.wait_for(window.prepared)
    visitor.qtbot.waitUntil(lambda: window.prepared.notice.isVisible(), timeout=10_000)
    assert "すでに使われています" in window.prepared.notice.text()


def test_a_code_scanned_mid_visit_replaces_the_answers_so_far(visitor, kiosk_window, pcsc_reader):
    window = kiosk_window
    code = prepare(window.context.settings, language="ja")
    visitor.start("ja")
    visitor.answer("certificate")
    scan(window, qr_payload(code).lower())  # scanners may send lower case
    visitor.wait_for(window.result)
    assert window.visit is not None and window.visit.answers.get("purpose") == "move_in"


def test_a_wrong_code_says_so_in_the_visitors_language_and_keeps_what_was_typed(
    visitor, kiosk_window
):
    window = kiosk_window
    visitor.click(window.welcome.language_buttons["en"])
    visitor.wait_for(window.question)
    window.show_welcome()
    window.choose_language("en")
    type_code(visitor, "ABCDEFGHJKLM")
    visitor.qtbot.waitUntil(lambda: window.prepared.notice.isVisible(), timeout=10_000)
    assert "This code was not found" in window.prepared.notice.text()
    assert window.prepared.code.text() == "ABCD-EFGH-JKLM"
    visitor.click(window.prepared.back)
    visitor.wait_for(window.welcome)


def test_an_expired_code_is_refused(visitor, kiosk_window):
    window = kiosk_window
    long_ago = datetime.now(UTC) - timedelta(days=45)
    code = prepare(window.context.settings, language="ja", now=long_ago)
    type_code(visitor, code)
    visitor.qtbot.waitUntil(lambda: window.prepared.notice.isVisible(), timeout=10_000)
    assert "有効期限が切れています" in window.prepared.notice.text()


def test_a_scan_once_the_card_step_has_begun_is_ignored(visitor, kiosk_window, pcsc_reader):
    window = kiosk_window
    code = prepare(window.context.settings, language="ja")
    visitor.start("ja")
    visitor.answer("certificate", "juminhyo")
    visitor.wait_for(window.result)
    visitor.click(
        window.result.card_only if window.result.card_only.isVisible() else window.result.card_plain
    )
    visitor.wait_for(window.identity)
    scan(window, qr_payload(code))
    visitor.qtbot.wait(1_000)
    assert window.current_screen() is window.identity
    assert window.visit is not None and window.visit.answers["purpose"] == "certificate"
