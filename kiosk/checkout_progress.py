"""How far one visit's checkout got, and what it came to: kept across its attempts."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from kiosk.printing import PrintJob
from kiosk.visit import Ticket

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    reference: str
    ticket: Ticket
    jobs: tuple[PrintJob, ...]
    forms_error: str  # an error code of the forms printer, "" when the forms printed
    ticket_error: str  # an error code of the ticket printer, "" when the ticket printed
    saved_to: Path | None  # the folder, when jobs are written to files

    @property
    def print_error(self) -> str:
        """The first printing error code, "" when everything printed."""
        return self.forms_error or self.ticket_error


class CheckoutAbandoned(Exception):
    """The visitor was sent to staff (the busy screen's deadline): this attempt stops."""

    code = "sent_to_staff"


class CheckoutProgress:
    """How far one visit's checkout got, kept across its attempts ("Try again").

    Written by the worker running :meth:`Checkout.complete`; the GUI thread reads
    ``reference``, ``ticket`` and ``printing`` and may call :meth:`give_up`.
    """

    def __init__(self) -> None:
        self.reference = ""  # set once the visit is stored
        self.ticket: Ticket | None = None
        self.minutes: int | None = None  # the wait estimate; None prints none
        self.issuing = False  # an attempt asked for a ticket (it may exist though it failed)
        self.printing = False  # the database part is done; the printers have the visit
        self.forms: list[PrintJob] | None = None  # None until the forms were handed over
        self.forms_error = ""
        self.pre_entry_claimed = False  # the visit's pre-entry is marked used
        self.followed = False
        self.tickets: list[PrintJob] | None = None
        self.ticket_error = ""
        self._given_up = threading.Event()

    def give_up(self) -> None:
        """Stop at the next step: the visitor has been sent to staff."""
        self._given_up.set()

    @property
    def given_up(self) -> bool:
        return self._given_up.is_set()

    def check(self) -> None:
        """Raise CheckoutAbandoned once ``give_up`` was called."""
        if not self.given_up:
            return
        ticket = f"ticket {self.ticket.code} stays in the queue" if self.ticket else "no ticket"
        log.warning(
            "visit %s: the visitor was sent to staff before it finished (%s); nothing "
            "more is printed for it",
            self.reference or "(not stored)",
            ticket,
        )
        raise CheckoutAbandoned
