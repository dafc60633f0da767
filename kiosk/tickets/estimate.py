"""The estimated waiting time printed on a ticket.

Until the queue records real service times, the estimate is the number of people
ahead times the category's average service time (``service_minutes`` in
``resources/catalog/categories.toml``), shared among the desks that call from
that queue, rounded up to whole minutes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from fractions import Fraction

from kiosk.catalog import Catalog
from kiosk.config import CounterSettings


def estimated_wait_minutes(waiting_ahead: int, service_minutes: float, desks: int) -> int:
    """ceil(waiting_ahead × service_minutes / desks); 0 when nobody is ahead."""
    if waiting_ahead < 0 or service_minutes <= 0 or desks < 1:
        raise ValueError(
            f"cannot estimate a wait for {waiting_ahead} ahead, {service_minutes} min each, "
            f"{desks} desk(s)"
        )
    # Fraction of the decimal text: 3 × 0.1 min must not round up to a whole extra minute.
    return math.ceil(waiting_ahead * Fraction(str(service_minutes)) / desks)


def desks_serving(catalog: Catalog, counters: Mapping[str, CounterSettings], category: str) -> int:
    """Desks calling tickets of ``category``: those of every configured counter its
    procedures send visitors to; at least 1."""
    serving = {p.counter for p in catalog.procedures if p.category == category}
    return max(1, sum(counters[c].desks for c in serving if c in counters))
