"""Build the real devices from the settings: the one place that wires the core."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kiosk.card.errors import ReaderNotConfiguredError
from kiosk.card.monitor import ReaderEvent, ReaderMonitor
from kiosk.card.service import CardService
from kiosk.checkout import Checkout
from kiosk.context import KioskContext
from kiosk.printing import configured_printer
from kiosk.services import ReaderWatchFactory
from kiosk.tickets import ticket_printer_from_settings

if TYPE_CHECKING:
    from kiosk.storage import Store
    from kiosk.ward_keys import Role

log = logging.getLogger(__name__)


@dataclass
class Devices:
    card: CardService
    checkout: Checkout
    watch_readers: ReaderWatchFactory

    def close(self) -> None:
        self.checkout.close()


def assemble(context: KioskContext, *, role: Role = "kiosk") -> Devices:
    """The devices of a kiosk; ``role="counter"`` for staff commands that read visits back."""
    settings = context.settings
    forms = configured_printer(settings, settings.printing.forms_printer, "printing.forms_printer")
    tickets = ticket_printer_from_settings(settings)

    def open_store() -> Store:
        from kiosk.ward_keys import open_store

        return open_store(settings, role)

    reader = settings.card.reader_name()
    if reader is None and not settings.card.allow_virtual_reader:
        log.error("%s; the card screen sends visitors to staff", ReaderNotConfiguredError())
    card = CardService(reader=reader, allow_virtual=settings.card.allow_virtual_reader)

    def watch_readers(callback: Callable[[ReaderEvent], None]) -> ReaderMonitor:
        return ReaderMonitor(callback, reader)

    checkout = Checkout(context, open_store, forms, tickets)
    return Devices(card=card, checkout=checkout, watch_readers=watch_readers)
