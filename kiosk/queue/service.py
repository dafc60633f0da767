"""``QueueService``: the queue over the Store, for the kiosk, the counters and the board.

Blocking, like the Store: call it from worker threads. Categories and their counter
groups come from the catalog (each procedure names its category and counter); desks
per counter from the settings' ``[counters.<id>]``.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime

from kiosk.catalog import Catalog, Category
from kiosk.config import CounterSettings
from kiosk.queue.domain import (
    DEFAULT_MAX_PASSES,
    InvalidTransition,
    call_order,
    choose_next,
    sources,
)
from kiosk.queue.rules import QueueRules, UnknownQueueItem
from kiosk.storage import CounterState, QueueTicket, Store, TicketStatus

log = logging.getLogger(__name__)
__all__ = ["CategoryStatus", "CounterOverview", "IssuedTicket", "QueueService", "UnknownQueueItem"]


@dataclass(frozen=True)
class IssuedTicket:
    ticket: QueueTicket
    estimated_wait_minutes: int


@dataclass(frozen=True)
class CategoryStatus:
    category: str
    letter: str
    waiting: int  # normal and priority
    waiting_priority: int
    estimated_wait_minutes: int  # for a ticket issued now


@dataclass(frozen=True)
class CounterOverview:
    """A counter of the catalog as supervisors see it: desks, open or closed, categories."""

    counter: str
    desks: int
    open: bool
    changed_at: datetime | None  # None: never opened or closed (open)
    changed_by: str | None
    categories: tuple[str, ...]


class QueueService:
    def __init__(
        self,
        store: Store,
        catalog: Catalog,
        counters: Mapping[str, CounterSettings],
        *,
        max_passes: int = DEFAULT_MAX_PASSES,
    ) -> None:
        if max_passes < 0:
            raise ValueError(f"max_passes must be 0 or more, not {max_passes}")
        self.store = store
        self.catalog = catalog
        self.counters = counters
        self.max_passes = max_passes

    # -- the catalog's view -----------------------------------------------------

    @property
    def rules(self) -> QueueRules:
        """The catalog, desks and calling order this service estimates and calls by."""
        return QueueRules(self.catalog, self.counters, self.max_passes)

    def category(self, category_id: str) -> Category:
        return self.rules.category(category_id)

    def counter_group(self, category_id: str) -> list[str]:
        """The counters that call tickets of a category (in procedure order, no repeats)."""
        return self.rules.counter_group(category_id)

    def categories_of(self, counter: str) -> list[str]:
        """The categories a counter calls from, by the catalog's order."""
        return self.rules.categories_of(counter)

    def desks(self, category_id: str) -> int:
        """Desks calling a category: the configured desks of its open counters, at least 1.

        A counter that was never closed is open, so wards that do not use opening and
        closing keep every desk in the estimate.
        """
        return self.rules.open_desks(category_id, self.store.closed_counters())

    # -- supervisors ----------------------------------------------------------

    def set_counter_open(self, counter: str, open: bool, *, actor: str) -> CounterState:
        """Open or close one of the catalog's counters; recorded in the access log."""
        known = self.catalog.counters()
        if counter not in known:
            raise UnknownQueueItem(
                f"unknown counter {counter!r}; known: {', '.join(sorted(known))}"
            )
        return self.store.set_counter_open(counter, open, actor=actor)

    def counters_overview(self) -> list[CounterOverview]:
        """Every counter of the catalog, by id: desks, whether it is open, its categories."""
        states = self.store.counter_states()
        overview = []
        for counter in sorted(self.catalog.counters()):
            state = states.get(counter)
            overview.append(
                CounterOverview(
                    counter=counter,
                    desks=self.rules.desks_of(counter),
                    open=state is None or state.open,
                    changed_at=state.changed_at if state is not None else None,
                    changed_by=state.changed_by if state is not None else None,
                    categories=tuple(self.categories_of(counter)),
                )
            )
        return overview

    # -- the kiosk ------------------------------------------------------------

    def issue(
        self, category_id: str, *, priority: bool = False, visit_reference: str | None = None
    ) -> IssuedTicket:
        category = self.category(category_id)
        group = self.counter_group(category_id)
        ticket, seconds, closed = self.store.issue_queue_ticket_for_estimate(
            category=category.id,
            letter=category.letter,
            counter=group[0] if group else "",
            visit_reference=visit_reference,
            priority=priority,
        )
        return IssuedTicket(ticket, self._estimate(category, ticket.waiting_ahead, seconds, closed))

    def estimate_minutes(
        self,
        category_id: str,
        waiting_ahead: int,
        *,
        closed: Collection[str] | None = None,
    ) -> int:
        """Wait for someone with ``waiting_ahead`` people ahead, from today's service times
        (the category's ``service_minutes`` until today has enough of them) and the desks
        of the open counters (``closed``: ``Store.closed_counters()`` if already read)."""
        category = self.category(category_id)
        seconds = self.store.service_seconds(category.id)
        return self._estimate(category, waiting_ahead, seconds, closed)

    def _estimate(
        self,
        category: Category,
        waiting_ahead: int,
        seconds: list[float],
        closed: Collection[str] | None = None,
    ) -> int:
        if closed is None:
            closed = self.store.closed_counters()
        return self.rules.estimate(category.id, waiting_ahead, seconds, closed)

    # -- the counters ---------------------------------------------------------

    def call_next(self, counter: str) -> QueueTicket | None:
        """Call the next ticket for ``counter``, or None when nobody waits."""
        chooser = functools.partial(choose_next, max_passes=self.max_passes)
        ticket = self.store.call_next(
            categories=self.categories_of(counter), counter=counter, choose=chooser
        )
        if ticket is not None:
            log.info("ticket %s called to counter %s", ticket.code, counter)
        return ticket

    def call_order(self, counter: str) -> list[QueueTicket]:
        """Today's tickets waiting for ``counter`` in the order ``call_next`` calls them."""
        waiting = self.store.waiting_tickets(self.categories_of(counter))
        return call_order(waiting, self.max_passes)

    def call_again(self, ticket_id: int, counter: str) -> QueueTicket:
        return self._change(ticket_id, "called", counter, allowed={"called"}, note="again")

    def call_ticket(self, ticket_id: int, counter: str) -> QueueTicket:
        """Call a specific waiting (or no-show) ticket out of turn (staff's choice)."""
        return self._change(ticket_id, "called", counter, allowed={"waiting", "no_show"})

    def start(self, ticket_id: int, counter: str) -> QueueTicket:
        return self._change(ticket_id, "serving", counter)

    def done(self, ticket_id: int, counter: str) -> QueueTicket:
        return self._change(ticket_id, "done", counter)

    def no_show(self, ticket_id: int, counter: str) -> QueueTicket:
        return self._change(ticket_id, "no_show", counter)

    def transfer(self, ticket_id: int, category_id: str, counter: str) -> QueueTicket:
        """Send the visitor on to another category: returns the new ticket."""
        category = self.category(category_id)
        group = self.counter_group(category_id)
        return self.store.transfer_ticket(
            ticket_id,
            allowed_from=sources("transferred"),
            category=category.id,
            letter=category.letter,
            counter=group[0] if group else "",
            by_counter=counter,
        )

    # -- the board and IT -------------------------------------------------------

    def status(self) -> list[CategoryStatus]:
        """Every category of the catalog, by its order, with today's waiting tickets."""
        counts = self.store.waiting_counts()
        closed = self.store.closed_counters()
        result = []
        for category in self.rules.categories():
            normal, prio = counts.get(category.id, (0, 0))
            result.append(
                CategoryStatus(
                    category=category.id,
                    letter=category.letter,
                    waiting=normal + prio,
                    waiting_priority=prio,
                    estimated_wait_minutes=self.estimate_minutes(
                        category.id, normal + prio, closed=closed
                    ),
                )
            )
        return result

    def _change(
        self,
        ticket_id: int,
        status: TicketStatus,
        counter: str,
        *,
        allowed: set[str] | None = None,
        note: str = "",
    ) -> QueueTicket:
        allowed_from = sources(status) if allowed is None else frozenset(allowed)
        if not allowed_from <= sources(status):
            raise InvalidTransition(f"{sorted(allowed_from)} -> {status} is not allowed")
        ticket = self.store.change_ticket(
            ticket_id, status, allowed_from=allowed_from, counter=counter, note=note
        )
        log.info("ticket %s %s at counter %s", ticket.code, status, counter)
        return ticket
