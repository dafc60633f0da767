"""Need-to-know at the counter: whose visits a counter opens, and the reason otherwise.

A counter opens a visit whose latest ticket is queued today in one of the counter's
categories. Anything else (another counter's ticket, another day's, a visit without a
ticket) opens only with a reason typed by the staff member, which goes into the access
log with every look at that visit. The check reads no personal data.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal

from kiosk.person import NUMBER_LIKE
from kiosk.storage import Store, VisitNotFound
from kiosk.storage.counter_queries import visit_ticket_place

REASON_MIN = 2
REASON_MAX = 80
Why = Literal["", "other_counter", "other_day", "no_ticket"]


class ReasonRequired(Exception):
    """This visit is not the counter's today: ask the member why, then open it again."""

    code = "reason_required"

    def __init__(self, reference: str, why: Why) -> None:
        super().__init__(
            f"Visit {reference} is not this counter's today ({why.replace('_', ' ')}); "
            "give a reason to open it. The reason is written to the access log."
        )
        self.reference = reference
        self.why = why


class ReasonRefused(ValueError):
    """The typed reason cannot be logged; the message says why (never the text)."""

    code = "reason_refused"


@dataclass(frozen=True)
class Access:
    """Why a visit may be opened here: its own ticket (``why`` empty) or a reason."""

    why: Why = ""
    reason: str = ""

    def detail(self, *parts: str) -> str:
        """The access log's detail: ``parts`` then, for a foreign visit, why and the reason."""
        extra = (f"why={self.why}", f"reason={self.reason}") if self.why else ()
        return " ".join(filter(None, (*parts, *extra)))


def check_reason(text: str) -> str:
    """The reason on one line; ReasonRefused unless 2-80 characters, without control
    characters or anything shaped like an individual number."""
    value = " ".join(text.split())
    if not REASON_MIN <= len(value) <= REASON_MAX:
        raise ReasonRefused(f"A reason is {REASON_MIN} to {REASON_MAX} characters.")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):  # tabs and breaks became spaces
        raise ReasonRefused("A reason holds no control characters.")
    if NUMBER_LIKE.search(value):
        raise ReasonRefused("A reason must not hold an individual number.")
    return value


def visit_access(
    store: Store, reference: str, categories: Collection[str], reason: str = ""
) -> Access:
    """May a counter calling ``categories`` open ``reference``? ReasonRequired (nothing
    read, nothing logged) when the visit is not its own today and no reason was given."""
    with store.transaction() as session:
        place = visit_ticket_place(session, reference)
    if place is None:
        raise VisitNotFound(f"No visit has the reference {reference.strip().upper()}.")
    why: Why
    if place.category is None:
        why = "no_ticket"
    elif place.service_day != store.now().astimezone().date():
        why = "other_day"
    elif place.category not in categories:
        why = "other_counter"
    else:
        return Access()
    if not reason.strip():
        raise ReasonRequired(reference, why)
    return Access(why, check_reason(reason))
