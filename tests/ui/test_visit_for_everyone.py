"""A visit that works for everyone: one PIN and one Print, no forgotten cards, a way
out and a person on every screen (issue 14), on the real card stack (pcscd + vpcd)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from kiosk.card.virtual.persona import load_persona
from kiosk.resources import resource
from tests.kiosk_fixture import Visitor, pdf_text, window_with
from tests.pcsc_fixture import persona_with

pytestmark = pytest.mark.pcsc

PERSONA = load_persona(resource("personas", "demo.toml"))
MOVING_IN = ("move_in", "other_municipality", "2", "yes", "national", "all")
MAX_TOUCHES = 15


class CountingVisitor(Visitor):
    """A visitor who counts every touch (each key of the PIN pad is one)."""

    touches = 0

    def click(self, button: Any) -> None:
        self.touches += 1
        super().click(button)


def moving_in_with_the_number(visitor: Visitor) -> None:
    """Moving in, up to the check screen, the My Number read with the same PIN."""
    window = visitor.window
    visitor.start("ja")
    visitor.answer(*MOVING_IN)
    visitor.wait_for(window.result)
    assert window.result.card.isVisible() and "個人番号も" in window.result.card.text()
    visitor.with_card(PERSONA.pin, number=True)  # one PIN: the card data and the number


def to_card_step(qtbot: Any, window: Any) -> Visitor:
    """A certificate visit up to "continue with the card" touched."""
    visitor = Visitor(qtbot, window)
    visitor.start("ja")
    visitor.answer("certificate", "juminhyo")
    visitor.wait_for(window.result)
    visitor.click(window.result.card)
    return visitor


def to_confirm(qtbot: Any, window: Any) -> Visitor:
    """A certificate visit up to the check of the card's data (PIN typed once)."""
    visitor = Visitor(qtbot, window)
    visitor.start("ja")
    visitor.answer("certificate", "juminhyo")
    visitor.with_card(PERSONA.pin)
    return visitor


class RecordingChime:
    def __init__(self) -> None:
        self.rung = 0

    def play(self) -> bool:
        self.rung += 1
        return True


def test_moving_in_with_the_card_and_the_number_takes_at_most_15_touches(
    qtbot, kiosk_window, virtual_card
):
    window = kiosk_window
    visitor = CountingVisitor(qtbot, window)
    moving_in_with_the_number(visitor)
    visitor.click(window.confirm.ok)
    visitor.answer("none")  # the priority question, after the card (she is 41)
    visitor.wait_for(window.done)  # printing went on by itself
    assert re.fullmatch(r"A-\d{3}", window.done.ticket.text())
    assert visitor.touches <= MAX_TOUCHES, visitor.touches
    [form] = window.context.settings.output_dir().glob("*forms*.pdf")
    text = pdf_text(form)
    assert "個人番号" in text or "マイナンバー" in text
    assert virtual_card.pin_entries == 1


def test_a_card_holder_aged_75_is_not_asked_the_priority_question(qtbot, kiosk_window, insert_card):
    insert_card(persona_with(birth_date=PERSONA.person.birth_date.replace(year=1940)))
    window = kiosk_window
    visitor = to_confirm(qtbot, window)
    visitor.click(window.confirm.ok)
    visitor.wait_for(window.done)
    assert window.done.priority.isVisible()  # the card said 75 or older


def test_something_wrong_on_the_card_goes_on_and_is_flagged_for_the_counter(
    qtbot, kiosk_window, virtual_card
):
    window = kiosk_window
    visitor = to_confirm(qtbot, window)
    visitor.click(window.confirm.wrong)
    visitor.answer("none")
    visitor.wait_for(window.done)
    store = window.checkout.store
    reference = window.visit.reference
    assert store.load_visit(reference).details_to_correct


# -- no forgotten cards ---------------------------------------------------------------


