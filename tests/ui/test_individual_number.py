"""The My Number is read only for procedures that need it and only when the visitor
chose it on the result screen, with the same single PIN as the rest of the card;
it is logged, kept encrypted and never shown in full."""

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
NATIONAL_INSURANCE = ("move_in", "other_municipality", "1", "no", "national", "all")


def reads_of_the_number(card) -> int:
    return sum(apdu.startswith(SELECT_EF_NUMBER) for apdu in card.log)


def to_result(visitor, *choices: str, language: str = "en") -> None:
    """Answer ``choices``: the result screen, before any card step."""
    window = visitor.window
    visitor.start(language)
    visitor.answer(*choices)
    visitor.wait_for(window.result)


def database_file(window) -> Path:
    return Path(window.context.settings.database_url().removeprefix("sqlite:///"))


def assert_number_not_shown(window, *, masked: bool = False) -> None:
    """Never the whole number; its last 4 digits only on the check screen after reading."""
    shown = "\n".join(window.visible_texts())
    assert PERSONA.individual_number not in shown
    assert ("•••• " + PERSONA.individual_number[-4:] in shown) is masked


def test_the_number_is_read_with_the_same_single_pin_and_logged(
    visitor, kiosk_window, virtual_card
):
    window = kiosk_window
    to_result(visitor, *NATIONAL_INSURANCE)
    assert reads_of_the_number(virtual_card) == 0  # not before the visitor chose it
    result = window.result
    assert "Joining National Health Insurance (国民健康保険)" in result.number_hint.text()
    assert result.number_hint.isVisible() and result.card_only.isVisible()
    assert "Read my number" in result.card.text()
    visitor.click(result.card)
    visitor.wait_for(window.pin)
    assert "My Number" in window.pin.title.text()
    visitor.enter_pin(PERSONA.pin)
    visitor.wait_for(window.confirm)
    assert reads_of_the_number(virtual_card) == 1
    assert virtual_card.pin_entries == 1  # one PIN: the card data and the number
    assert window.visit is not None
    assert window.visit.individual_number == PERSONA.individual_number
    assert_number_not_shown(window, masked=True)
    visitor.click(window.confirm.ok)
    visitor.answer("none")
    visitor.wait_for(window.done)
    assert_number_not_shown(window, masked=True)  # the check screen keeps it until the end
    assert virtual_card.pin_entries == 1

    store = window.checkout.store
    visit = store.load_visit(window.visit.reference)
    assert visit.individual_number == PERSONA.individual_number
    [event] = store.access_events(visit_reference=visit.reference)
    assert event.action == "individual_number_read"
    assert event.actor == "kiosk:kiosk-1"
    assert PERSONA.individual_number.encode() not in database_file(window).read_bytes()
    visitor.click(window.done.finish)  # the card is still there: the reminder alone
    visitor.click(window.done.finish)
    visitor.wait_for(window.welcome)
    assert_number_not_shown(window)


def test_a_procedure_without_the_number_never_reads_it(visitor, kiosk_window, virtual_card):
    window = kiosk_window
    to_result(visitor, "certificate", "juminhyo")
    assert not window.result.card_only.isVisible()  # nothing to choose: no number needed
    assert not window.result.number_hint.isVisible()
    assert "number" not in window.result.card.text()
    visitor.with_card(PERSONA.pin)
    visitor.click(window.confirm.ok)
    visitor.answer("none")
    visitor.wait_for(window.done)
    assert reads_of_the_number(virtual_card) == 0
    visit = window.checkout.store.load_visit(window.visit.reference)
    assert visit.individual_number is None
    assert window.checkout.store.access_events(visit_reference=visit.reference) == []


@pytest.mark.parametrize("choice", ["card_only", "no_card"])
def test_the_visitor_may_skip_reading_the_number(visitor, kiosk_window, virtual_card, choice):
    window = kiosk_window
    to_result(visitor, *NATIONAL_INSURANCE)
    visitor.click(getattr(window.result, choice))
    if choice == "card_only":
        visitor.wait_for(window.pin)
        assert "My Number" not in window.pin.title.text()
        visitor.enter_pin(PERSONA.pin)
        visitor.wait_for(window.confirm)
        assert window.visit is not None and window.visit.person is not None
        visitor.click(window.confirm.ok)
    visitor.answer("none")
    visitor.wait_for(window.done)
    assert reads_of_the_number(virtual_card) == 0
    assert virtual_card.pin_entries == (1 if choice == "card_only" else 0)
    visit = window.checkout.store.load_visit(window.visit.reference)
    assert visit.individual_number is None
    assert window.checkout.store.access_events(visit_reference=visit.reference) == []


def test_a_card_swapped_before_the_pin_gives_the_number_of_the_card_read(
    visitor, kiosk_window, pcsc_reader, insert_card
):
    """The number always comes from the card whose details were read, in the same read:
    a card swapped at the PIN pad is checked again, and nothing of the first is kept."""
    window = kiosk_window
    first = insert_card("demo.toml")
    to_result(visitor, *NATIONAL_INSURANCE)
    visitor.click(window.result.card)
    visitor.wait_for(window.pin)
    pcsc_reader.remove()
    visitor.qtbot.waitUntil(
        lambda: "moved away while it was being read" in window.identity.notice.text(),
        timeout=10_000,
    )
    assert window.visit is not None and window.visit.individual_number is None
    assert window.visit.answers  # nothing the visitor entered is lost
    other = pcsc_reader.insert("rare_kanji.toml")
    visitor.enter_pin(other.persona.pin)
    visitor.wait_for(window.confirm)
    assert window.visit.person is not None
    assert window.visit.person.name == other.persona.person.name
    assert window.visit.individual_number == other.persona.individual_number
    assert reads_of_the_number(other) == 1 and other.pin_entries == 1
    assert reads_of_the_number(first) == 0 and first.pin_entries == 0


def test_an_abandoned_visit_keeps_no_number(visitor, kiosk_window, virtual_card):
    window = kiosk_window
    to_result(visitor, *NATIONAL_INSURANCE)
    visitor.with_card(PERSONA.pin, number=True)
    assert reads_of_the_number(virtual_card) == 1
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
