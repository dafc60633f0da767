"""Idle visitors are wiped; failures keep what the visitor entered and say what to do."""

from __future__ import annotations

import re
import time

import pytest

from kiosk.card.virtual.persona import load_persona
from kiosk.checkout import Checkout
from kiosk.printing import CupsPrinter, FolderPrinter
from kiosk.resources import resource
from kiosk.tickets import PdfTicketPrinter
from kiosk.ui.window import KioskWindow
from tests.keys import open_store
from tests.kiosk_fixture import Visitor, make_checkout, pdf_text, window_with

pytestmark = pytest.mark.pcsc

PERSONA = load_persona(resource("personas", "demo.toml"))
DEMO = PERSONA.person


def fast_idle(window: KioskWindow) -> None:
    """Shorten the idle timeout and make each countdown second 10 ms."""
    window.idle.set_timeout_ms(200)
    window.overlay.set_tick_ms(10)


def read_demo_card(visitor, window) -> None:
    visitor.start("en")
    visitor.answer("certificate", "juminhyo")
    visitor.with_card(PERSONA.pin)
    assert window.confirm.values["name"].text() == DEMO.name


def test_an_idle_visitor_is_wiped_after_the_warning(visitor, kiosk_window, virtual_card):
    window = kiosk_window
    read_demo_card(visitor, window)
    fast_idle(window)
    window.idle.arm()
    visitor.qtbot.waitUntil(window.overlay.isVisible, timeout=5_000)
    assert window.overlay.title.text() == "Do you need more time?"
    assert window.overlay.remaining >= 20 - 1  # the visitor gets at least 20 seconds
    # The card is still on the reader: "please take your card", the visit already wiped.
    visitor.wait_for(window.done, timeout=5_000)
    assert window.done.holding_for_card
    assert window.visit is None and window.interview is None
    shown = "\n".join(window.visible_texts())
    assert DEMO.name not in shown and DEMO.address not in shown
    assert window.confirm.values["name"].text() == ""
    assert not window.overlay.isVisible()
    visitor.click(window.done.finish)
    visitor.wait_for(window.welcome)
    # The next visitor starts in the default language, not the last visitor's.
    assert window.texts.language == "ja"


def test_more_time_keeps_the_visit(visitor, kiosk_window, virtual_card):
    window = kiosk_window
    read_demo_card(visitor, window)
    window.idle.set_timeout_ms(200)
    window.idle.arm()
    visitor.qtbot.waitUntil(window.overlay.isVisible, timeout=5_000)
    visitor.click(window.overlay.more)
    assert not window.overlay.isVisible()
    assert window.current_screen() is window.confirm
    assert window.visit is not None and window.visit.person is not None
    assert window.idle.armed


def test_an_idle_wipe_during_a_card_read_drops_the_late_result(visitor, kiosk_window, insert_card):
    window = kiosk_window
    insert_card("demo.toml")
    visitor.start("en")
    visitor.answer("certificate", "juminhyo")
    visitor.wait_for(window.result)
    visitor.click(window.result.card)
    visitor.wait_for(window.pin)
    real = window.card

    class SlowReader:
        """The real card service, but the read takes long enough to walk away."""

        def __getattr__(self, name):
            return getattr(real, name)

        def read_card(self, pin, *, with_number=False):
            time.sleep(0.5)
            return real.read_card(pin, with_number=with_number)

    window.card = SlowReader()
    visitor.enter_pin(PERSONA.pin)
    window.end_visit()  # the visitor walked away while the card was being read
    visitor.qtbot.wait(1_000)
    window.runner.wait(5_000)
    visitor.qtbot.wait(100)
    # Only "please take your card" (the card is on the reader); the late read is dropped.
    assert window.current_screen() is window.done and window.done.holding_for_card
    assert window.visit is None
    assert window.confirm.values["name"].text() == ""
    assert DEMO.name not in "\n".join(window.visible_texts())


def print_without_card(visitor: Visitor, *choices: str) -> None:
    """Answer ``choices``, go on without the card and answer the priority question
    ("none"): printing then starts by itself."""
    visitor.start("en")
    visitor.answer(*choices)
    visitor.without_card()
    visitor.answer("none")


