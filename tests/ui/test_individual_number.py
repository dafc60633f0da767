"""The My Number is read only for procedures that need it, with a second PIN, shown masked."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from kiosk.card.virtual.persona import load_persona
from kiosk.resources import resource

pytestmark = pytest.mark.pcsc

PERSONA = load_persona(resource("personas", "demo.toml"))
SELECT_EF_NUMBER = "00 A4 02 0C 02 00 01"
NATIONAL_INSURANCE = ("move_in", "other_municipality", "1", "no", "national", "all", "none")


def reads_of_the_number(card) -> int:
    return sum(apdu.startswith(SELECT_EF_NUMBER) for apdu in card.log)


def to_result_with_card(visitor, *choices: str, language: str = "en") -> None:
    window = visitor.window
    visitor.start(language)
    visitor.enter_pin(PERSONA.pin)
    visitor.wait_for(window.confirm)
    visitor.click(window.confirm.ok)
    visitor.answer(*choices)
    visitor.wait_for(window.result)


def to_number_offer(visitor, *choices: str) -> None:
    """With the demo card read, answer ``choices`` and touch Print: the number is offered."""
    to_result_with_card(visitor, *choices)
    visitor.click(visitor.window.result.print)
    visitor.wait_for(visitor.window.number)


def database_file(window) -> Path:
    return Path(window.context.settings.database_url().removeprefix("sqlite:///"))


def test_the_number_is_read_with_a_second_pin_and_shown_masked(visitor, kiosk_window, virtual_card):
    window = kiosk_window
    to_number_offer(visitor, *NATIONAL_INSURANCE)
    assert reads_of_the_number(virtual_card) == 0  # not at the identity step
    assert "Joining national health insurance" in window.number.explanation.text()
    visitor.click(window.number.read)
    visitor.wait_for(window.pin)
    assert "My Number" in window.pin.title.text()
    visitor.enter_pin(PERSONA.pin)
    visitor.wait_for(window.result)
    masked = "•••• •••• " + PERSONA.individual_number[-4:]
    assert window.result.info.text().endswith(masked)
    shown = "\n".join(window.visible_texts())
    assert PERSONA.individual_number not in shown
    assert reads_of_the_number(virtual_card) == 1
    visitor.click(window.result.print)
    visitor.wait_for(window.done)

    store = window.checkout.store
    visit = store.load_visit(window.visit.reference)
    assert visit.individual_number == PERSONA.individual_number
    [event] = store.access_events(visit_reference=visit.reference)
    assert event.action == "individual_number_read"
    assert event.actor == "kiosk:kiosk-1"
    assert PERSONA.individual_number.encode() not in database_file(window).read_bytes()
    visitor.click(window.done.finish)
    visitor.wait_for(window.welcome)
    assert not any(masked in text for text in window.visible_texts())


def test_a_procedure_without_the_number_never_reads_it(visitor, kiosk_window, virtual_card):
    window = kiosk_window
    to_result_with_card(visitor, "certificate", "juminhyo", "none")
    visitor.click(window.result.print)
    visitor.wait_for(window.done)
    assert reads_of_the_number(virtual_card) == 0


def test_the_visitor_may_skip_reading_the_number(visitor, kiosk_window, virtual_card):
    window = kiosk_window
    to_number_offer(visitor, *NATIONAL_INSURANCE)
    visitor.click(window.number.skip)
    visitor.wait_for(window.done)
    assert reads_of_the_number(virtual_card) == 0
    visit = window.checkout.store.load_visit(window.visit.reference)
    assert visit.individual_number is None


def test_another_card_is_refused(visitor, kiosk_window, pcsc_reader, insert_card):
    window = kiosk_window
    insert_card("demo.toml")
    to_number_offer(visitor, *NATIONAL_INSURANCE)
    pcsc_reader.remove()
    other = pcsc_reader.insert("rare_kanji.toml")
    visitor.click(window.number.read)
    visitor.wait_for(window.pin)
    visitor.enter_pin(other.persona.pin)
    visitor.qtbot.waitUntil(
        lambda: "not the card that was read at the start" in window.number.notice.text(),
        timeout=10_000,
    )
    assert window.visit is not None and window.visit.individual_number is None
    assert window.visit.answers  # nothing the visitor entered is lost


def test_an_abandoned_visit_keeps_no_number(visitor, kiosk_window, virtual_card):
    window = kiosk_window
    to_number_offer(visitor, *NATIONAL_INSURANCE)
    visitor.click(window.number.read)
    visitor.enter_pin(PERSONA.pin)
    visitor.wait_for(window.result)
    reference = window.visit.reference
    window.end_visit()  # the visitor walks away before printing
    window.runner.wait(5_000)
    visitor.qtbot.wait(100)
    with closing(sqlite3.connect(database_file(window))) as db:
        row = db.execute(
            "SELECT status, person_ciphertext, number_ciphertext FROM visits WHERE reference = ?",
            (reference,),
        ).fetchone()
    assert row == ("abandoned", None, None)
