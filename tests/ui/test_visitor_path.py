"""A visitor's whole path through the kiosk, on the real card stack (pcscd + virtual card)."""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from kiosk.card.virtual.persona import load_persona
from kiosk.resources import resource
from tests.kiosk_fixture import pdf_text

pytestmark = pytest.mark.pcsc

PERSONA = load_persona(resource("personas", "demo.toml"))
DEMO = PERSONA.person
MOVING_IN = ("move_in", "other_municipality", "2", "yes", "national", "all")


def to_pin(visitor, *choices: str, language: str = "en") -> None:
    """Answer ``choices`` and go on with the card (not reading the number): the PIN pad."""
    window = visitor.window
    visitor.start(language)
    visitor.answer(*choices)
    visitor.wait_for(window.result)
    visitor.click(window.result.card)
    visitor.wait_for(window.pin)


def printed(window, kind: str) -> list[Path]:
    return sorted(window.context.settings.output_dir().glob(f"*{kind}*.pdf"))


def personal_values() -> list[str]:
    birth = DEMO.birth_date
    return [DEMO.name, DEMO.address, f"{birth.year}年", f"{birth.month}月{birth.day}日"]


def assert_nothing_personal_on_screen(window) -> None:
    shown = "\n".join(window.visible_texts())
    for value in personal_values():
        assert value not in shown


def test_moving_in_with_the_demo_card(visitor, kiosk_window, pcsc_reader, virtual_card):
    window = kiosk_window
    visitor.start("ja")
    visitor.answer(*MOVING_IN)
    visitor.wait_for(window.result)
    shown = "\n".join(window.visible_texts())
    for name in (
        "転入届",
        "国民健康保険の加入",
        "児童手当の認定請求",
        "マイナンバーカードの住所変更",
    ):
        assert name in shown
    assert "転出証明書" in shown and "2番窓口（住民登録）" in shown
    # National health insurance and child allowance need the My Number: read it too,
    # with the same PIN.
    assert "個人番号も" in window.result.card.text()
    visitor.click(window.result.card)
    visitor.wait_for(window.pin)
    assert "残り 3 回" in window.pin.tries.text()
    visitor.enter_pin(PERSONA.pin)
    visitor.wait_for(window.confirm)
    assert window.confirm.values["name"].text() == DEMO.name
    assert window.confirm.values["address"].text() == DEMO.address
    assert window.confirm.values["birth_date"].text() == "昭和60年（1985年）4月12日"
    visitor.click(window.confirm.ok)
    visitor.answer("none")  # the priority question, after the card
    visitor.wait_for(window.done)
    assert re.fullmatch(r"A-\d{3}", window.done.ticket.text())
    assert "2番窓口" in window.done.counter.text()
    # The card is still on the reader: the large "take your card" banner says so.
    assert window.done.holding_for_card and window.done.take_card.isVisible()
    assert window.done.take_card.accessibleName() == "マイナンバーカードをお取りください"
    assert window.visit is not None and window.visit.individual_number is not None
    assert virtual_card.pin_entries == 1

    [form] = printed(window, "forms")  # one job: the cover page, then the forms
    text = pdf_text(form)
    assert "住民異動届" in text and "国民健康保険" in text and "児童手当" in text
    assert DEMO.name in text.replace("  ", " ") or DEMO.name.replace(" ", "") in text.replace(
        " ", ""
    )
    assert DEMO.address in text.replace(" ", "") or DEMO.address in text
    [ticket] = printed(window, "ticket")
    assert window.done.ticket.text() in pdf_text(ticket)

    pcsc_reader.remove()
    visitor.qtbot.waitUntil(lambda: not window.done.holding_for_card, timeout=5_000)
    visitor.click(window.done.finish)
    visitor.wait_for(window.welcome)
    assert window.visit is None
    assert_nothing_personal_on_screen(window)