def test_the_done_screen_holds_until_the_card_is_lifted(
    qtbot, kiosk_context, card_service, pcsc_reader, virtual_card
):
    from tests.kiosk_fixture import make_checkout

    chime, speaker = RecordingChime(), _SilentSpeaker()
    checkout = make_checkout(kiosk_context)
    with window_with(qtbot, kiosk_context, card_service, checkout, chime=chime) as window:
        window.speaker = speaker
        visitor = to_confirm(qtbot, window)
        visitor.click(window.confirm.ok)
        visitor.answer("none")
        visitor.wait_for(window.done)
        ticket = window.done.ticket.text()
        assert window.done.holding_for_card and window.done.take_card.isVisible()
        assert chime.rung >= 1 and "カードをお取りください" in speaker.said[-1]
        qtbot.wait(1500)
        assert window.done.countdown.text() == ""  # no countdown while the card is there
        visitor.click(window.done.finish)  # leaving does not hide the reminder
        assert window.current_screen() is window.done and window.done.holding_for_card
        assert window.done.ticket.text() == ticket  # the number stays visible
        pcsc_reader.remove()
        qtbot.waitUntil(lambda: not window.done.holding_for_card, timeout=5_000)
        assert window.done.countdown.text()  # the countdown runs once the card is gone
        pcsc_reader.insert("demo.toml")


def test_after_a_refused_pin_the_card_is_asked_for_and_the_next_visitor_is_asked_whose(
    qtbot, kiosk_window, insert_card, pcsc_reader
):
    insert_card("last_try.toml")  # one try left: the kiosk refuses to ask for the PIN
    window = kiosk_window
    visitor = to_card_step(qtbot, window)
    qtbot.waitUntil(lambda: window.identity.notice.isVisible(), timeout=10_000)
    visitor.click(window.identity.no_card)
    visitor.answer("none")
    visitor.wait_for(window.done)
    assert window.done.holding_for_card
    visitor.click(window.done.finish)
    visitor.click(window.done.finish)  # the reminder alone; touching it again goes on
    visitor.wait_for(window.welcome)
    _next_visitor_is_asked_whose_card(qtbot, window)


def test_after_an_idle_wipe_the_card_is_asked_for_and_then_whose_it_is(
    qtbot, kiosk_window, virtual_card
):
    window = kiosk_window
    visitor = to_confirm(qtbot, window)
    window.overlay.set_tick_ms(10)
    window._ask_for_more_time()  # the visitor walked away
    visitor.wait_for(window.done)
    assert window.done.holding_for_card and window.visit is None
    assert not window.done.ticket.isVisible()
    assert PERSONA.person.name not in "\n".join(window.visible_texts())
    visitor.click(window.done.finish)
    visitor.wait_for(window.welcome)
    _next_visitor_is_asked_whose_card(qtbot, window)


def _next_visitor_is_asked_whose_card(qtbot, window) -> None:
    visitor = to_card_step(qtbot, window)
    visitor.wait_for(window.identity)
    qtbot.waitUntil(lambda: window.identity.whose_card.isVisible(), timeout=5_000)
    assert window.identity.whose_card_question.text() == "これはあなたのカードですか？"
    qtbot.wait(800)
    assert window.current_screen() is window.identity  # no PIN pad without the answer
    visitor.click(window.identity.not_mine)
    assert "前の方のカード" in window.identity.notice.text()
    qtbot.wait(500)
    assert window.current_screen() is window.identity


def test_the_card_owner_says_yes_and_gets_the_pin_pad(qtbot, kiosk_window, virtual_card):
    window = kiosk_window
    window._stale_card = True  # the card was on the reader when the last visit ended
    visitor = to_card_step(qtbot, window)
    qtbot.waitUntil(lambda: window.identity.whose_card.isVisible(), timeout=5_000)
    visitor.click(window.identity.mine)
    visitor.enter_pin(PERSONA.pin)
    visitor.wait_for(window.confirm)


# -- a way out and a person on every screen ---------------------------------------------


def test_start_over_asks_first_and_wipes_the_visit(qtbot, kiosk_window, virtual_card):
    window = kiosk_window
    visitor = to_confirm(qtbot, window)
    visitor.click(window.confirm.restart_button)
    assert window.restart_box.isVisible()
    visitor.click(window.restart_box.no)
    assert window.current_screen() is window.confirm and window.visit.person is not None
    visitor.click(window.confirm.restart_button)
    visitor.click(window.restart_box.yes)
    assert window.visit is None
    assert PERSONA.person.name not in "\n".join(window.visible_texts())


def test_every_screen_has_start_over_and_call_staff(kiosk_window):
    for screen in kiosk_window.screens:
        assert screen.call_staff_button.parent() is not None, screen.objectName()
        assert screen.view_button.parent() is not None, screen.objectName()


