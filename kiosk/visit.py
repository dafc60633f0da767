"""One visitor's session at the kiosk, and the ticket it ends with."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from kiosk.person import Person
from kiosk.pre_entry import HomeDetails

QR_PREFIX = "WK:"  # before the reference in the QR codes the counter scans


def qr_payload(reference: str) -> str:
    """What the cover page's and the ticket's QR codes hold: the reference, nothing else."""
    return f"{QR_PREFIX}{reference}"


@dataclass(frozen=True)
class Ticket:
    """A queue ticket as printed and shown on screen."""

    code: str  # e.g. "A-012"
    category: str  # queue category id from the catalog
    number: int
    counter: str  # counter id from the configuration
    waiting_ahead: int
    issued_at: datetime
    priority: bool = False  # called before the normal tickets (pregnancy, disability...)
    token: str = ""  # the secret of its phone page, /t/<token> ("" on older tickets)


@dataclass
class Visit:
    """Everything one visitor has entered so far. Wiped when they leave."""

    language: str
    reference: str = ""  # short public id, set when the visit is stored
    person: Person | None = None
    used_card: bool = False
    used_voice: bool = False  # an answer was taken from speech (for the statistics)
    details_to_correct: bool = False  # "something is wrong" on the confirm screen: staff correct it
    individual_number: str | None = field(default=None, repr=False)
    answers: dict[str, str] = field(default_factory=dict)
    procedures: list[str] = field(default_factory=list)
    ticket: Ticket | None = None
    started_at: datetime = field(default_factory=datetime.now)
    pre_entry: str = field(default="", repr=False)  # the code of a visit prepared at home
    home: HomeDetails | None = None  # what was typed at home for the forms (new address...)

    def forget_card(self) -> None:
        """The visitor goes on without the card data (no card, or not theirs)."""
        self.person = None
        self.used_card = False
        self.individual_number = None
        self.details_to_correct = False

    def wipe(self) -> None:
        """Drop every personal value this object holds."""
        self.person = None
        self.individual_number = None
        self.answers.clear()
        self.procedures.clear()
        self.ticket = None
        self.pre_entry = ""
        self.home = None
