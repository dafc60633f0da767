"""Queue tickets: what they show (:mod:`slip`), the waiting-time estimate, and the
printers that print them (a receipt printer in ESC/POS, or a PDF to any printer).

Importing this package loads no printing or imaging library; the printers load
theirs when they first print.
"""

from __future__ import annotations

from kiosk.tickets.printer import (
    OutOfPaper,
    PdfTicketPrinter,
    TicketPrinter,
    ticket_printer_from_settings,
)
from kiosk.tickets.slip import SlipTexts, TicketSlip, build_slip

__all__ = [
    "OutOfPaper",
    "PdfTicketPrinter",
    "SlipTexts",
    "TicketPrinter",
    "TicketSlip",
    "build_slip",
    "ticket_printer_from_settings",
]
