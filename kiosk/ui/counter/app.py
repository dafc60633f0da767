"""Start the counter app: the Qt application, the database, the queue and the printers."""

from __future__ import annotations

import logging
from datetime import timedelta

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from kiosk.checkout import Checkout
from kiosk.context import KioskContext
from kiosk.counter import CounterDesk
from kiosk.printing import configured_printer
from kiosk.queue import QueueService, open_events
from kiosk.resources import resource
from kiosk.staff import StaffAccounts
from kiosk.staff_calls import open_staff_call_watch
from kiosk.storage import Store
from kiosk.supervision import Supervision
from kiosk.tickets import ticket_printer_from_settings
from kiosk.ui.app import application
from kiosk.ui.counter.window import CounterWindow
from kiosk.ward_keys import open_store

log = logging.getLogger(__name__)

WINDOWED_SIZE = (1366, 768)  # the smallest counter PC screen the layout is made for
PIXEL_SIZE = 18  # staff sit close to the screen: smaller than the kiosk's type


def apply_counter_theme(app: QApplication) -> None:
    font = QFont(app.font())
    font.setPixelSize(PIXEL_SIZE)
    app.setFont(font)
    app.setStyleSheet(resource("ui", "counter.qss").read_text(encoding="utf-8"))


def build_desk(context: KioskContext, store: Store) -> CounterDesk:
    """The counter's core over ``store``; reprints go to the configured forms printer."""
    settings = context.settings
    queue = QueueService(
        store, context.catalog, settings.counters, max_passes=settings.queue.max_passes
    )
    forms = configured_printer(settings, settings.printing.forms_printer)
    checkout = Checkout(context, lambda: store, forms, ticket_printer_from_settings(settings))
    return CounterDesk(
        context, store, queue, checkout.reprint, language=settings.counter_app.language
    )


def run_counter(context: KioskContext, *, windowed: bool) -> int:
    """Show the counter app until it is closed; returns the exit code."""
    app = application()
    apply_counter_theme(app)
    settings = context.settings
    store = open_store(settings, "counter")
    try:
        desk = build_desk(context, store)
        app_settings = settings.counter_app
        accounts = StaffAccounts(
            store,
            second_factor=app_settings.supervisor_second_factor,
            session_max=timedelta(hours=app_settings.session_max_hours),
            issuer=settings.ward.name,
        )
        supervision = Supervision(store, accounts, desk.queue, settings)
        window = CounterWindow(
            desk,
            accounts,
            open_events(store),
            idle_seconds=settings.counter_app.idle_sign_out_seconds,
            counter=settings.counter_app.counter,
            supervision=supervision,
            watch_calls=lambda changed: open_staff_call_watch(store, changed),
        )
        if windowed:
            window.resize(*WINDOWED_SIZE)
            window.show()
        else:
            window.showMaximized()
        try:
            return app.exec()
        finally:
            window.shutdown()
    finally:
        store.close()