def test_database_down_keeps_the_answers_and_offers_a_retry(
    qtbot, qapp, kiosk_context, card_service, tmp_path
):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    url = {"value": f"sqlite:///{blocker}/kiosk.db"}  # a path that cannot be created
    key = tmp_path / "keys" / "data.key"
    printer = FolderPrinter(tmp_path / "printed")
    tickets = PdfTicketPrinter(printer)
    checkout = Checkout(kiosk_context, lambda: open_store(url["value"], key), printer, tickets)
    with window_with(qtbot, kiosk_context, card_service, checkout) as window:
        visitor = Visitor(qtbot, window)
        print_without_card(visitor, "certificate", "juminhyo")
        qtbot.waitUntil(lambda: "cannot be reached" in window.result.notice.text(), timeout=10_000)
        assert window.current_screen() is window.result
        assert window.visit is not None
        assert window.visit.answers == {
            "purpose": "certificate",
            "certificate_kind": "juminhyo",
            "priority": "none",
        }
        assert window.result.retry.text() == "Try again"
        url["value"] = f"sqlite:///{tmp_path / 'db' / 'kiosk.db'}"  # the database is back
        visitor.click(window.result.retry)
        visitor.wait_for(window.done)
        assert window.done.ticket.text() == "A-001"


@pytest.mark.cups
def test_a_stopped_printer_sends_the_visitor_to_the_counter(
    qtbot, qapp, kiosk_context, card_service, cups_pdf_queue
):
    cups_pdf_queue.run("cupsdisable", cups_pdf_queue.queue)
    printer = CupsPrinter(cups_pdf_queue.queue, server=cups_pdf_queue.server)
    checkout = make_checkout(kiosk_context, forms=printer)
    with window_with(qtbot, kiosk_context, card_service, checkout) as window:
        visitor = Visitor(qtbot, window)
        print_without_card(visitor, "move_in", "other_municipality", "1", "no", "employer", "none")
        visitor.wait_for(window.done)
        assert window.done.ticket.text() == "A-001"
        assert "The printer is not available" in window.done.notice.text()
        assert "staff will print your forms" in window.done.notice.text()
        assert window.visit is not None
        assert checkout.store.load_visit(window.visit.reference).procedures == ["tennyu"]


@pytest.mark.cups
def test_forms_reach_a_real_cups_queue(qtbot, qapp, kiosk_context, card_service, cups_pdf_queue):
    printer = CupsPrinter(cups_pdf_queue.queue, server=cups_pdf_queue.server)
    checkout = make_checkout(kiosk_context, forms=printer)
    with window_with(qtbot, kiosk_context, card_service, checkout) as window:
        visitor = Visitor(qtbot, window)
        print_without_card(visitor, "move_in", "abroad", "1", "no", "none", "none")
        visitor.wait_for(window.done)
        assert window.done.notice.text() == "", cups_pdf_queue.log_tail()
        assert window.visit is not None
        pattern = f"*{window.visit.reference}*.pdf"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not list(cups_pdf_queue.output_dir.glob(pattern)):
            time.sleep(0.2)
        found = sorted(p.name for p in cups_pdf_queue.output_dir.iterdir())
        [pdf] = list(cups_pdf_queue.output_dir.glob(pattern)) or [None]
        assert pdf is not None, f"{pattern} not in {found}\n{cups_pdf_queue.log_tail()}"
        # cups-pdf creates the file before it has finished writing it: wait for the job.
        job = re.search(r"job_(\d+)\.pdf$", pdf.name)
        assert job is not None, pdf.name
        pdf = cups_pdf_queue.wait_for_output(f"{cups_pdf_queue.queue}-{job.group(1)}")
        # cups-pdf re-renders through PostScript, which garbles extracted Japanese:
        # the visit reference (Latin) shows that this visit's form came through.
        assert window.visit.reference in pdf_text(pdf)


@pytest.mark.cups
def test_a_paper_jam_while_printing_sends_the_visitor_to_the_counter_with_a_ticket(
    qtbot, qapp, kiosk_context, card_service, cups_pdf_queue, fault_queue
):
    queue = fault_queue("media-jam-error", sleep=30)
    printer = CupsPrinter(queue, server=cups_pdf_queue.server, job_timeout=10)
    checkout = make_checkout(kiosk_context, forms=printer)
    with window_with(qtbot, kiosk_context, card_service, checkout) as window:
        visitor = Visitor(qtbot, window)
        print_without_card(visitor, "move_in", "abroad", "1", "no", "none", "none")
        visitor.wait_for(window.done, timeout=20_000)
        assert window.done.ticket.text() == "A-001"
        notice = window.done.notice.text()
        assert "Paper is stuck in the printer" in notice
        assert "Nothing you entered is lost" in notice
        assert window.visit is not None
        stored = checkout.store.load_visit(window.visit.reference)
        assert stored.ticket is not None and stored.procedures == ["tennyu", "nhi_enroll"]
