"""The visitor chooses a priority ticket on the question asked after the card step."""

from __future__ import annotations

import re

import pytest

from kiosk.card.virtual.persona import load_persona
from kiosk.resources import resource

pytestmark = pytest.mark.pcsc

PERSONA = load_persona(resource("personas", "demo.toml"))


def to_priority_question(visitor, language: str, *choices: str) -> None:
    """Answer ``choices``, go on without the card: the priority question."""
    visitor.start(language)
    visitor.answer(*choices)
    visitor.without_card()
    visitor.wait_for_question("priority")


def test_choosing_priority_on_the_screen_issues_a_priority_ticket(
    visitor, kiosk_window, pcsc_reader
):
    window = kiosk_window
    visitor.start("en")
    visitor.answer("certificate", "juminhyo")
    visitor.wait_for(window.result)
    assert window.visit is not None and window.visit.procedures == ["juminhyo"]
    assert "priority" not in window.visit.answers  # asked after the card step
    visitor.without_card()
    visitor.wait_for_question("priority")
    assert "Does one of these apply to you?" in window.question.title.text()
    buttons = window.question.choice_buttons
    assert list(buttons) == ["pregnancy", "disability", "elderly", "none"]
    assert all(button.isVisible() for button in buttons.values())
    visitor.answer("disability")
    visitor.wait_for(window.done)  # printing starts by itself
    assert window.visit is not None
    assert window.visit.answers["priority"] == "disability"
    assert window.visit.procedures == ["juminhyo"]  # the answer adds no procedure
    code = window.done.ticket.text()
    assert re.fullmatch(r"A-\d{3}", code)
    assert window.done.priority.isVisible()
    assert window.done.priority.text() == "Priority ticket"
    store = window.checkout.store
    ticket = store.find_ticket(code)
    assert ticket.priority
    reference = store.visit_reference_of_ticket(ticket.id)
    assert reference is not None
    stored = store.load_visit(reference)
    assert stored.answers["priority"] == "disability"
    assert stored.procedures == ["juminhyo"]
    visitor.click(window.done.finish)
    visitor.wait_for(window.welcome)
    assert not window.done.priority.isVisible() and window.done.priority.text() == ""


def test_none_of_these_issues_a_normal_ticket(visitor, kiosk_window, pcsc_reader):
    window = kiosk_window
    to_priority_question(visitor, "ja", "other")
    assert "優先してお呼びします" in window.question.title.text()
    visitor.answer("none")
    visitor.wait_for(window.done)
    assert not window.done.priority.isVisible()
    assert not window.checkout.store.find_ticket(window.done.ticket.text()).priority


def test_back_on_the_priority_question_returns_to_the_result_then_the_last_answer(
    visitor, kiosk_window, pcsc_reader
):
    window = kiosk_window
    to_priority_question(visitor, "en", "health_insurance", "join")
    visitor.click(window.question.back)
    visitor.wait_for(window.result)  # no card: the result screen, to choose again
    assert window.visit is not None and "priority" not in window.visit.answers
    assert window.result.card.isVisible() and window.result.no_card.isVisible()
    visitor.click(window.result.back)
    visitor.qtbot.waitUntil(lambda: window.question.question_id == "insurance_change")
    assert window.current_screen() is window.question
    assert window.visit is not None and window.visit.answers == {"purpose": "health_insurance"}


def test_back_on_the_priority_question_after_the_card_returns_to_the_check(
    visitor, kiosk_window, virtual_card
):
    window = kiosk_window
    visitor.start("en")
    visitor.answer("certificate", "juminhyo")
    visitor.with_card(PERSONA.pin)
    visitor.click(window.confirm.ok)
    visitor.wait_for_question("priority")
    visitor.click(window.question.back)
    visitor.wait_for(window.confirm)
    assert window.visit is not None and window.visit.person is not None
    assert "priority" not in window.visit.answers
    visitor.click(window.confirm.ok)
    visitor.wait_for(window.question)
    assert window.question.question_id == "priority"
    assert virtual_card.pin_entries == 1  # going back did not ask for the PIN again
