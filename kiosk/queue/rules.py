"""``QueueRules``: the catalog's categories and counter groups, the counters' desks and
the calling order, put together for the estimate and a ticket's place in the queue.

No database: ``QueueService`` (kiosk, counters, board) and the web's store
(``kiosk.storage.for_web``) feed it what they read, so both estimate alike.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from kiosk.catalog import Catalog, Category
from kiosk.config import CounterSettings
from kiosk.queue.domain import DEFAULT_MAX_PASSES, W, call_order
from kiosk.queue.estimate import estimate_wait_minutes


class UnknownQueueItem(ValueError):
    """An unknown category or counter id (a mistake of the caller, with the known ids)."""

    code = "unknown_queue_item"


@dataclass(frozen=True)
class QueueRules:
    catalog: Catalog
    counters: Mapping[str, CounterSettings]
    max_passes: int = DEFAULT_MAX_PASSES

    def category(self, category_id: str) -> Category:
        try:
            return self.catalog.categories[category_id]
        except KeyError:
            known = ", ".join(sorted(self.catalog.categories))
            raise UnknownQueueItem(f"unknown category {category_id!r}; known: {known}") from None

    def categories(self) -> list[Category]:
        """Every category of the catalog, by its order."""
        return sorted(self.catalog.categories.values(), key=lambda c: c.order)

    def counter_group(self, category_id: str) -> list[str]:
        """The counters that call tickets of a category (in procedure order, no repeats)."""
        self.category(category_id)
        ids = (p.counter for p in self.catalog.procedures if p.category == category_id)
        return list(dict.fromkeys(ids))

    def categories_of(self, counter: str) -> list[str]:
        """The categories a counter calls from, by the catalog's order."""
        ids = {p.category for p in self.catalog.procedures if p.counter == counter}
        if not ids:
            known = ", ".join(sorted(self.catalog.counters()))
            raise UnknownQueueItem(f"counter {counter!r} serves no category; known: {known}")
        return sorted(ids, key=lambda c: self.catalog.categories[c].order)

    def desks_of(self, counter: str) -> int:
        settings = self.counters.get(counter)
        return settings.desks if settings is not None else 0

    def counter_number(self, counter: str) -> str:
        """What the counter is called on signs ("3"); the id for a counter not configured."""
        settings = self.counters.get(counter)
        return settings.number if settings is not None else counter

    def open_desks(self, category_id: str, closed: Collection[str]) -> int:
        """Desks calling a category: the configured desks of its open counters, at least 1."""
        open_group = [c for c in self.counter_group(category_id) if c not in closed]
        return max(1, sum(self.desks_of(c) for c in open_group))

    def estimate(
        self,
        category_id: str,
        waiting_ahead: int,
        service_seconds: Sequence[float],
        closed: Collection[str],
    ) -> int:
        """Minutes to wait with ``waiting_ahead`` people ahead, from today's service times
        (the category's ``service_minutes`` until there are enough) and the open desks."""
        category = self.category(category_id)
        return estimate_wait_minutes(
            waiting_ahead,
            service_seconds,
            fallback_minutes=category.service_minutes,
            desks=self.open_desks(category.id, closed),
        )

    def ahead(self, waiting: Sequence[W], ticket: W) -> int:
        """How many of ``waiting`` (one category, first come first) the counters will call
        before ``ticket``, in the order ``choose_next`` calls them."""
        order = self.call_order(waiting)
        return next((i for i, t in enumerate(order) if t is ticket), len(order))

    def call_order(self, waiting: Sequence[W]) -> list[W]:
        """``waiting`` (one category, first come first) in the order it will be called."""
        return call_order(waiting, self.max_passes)
