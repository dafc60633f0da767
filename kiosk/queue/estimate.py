"""The estimated waiting time of a new ticket, from today's real service times.

Pure: ``QueueService.estimate_minutes`` feeds it today's durations from the database.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction

MIN_SAMPLES = 3  # fewer services today: trust the catalog's service_minutes instead


def average_service_minutes(service_seconds: Sequence[float], fallback_minutes: float) -> float:
    """Mean of today's services (start to done) if there are enough, else the fallback."""
    usable = [s for s in service_seconds if s > 0]
    if len(usable) < MIN_SAMPLES:
        return fallback_minutes
    return sum(usable) / len(usable) / 60


def estimate_wait_minutes(
    waiting_ahead: int,
    service_seconds: Sequence[float],
    *,
    fallback_minutes: float,
    desks: int,
) -> int:
    """ceil(people ahead × average service minutes / desks open); 0 with nobody ahead."""
    if waiting_ahead < 0 or fallback_minutes <= 0 or desks < 1:
        raise ValueError(
            f"cannot estimate a wait for {waiting_ahead} ahead, {fallback_minutes} min "
            f"fallback, {desks} desk(s)"
        )
    minutes = Fraction(str(round(average_service_minutes(service_seconds, fallback_minutes), 6)))
    return math.ceil(waiting_ahead * minutes / desks)
