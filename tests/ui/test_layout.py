"""Every screen fits the smallest supported kiosk display, controls included."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QFrame, QLabel

from kiosk.guidance import Step, counter_label, guidance
from tests.ui.fit import assert_fits

pytestmark = pytest.mark.pcsc

SMALLEST = (1280, 1024)
MOVING_IN = {
    "purpose": "move_in",
    "move_in_from": "other_municipality",
    "household_size": "4_or_more",
    "children": "yes",
    "insurance": "national",
    "cards": "all",
}


def test_every_screen_fits_the_smallest_display(kiosk_window):
    width, height = SMALLEST
    hint = kiosk_window.stack.minimumSizeHint()
    assert hint.width() <= width and hint.height() <= height, hint
    for screen in kiosk_window.screens:
        size = screen.minimumSizeHint()
        assert size.height() <= height, (screen.objectName(), size)
        assert size.width() <= width, (screen.objectName(), size)
    names = {screen.objectName() for screen in kiosk_window.screens}
    assert "number" not in names  # the number is read with the card's one PIN now


def test_a_question_with_eight_answers_and_speak_fits(kiosk_window):
    from kiosk.catalog import Catalog

    question = Catalog.load().tree.questions["purpose"]
    screen = kiosk_window.question
    screen.show_question(question, 1, 7, kiosk_window.texts)
    for button in (screen.repeat, screen.volume_down, screen.volume_up):
        button.show()
    screen.set_speakable(True)
    screen.show_listening("…")
    screen.notice.show_message("…")
    assert screen.minimumSizeHint().height() <= SMALLEST[1], screen.minimumSizeHint()
    screen.ask_confirmation("引っ越してきた（転入）", kiosk_window.texts)
    assert screen.minimumSizeHint().height() <= SMALLEST[1], screen.minimumSizeHint()


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_result_fits_a_page_at_a_time_with_every_procedure(kiosk_window, language):
    """Many procedures (every one of the catalog, the number needed): the result screen
    pages them, each page fits with its buttons, and each procedure is on one page."""
    window = kiosk_window
    context = window.context
    texts = context.texts_for(language)
    steps = guidance(context.catalog, context.settings, texts, MOVING_IN)
    moving_in = {step.procedure_id for step in steps}
    for procedure in context.catalog.procedures:  # then every other procedure too
        if procedure.id not in moving_in:
            steps.append(_step_of(context, texts, procedure.id))
    needing = [step.name for step in steps if step.needs_individual_number]
    assert needing
    result = window.result
    window.stack.setCurrentWidget(result)
    window.resize(*SMALLEST)
    result.show_steps(steps, texts, number_needed_by=needing)
    assert result.card.isVisible() and result.card_only.isVisible()
    assert result.no_card.isVisible() and result.back.isVisible()
    assert result.page == 0
    assert result.pages.count() > 1, "this many procedures should need more than one page"
    assert result.next_page.isVisible() and not result.previous_page.isEnabled()
    seen: list[str] = []
    for index in range(result.pages.count()):
        assert result.page == index
        assert result.page_label.text() == f"{index + 1} / {result.pages.count()}"
        assert_fits(window, SMALLEST)
        page = result.pages.currentWidget()
        shown = _step_names(page)
        assert shown, f"page {index + 1} is empty"
        for card in _step_cards(page):  # each procedure lies wholly inside the page area
            bottom = card.mapTo(result.pages, card.rect().bottomLeft()).y()
            assert bottom <= result.pages.height(), (index, card.objectName(), bottom)
        seen += shown
        if result.next_page.isEnabled():
            result.next_page.click()
    assert result.page == result.pages.count() - 1 and not result.next_page.isEnabled()
    assert sorted(seen) == sorted(step.name for step in steps)  # each on exactly one page
    result.previous_page.click()
    assert result.page == result.pages.count() - 2
    result.show_failure("…")
    assert result.retry.isVisible() and not result.card.isVisible()
    assert_fits(window, SMALLEST)


def _step_of(context, texts, procedure_id: str) -> Step:
    """A procedure as the result screen shows it, whatever the answers."""
    procedure = context.catalog.procedure(procedure_id)
    return Step(
        procedure_id=procedure.id,
        name=texts.procedure(procedure.id),
        counter=counter_label(context.settings, texts, procedure.counter),
        counter_number=context.settings.counters[procedure.counter].number,
        bring=tuple(texts.item(item) for item in procedure.items_to_bring(MOVING_IN)),
        needs_individual_number=procedure.needs_individual_number,
    )


def _step_cards(page) -> list[QFrame]:
    return page.findChildren(QFrame, "stepCard")


def _step_names(page) -> list[str]:
    """The procedure names on a page (each card's first line: "1.  name")."""
    names = []
    for card in _step_cards(page):
        [head] = [w for w in card.findChildren(QLabel) if w.objectName() == "stepName"]
        names.append(head.text().split(".  ", 1)[1])
    return names
