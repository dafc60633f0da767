"""Tickets: a context in three languages, slips, and a receipt printer on loopback."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest

from kiosk.config import load_settings
from kiosk.context import KioskContext
from kiosk.tickets import TicketSlip, build_slip
from kiosk.visit import Ticket
from tests.tickets.escpos_server import LoopbackPrinter

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "tickets"
REFERENCE = "V-7K2Q9"
TICKET = Ticket("A-012", "resident", 12, "resident", 3, datetime(2026, 11, 22, 14, 5))


@pytest.fixture(scope="session")
def context() -> KioskContext:
    settings = load_settings(environ={"WARD_KIOSK_KIOSK_LANGUAGES": "ja,en,ko"})
    return KioskContext.load(settings=settings)


@pytest.fixture(scope="session")
def make_slip(context: KioskContext) -> Callable[..., TicketSlip]:
    def make(language: str = "ja", ticket: Ticket = TICKET) -> TicketSlip:
        minutes = context.catalog.categories[ticket.category].service_minutes
        return build_slip(
            ticket,
            reference=REFERENCE,
            texts=context.texts_for(language),
            settings=context.settings,
            minutes=round(ticket.waiting_ahead * minutes),  # one desk, no service times yet
        )

    return make


@pytest.fixture
def printer_on_loopback() -> Iterator[LoopbackPrinter]:
    printer = LoopbackPrinter()
    yield printer
    printer.close()


@pytest.fixture
def closed_port() -> int:
    """A loopback port nobody listens on."""
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