def test_call_staff_says_staff_are_coming_and_raises_an_alert(qtbot, kiosk_window):
    window = kiosk_window
    visitor = Visitor(qtbot, window)
    visitor.start("en")
    visitor.click(window.question.call_staff_button)
    assert window.staff_box.isVisible()
    assert window.staff_box.title.text() == "A member of staff is coming"
    store = window.checkout.store
    qtbot.waitUntil(lambda: bool(store.open_staff_calls()), timeout=5_000)
    [call] = store.open_staff_calls()
    assert call.screen == "question" and call.language == "en"
    visitor.click(window.staff_box.yes)
    assert window.current_screen() is window.question  # nothing was lost


class _SilentSpeaker:
    def __init__(self) -> None:
        self.said: list[str] = []

    def say(self, text: str, language: str) -> None:
        self.said.append(text)

    def speaks(self, language: str) -> bool:
        return True

    def stop(self) -> None:
        return None

    def volume_for(self, language: str) -> float:
        return 1.0

    def set_volume(self, volume: float) -> None:
        return None

    def reset_volume(self) -> None:
        return None

    def watch(self, callback: Any) -> None:
        return None

    def wait_idle(self, timeout: float) -> bool:
        return True


def test_the_result_pages_start_at_the_top_with_the_route_first(qtbot, kiosk_window):
    window = kiosk_window
    visitor = Visitor(qtbot, window)
    visitor.start("ja")
    visitor.answer(*MOVING_IN)
    visitor.wait_for(window.result)
    result = window.result
    summary = result.summary.property("plainText") or result.summary.text()
    assert summary.replace("\u200b", "") == "手続き 4つ: 2番 → 5番 → 8番窓口"
    assert result.pages.count() >= 2  # four procedures do not fit one page at 1280×1024
    shown = []
    while True:
        shown += [w.text() for w in result.pages.currentWidget().findChildren(type(result.summary))]
        if not result.next_page.isEnabled():
            break
        visitor.click(result.next_page)
    names = "\n".join(shown).replace("\u200b", "")
    for name in (
        "転入届",
        "マイナンバーカードの住所変更",
        "国民健康保険の加入",
        "児童手当の認定請求",
    ):
        assert name in names
    visitor.click(result.back)  # back to the last question, and on again: the first page
    visitor.answer("all")
    visitor.wait_for(window.result)
    assert result.page == 0
    visitor.click(result.next_page)
    visitor.click(result.restart_button)
    visitor.click(window.restart_box.yes)
    visitor.start("ja")  # the next visitor
    visitor.answer(*MOVING_IN)
    visitor.wait_for(window.result)
    assert result.page == 0


def test_the_check_screen_shows_only_the_last_4_digits_of_the_number_read(
    qtbot, kiosk_window, virtual_card
):
    window = kiosk_window
    visitor = Visitor(qtbot, window)
    moving_in_with_the_number(visitor)
    shown = "\n".join(window.visible_texts())
    assert "•••• •••• 9018" in shown and PERSONA.individual_number not in shown
    visitor.click(window.confirm.back)  # the card data is dropped: so is the number line
    assert not window.confirm.number.text()


def test_the_start_over_box_is_read_aloud_with_the_voice_guide(qtbot, kiosk_context, card_service):
    from kiosk.speech.tts import RecordingSpeaker
    from tests.kiosk_fixture import make_checkout

    speaker = RecordingSpeaker()
    checkout = make_checkout(kiosk_context)
    with window_with(qtbot, kiosk_context, card_service, checkout, speaker=speaker) as window:
        visitor = Visitor(qtbot, window)
        visitor.start("en", voice_guide=True)
        visitor.click(window.question.restart_button)
        said = "\n".join(speaker.texts())
        assert "Start over?" in said and "Yes, start over" in said and "No, continue" in said


def test_back_on_the_first_question_asks_before_starting_over(qtbot, kiosk_window):
    window = kiosk_window
    visitor = Visitor(qtbot, window)
    visitor.start("en")
    qtbot.wait(window.question.tap_guard_ms + 50)
    visitor.click(window.question.back)
    assert window.restart_box.isVisible() and window.visit is not None
    visitor.click(window.restart_box.no)
    assert window.current_screen() is window.question and window.visit is not None
