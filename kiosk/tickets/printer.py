"""Ticket printers: one interface, a receipt printer (ESC/POS) or a PDF to any printer.

Errors are :class:`kiosk.printing.PrinterError` subclasses with a stable ``code``;
an empty roll is :class:`OutOfPaper` (``out_of_paper``).
"""

from __future__ import annotations

from typing import Protocol

from kiosk.config import Settings
from kiosk.printing import OutOfPaper, Printer, PrintJob, configured_printer
from kiosk.tickets.slip import TicketSlip

__all__ = ["OutOfPaper", "PdfTicketPrinter", "TicketPrinter", "ticket_printer_from_settings"]


class TicketPrinter(Protocol):
    def print_ticket(self, slip: TicketSlip) -> PrintJob:
        """Print one ticket; raises PrinterError (PrinterUnavailable, OutOfPaper, PrintFailed)."""
        ...


class PdfTicketPrinter:
    """The ticket as an 80 mm PDF page, handed to a CUPS queue or a folder."""

    def __init__(self, printer: Printer) -> None:
        self.printer = printer

    def print_ticket(self, slip: TicketSlip) -> PrintJob:
        """Hand the ticket over and follow it until printed: the visitor is waiting for it."""
        from kiosk.forms.ticket import render_slip  # reportlab loads on first use

        job = self.printer.print_pdf(render_slip(slip), title=f"ticket-{slip.code}")
        self.printer.wait(job).check()
        return job


def ticket_printer_from_settings(settings: Settings) -> TicketPrinter:
    """The receipt printer when ``[printing.escpos]`` names a connection, else PDF tickets
    to the ``ticket_printer`` CUPS queue (when that is empty too: the output folder in
    demo mode, otherwise no printer, and the ticket is shown on screen only)."""
    printing = settings.printing
    if printing.escpos.connection:
        from kiosk.tickets.escpos_printer import EscposTicketPrinter

        return EscposTicketPrinter.from_settings(printing.escpos)
    queue = configured_printer(settings, printing.ticket_printer, "printing.ticket_printer")
    return PdfTicketPrinter(queue)
