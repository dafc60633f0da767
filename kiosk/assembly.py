"""Build the real devices from the settings: the one place that wires the core."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kiosk.card.monitor import ReaderEvent, ReaderMonitor
from kiosk.card.service import CardService
from kiosk.checkout import Checkout
from kiosk.context import KioskContext
from kiosk.printing import configured_printer
from kiosk.services import ReaderWatchFactory
from kiosk.tickets import ticket_printer_from_settings

if TYPE_CHECKING:
    from kiosk.storage import Store


@dataclass
class Devices:
    card: CardService
    checkout: Checkout
    watch_readers: ReaderWatchFactory

    def close(self) -> None:
        self.checkout.close()


def assemble(context: KioskContext) -> Devices:
    settings = context.settings
    forms = configured_printer(settings, settings.printing.forms_printer)
    tickets = ticket_printer_from_settings(settings)

    def open_store() -> Store:
        from kiosk.storage import Store

        return Store.open(settings.database_url(), settings.key_file())

    reader = settings.card.reader or None
    card = CardService(reader=reader)

    def watch_readers(callback: Callable[[ReaderEvent], None]) -> ReaderMonitor:
        return ReaderMonitor(callback, reader)

    checkout = Checkout(context, open_store, forms, tickets)
    return Devices(card=card, checkout=checkout, watch_readers=watch_readers)
