"""The queue's rules as pure functions: ticket states, their transitions, the calling order.

No database and no clock here; ``QueueService`` applies these to stored tickets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol, TypeVar

TicketState = Literal["waiting", "called", "serving", "done", "no_show", "transferred"]
STATES: tuple[TicketState, ...] = (
    "waiting",
    "called",
    "serving",
    "done",
    "no_show",
    "transferred",
)

# Which state may follow which. "called" -> "called" is calling again (the event is
# recorded, the state stays); "no_show" -> "called" is a late visitor called by staff.
TRANSITIONS: Mapping[str, frozenset[str]] = {
    "waiting": frozenset({"called", "transferred"}),
    "called": frozenset({"called", "serving", "no_show", "transferred"}),
    "serving": frozenset({"done", "transferred"}),
    "no_show": frozenset({"called"}),
    "done": frozenset(),
    "transferred": frozenset(),
}

# A waiting normal ticket may be passed by later tickets at most this many times
# (setting ``queue.max_passes``).
DEFAULT_MAX_PASSES = 3


class InvalidTransition(ValueError):
    code = "invalid_transition"


def can_change(old: str, new: str) -> bool:
    return new in TRANSITIONS.get(old, frozenset())


def sources(new: str) -> frozenset[str]:
    """Every state a ticket may be in to move to ``new``."""
    if new not in TRANSITIONS:
        raise InvalidTransition(f"unknown ticket state {new!r}")
    return frozenset(old for old, targets in TRANSITIONS.items() if new in targets)


class Waiting(Protocol):
    """What the calling order needs to know of a waiting ticket."""

    @property
    def priority(self) -> bool: ...

    @property
    def passed(self) -> int: ...


W = TypeVar("W", bound=Waiting)


def choose_next(waiting: Sequence[W], max_passes: int = DEFAULT_MAX_PASSES) -> W | None:
    """The ticket to call from ``waiting`` (first come first, the order given).

    The oldest priority ticket goes first, unless a normal ticket ahead of it has
    already been passed ``max_passes`` times: then the oldest ticket is called,
    which passes nobody. Without priority tickets: first come, first served.
    """
    if max_passes < 0:
        raise ValueError(f"max_passes must be 0 or more, not {max_passes}")
    if not waiting:
        return None
    first_priority = next((i for i, t in enumerate(waiting) if t.priority), None)
    if first_priority is None:
        return waiting[0]
    ahead = waiting[:first_priority]
    if any(t.passed >= max_passes for t in ahead if not t.priority):
        return waiting[0]
    return waiting[first_priority]


def passed_by(waiting: Sequence[W], chosen: W) -> list[W]:
    """The normal tickets that calling ``chosen`` passes (those ahead of it)."""
    index = next(i for i, t in enumerate(waiting) if t is chosen)
    return [t for t in waiting[:index] if not t.priority]


@dataclass(eq=False)
class _Simulated:
    """A waiting ticket in ``call_order``'s dry run: its passes count up as calls pass it."""

    ticket: Any
    priority: bool
    passed: int


def call_order(waiting: Sequence[W], max_passes: int = DEFAULT_MAX_PASSES) -> list[W]:
    """``waiting`` (first come first) in the order successive ``choose_next`` calls would
    call them, counting the passes each call adds as ``claim_next`` does."""
    left = [_Simulated(t, t.priority, t.passed) for t in waiting]
    order: list[W] = []
    while (chosen := choose_next(left, max_passes)) is not None:
        for passed in passed_by(left, chosen):
            passed.passed += 1
        left = [t for t in left if t is not chosen]
        order.append(chosen.ticket)
    return order
