"""The visitor chooses a priority ticket on the interview's last question."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.pcsc


def to_priority_question(visitor, language: str, *choices: str) -> None:
    window = visitor.window
    visitor.start(language)
    visitor.click(window.identity.no_card)
    visitor.answer(*choices)
    visitor.qtbot.waitUntil(lambda: window.question.question_id == "priority")
    visitor.wait_for(window.question)


def test_choosing_priority_on_the_screen_issues_a_priority_ticket(
    visitor, kiosk_window, pcsc_reader
):
    window = kiosk_window
    to_priority_question(visitor, "en", "certificate", "juminhyo")
    assert "Does one of these apply to you?" in window.question.title.text()
    buttons = window.question.choice_buttons
    assert list(buttons) == ["pregnancy", "disability", "elderly", "none"]
    assert all(button.isVisible() for button in buttons.values())
    visitor.answer("disability")
    visitor.wait_for(window.result)
    assert window.visit is not None
    assert window.visit.answers["priority"] == "disability"
    assert window.visit.procedures == ["juminhyo"]  # the answer adds no procedure
    visitor.click(window.result.print)
    visitor.wait_for(window.done)
    code = window.done.ticket.text()
    assert re.fullmatch(r"A-\d{3}", code)
    assert window.done.priority.isVisible()
    assert window.done.priority.text() == "Priority ticket"
    store = window.checkout.store
    ticket = store.find_ticket(code)
    assert ticket.priority
    reference = store.visit_reference_of_ticket(ticket.id)
    assert reference is not None
    assert store.load_visit(reference).answers["priority"] == "disability"
    visitor.click(window.done.finish)
    visitor.wait_for(window.welcome)
    assert not window.done.priority.isVisible() and window.done.priority.text() == ""


def test_none_of_these_issues_a_normal_ticket(visitor, kiosk_window, pcsc_reader):
    window = kiosk_window
    to_priority_question(visitor, "ja", "other")
    assert "優先してお呼びします" in window.question.title.text()
    visitor.answer("none")
    visitor.wait_for(window.result)
    visitor.click(window.result.print)
    visitor.wait_for(window.done)
    assert not window.done.priority.isVisible()
    assert not window.checkout.store.find_ticket(window.done.ticket.text()).priority


def test_back_on_the_priority_question_returns_to_the_last_answer(
    visitor, kiosk_window, pcsc_reader
):
    window = kiosk_window
    to_priority_question(visitor, "en", "health_insurance", "join")
    visitor.click(window.question.back)
    visitor.qtbot.waitUntil(lambda: window.question.question_id == "insurance_change")
    assert window.visit is not None and window.visit.answers == {"purpose": "health_insurance"}
