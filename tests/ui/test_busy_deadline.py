"""The end of a visit cannot double, and cannot hang: the real window on real devices.

A database failure after the ticket was issued, then "Try again", leaves one ticket and
one print job. A database that does not answer sends the visitor to staff within the
busy screen's deadline (``kiosk.busy_deadline_seconds``), with the ticket number when
there is one; the visit stays as stored and nothing prints later, unattended.
"""

from __future__ import annotations

import itertools
import sqlite3
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from kiosk.checkout import Checkout
from kiosk.context import KioskContext
from kiosk.printing import CupsPrinter, FolderPrinter
from kiosk.storage import DatabaseUnavailable
from kiosk.tickets import PdfTicketPrinter
from tests.keys import open_store
from tests.kiosk_fixture import Visitor, window_with

pytestmark = pytest.mark.pcsc

DEADLINE_S = 2.0
CERTIFICATE = ("certificate", "juminhyo")  # one procedure with one form


class LostAnswer:
    """The real store; the first ticket is committed, but its answer never arrives."""

    def __init__(self, store: Any) -> None:
        self._store = store
        self.lost = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def issue_ticket(self, **kwargs: Any) -> Any:
        ticket = self._store.issue_ticket(**kwargs)
        if not self.lost:
            self.lost = True
            raise DatabaseUnavailable("the connection dropped after COMMIT (test)")
        return ticket


class HungEstimate:
    """The real store; once the ticket is issued, the database stops answering."""

    def __init__(self, store: Any, release: threading.Event) -> None:
        self._store = store
        self._release = release

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def service_seconds(self, category: str) -> list[float]:
        self._release.wait(30)  # bounded: the test sets it once it has seen the screen
        return list(self._store.service_seconds(category))


def context_with_deadline(settings: Any) -> KioskContext:
    kiosk = settings.kiosk.model_copy(update={"busy_deadline_seconds": DEADLINE_S})
    return KioskContext.load(settings=settings.model_copy(update={"kiosk": kiosk}))


def checkout_with(context: KioskContext, wrap: Any = None, forms: Any = None) -> Checkout:
    settings = context.settings
    folder = FolderPrinter(settings.output_dir())

    def store() -> Any:
        real = open_store(settings.database_url(), settings.private_key_file())
        return wrap(real) if wrap else real

    return Checkout(context, store, forms or folder, PdfTicketPrinter(folder))


def rows(context: KioskContext, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(context.settings.database_url().removeprefix("sqlite:///")) as db:
        return db.execute(sql).fetchall()


def print_without_card(visitor: Visitor, *choices: str) -> None:
    """Answer ``choices``, go on without the card and answer the priority question:
    printing then starts by itself."""
    visitor.start("en")
    visitor.answer(*choices)
    visitor.without_card()
    visitor.answer("none")  # the priority question, after the card step


_queues = itertools.count(1)


@pytest.fixture
def forms_queue(cups_pdf_queue: Any) -> Iterator[str]:
    name = f"kiosk-retry-{next(_queues)}"
    cups_pdf_queue.add_queue(name)
    yield name
    cups_pdf_queue.remove_queue(name)


@pytest.mark.cups
def test_a_database_failure_after_the_ticket_then_try_again_prints_once(
    qtbot, qapp, kiosk_context, card_service, cups_pdf_queue, forms_queue
):
    forms = CupsPrinter(forms_queue, server=cups_pdf_queue.server, job_timeout=30)
    checkout = checkout_with(kiosk_context, LostAnswer, forms)
    with window_with(qtbot, kiosk_context, card_service, checkout) as window:
        visitor = Visitor(qtbot, window)
        print_without_card(visitor, *CERTIFICATE)
        qtbot.waitUntil(lambda: "cannot be reached" in window.result.notice.text(), timeout=10_000)
        assert window.current_screen() is window.result
        assert window.result.retry.text() == "Try again"
        assert not window.result.card.isVisible() and not window.result.no_card.isVisible()
        assert rows(kiosk_context, "SELECT count(*) FROM tickets") == [(1,)]  # issued already
        visitor.click(window.result.retry)
        visitor.wait_for(window.done)
        assert window.done.ticket.text() == "A-001"
        assert window.done.notice.text() == "", cups_pdf_queue.log_tail()
    assert rows(kiosk_context, "SELECT count(*) FROM tickets") == [(1,)]
    assert rows(kiosk_context, "SELECT count(*) FROM visits") == [(1,)]
    jobs = cups_pdf_queue.run("lpstat", "-W", "all", "-o", forms_queue).stdout.splitlines()
    assert len(jobs) == 1, jobs


def test_a_hung_database_sends_the_visitor_to_staff_within_the_deadline(
    qtbot, qapp, kiosk_settings, card_service
):
    context = context_with_deadline(kiosk_settings)
    checkout = checkout_with(context)
    checkout.store  # noqa: B018 - created and migrated before another connection locks it
    lock = sqlite3.connect(context.settings.database_url().removeprefix("sqlite:///"))
    lock.isolation_level = None
    with window_with(qtbot, context, card_service, checkout) as window:
        visitor = Visitor(qtbot, window)
        lock.execute("BEGIN IMMEDIATE")  # held by another program: every write waits
        try:
            print_without_card(visitor, *CERTIFICATE)
            started = time.monotonic()
            visitor.wait_for(window.done, timeout=int((DEADLINE_S + 3) * 1000))
            assert time.monotonic() - started < DEADLINE_S + 2
            assert window.done.title.text() == "Please ask a member of staff"
            assert window.done.counter.text() == "Please go to the information desk"
            assert "could not be finished here" in window.done.notice.text()
            assert window.done.ticket.text() == ""
            assert window.visit is not None and window.visit.answers  # nothing entered is lost
        finally:
            lock.execute("ROLLBACK")
        window.runner.wait(30_000)  # the stored visit is finished; nothing more is done
        visitor.click(window.done.finish)
        visitor.wait_for(window.welcome)
        window.runner.wait(10_000)
    assert rows(context, "SELECT status FROM visits") == [("completed",)]  # kept, not abandoned
    assert rows(context, "SELECT count(*) FROM tickets") == [(0,)]
    assert list(context.settings.output_dir().glob("*.pdf")) == []


def test_a_database_hung_after_the_ticket_sends_the_visitor_to_staff_with_it(
    qtbot, qapp, kiosk_settings, card_service
):
    context = context_with_deadline(kiosk_settings)
    release = threading.Event()
    checkout = checkout_with(context, lambda store: HungEstimate(store, release))
    with window_with(qtbot, context, card_service, checkout) as window:
        visitor = Visitor(qtbot, window)
        try:
            print_without_card(visitor, *CERTIFICATE)
            visitor.wait_for(window.done, timeout=int((DEADLINE_S + 3) * 1000))
            assert window.done.ticket.text() == "A-001"
            notice = window.done.notice.text()
            assert "note this number and go to Counter 2" in notice, notice
            assert "Nothing you entered is lost" in notice
        finally:
            release.set()
        window.runner.wait(30_000)
        qtbot.wait(100)
        assert window.current_screen() is window.done  # the late answer changes nothing
    assert rows(context, "SELECT count(*) FROM tickets") == [(1,)]
    assert list(context.settings.output_dir().glob("*.pdf")) == []  # nothing printed later