def test_the_visit_is_stored_encrypted_with_its_ticket(visitor, kiosk_window, virtual_card):
    window = kiosk_window
    visitor.start("en")
    visitor.answer("certificate", "juminhyo")
    visitor.with_card(PERSONA.pin)
    visitor.click(window.confirm.ok)
    visitor.answer("none")
    visitor.wait_for(window.done)
    code = window.done.ticket.text()
    settings = window.context.settings
    database = Path(settings.database_url().removeprefix("sqlite:///"))
    raw = database.read_bytes()
    assert DEMO.name.encode() not in raw and DEMO.address.encode() not in raw
    store = window.checkout.store
    [visit] = [store.load_visit(r) for r in _references(database)]
    assert visit.person is not None and visit.person.name == DEMO.name
    assert visit.ticket is not None and visit.ticket.code == code
    assert visit.language == "en" and visit.procedures == ["juminhyo"]


def _references(database: Path) -> list[str]:
    with closing(sqlite3.connect(database)) as connection:
        return [row[0] for row in connection.execute("SELECT reference FROM visits")]


def test_moving_in_without_a_card(visitor, kiosk_window, pcsc_reader):
    window = kiosk_window
    visitor.start("en")
    visitor.answer(*MOVING_IN)
    visitor.wait_for(window.result)
    assert "Moving-in notification" in "\n".join(window.visible_texts())
    assert window.result.no_card.text() == "Continue without a card"
    visitor.without_card()
    visitor.answer("none")  # the priority question: printing then starts by itself
    visitor.wait_for(window.done)
    assert window.done.ticket.text().startswith("A-")
    assert "take your My Number card" not in window.done.reminders.text()
    assert not window.done.holding_for_card and not window.done.take_card.isVisible()
    [form] = printed(window, "forms")
    text = pdf_text(form)
    assert "住民異動届" in text and "Your visit today" in text  # the cover in English
    assert DEMO.name not in text and DEMO.address not in text
    assert "読取なし" in text  # staff see at a glance that nothing came from a card


def test_a_wrong_pin_shows_the_tries_the_card_reports(visitor, kiosk_window, virtual_card):
    window = kiosk_window
    to_pin(visitor, "certificate", "juminhyo")
    visitor.enter_pin("9999")
    visitor.qtbot.waitUntil(lambda: "2 tries left" in window.pin.notice.text(), timeout=10_000)
    assert "2 tries left" in window.pin.tries.text()
    assert virtual_card.tries_left == 2
    visitor.enter_pin(PERSONA.pin)
    visitor.wait_for(window.confirm)
    assert virtual_card.tries_left == 3


def test_a_second_wrong_pin_stops_the_kiosk_asking(visitor, kiosk_window, virtual_card):
    window = kiosk_window
    to_pin(visitor, "certificate", "juminhyo")
    visitor.enter_pin("9999")
    visitor.qtbot.waitUntil(lambda: "2 tries left" in window.pin.notice.text(), timeout=10_000)
    visitor.enter_pin("8888")
    visitor.qtbot.waitUntil(lambda: "Only one PIN try" in window.pin.notice.text(), timeout=10_000)
    assert not window.pin.keys["1"].isEnabled()
    assert virtual_card.tries_left == 1
    visitor.click(window.pin.no_card)
    visitor.wait_for(window.question)  # on without the card: the question after the card
    assert window.question.question_id == "priority"
    assert window.visit is not None and window.visit.person is None


@pytest.mark.parametrize("virtual_card", ["last_try.toml"], indirect=True)
def test_a_card_with_one_try_left_is_never_verified(visitor, kiosk_window, virtual_card):
    window = kiosk_window
    visitor.start("en")
    visitor.answer("certificate", "juminhyo")
    visitor.wait_for(window.result)
    visitor.click(window.result.card)
    visitor.wait_for(window.identity)
    assert "Place your My Number card" in window.identity.title.text()
    visitor.qtbot.waitUntil(
        lambda: "Only one PIN try" in window.identity.notice.text(), timeout=10_000
    )
    assert window.current_screen() is window.identity
    assert virtual_card.tries_left == 1
    assert not [apdu for apdu in virtual_card.log if apdu.startswith("00 20 00 80 04")]


def test_a_double_tap_answers_only_one_question(visitor, kiosk_window, pcsc_reader):
    window = kiosk_window
    visitor.start("en")
    visitor.answer("move_in")
    # The second tap of a double tap lands on the next question's first answer.
    visitor.click(window.question.choice_buttons["other_municipality"])
    assert window.question.question_id == "move_in_from"
    assert window.visit is not None
    assert window.visit.answers == {"purpose": "move_in"}
