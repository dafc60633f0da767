"""The pure rules: transitions, the calling order (property tests), the estimate."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.queue import (
    STATES,
    TRANSITIONS,
    can_change,
    choose_next,
    estimate_wait_minutes,
    sources,
)
from kiosk.queue.domain import passed_by


@dataclass(frozen=True)
class T:
    id: int
    priority: bool
    passed: int = 0


def test_transitions() -> None:
    assert set(TRANSITIONS) == set(STATES)
    assert can_change("waiting", "called")
    assert can_change("called", "called")  # call again
    assert can_change("serving", "done")
    assert not can_change("waiting", "done")
    assert not can_change("done", "waiting")
    assert not can_change("transferred", "called")
    assert sources("called") == {"waiting", "called", "no_show"}
    assert sources("transferred") == {"waiting", "called", "serving"}


def test_priority_first_then_first_come() -> None:
    queue = [T(1, False), T(2, False), T(3, True), T(4, True)]
    assert choose_next(queue, 3) == T(3, True)
    assert choose_next([T(1, False), T(2, False)], 3) == T(1, False)
    assert choose_next([], 3) is None


def test_a_normal_ticket_passed_max_times_goes_first() -> None:
    queue = [T(1, False, passed=3), T(2, True)]
    assert choose_next(queue, 3) == T(1, False, passed=3)
    assert choose_next(queue, 4) == T(2, True)
    assert choose_next([T(1, False), T(2, True)], 0) == T(1, False)


def _simulate(ops: list[bool | None], max_passes: int) -> list[T]:
    """Apply issue (True/False = priority) and call (None) steps; return the called order."""
    waiting: list[T] = []
    called: list[T] = []
    for step, op in enumerate(ops):
        if op is not None:
            waiting.append(T(step, op))
            continue
        chosen = choose_next(waiting, max_passes)
        if chosen is None:
            continue
        passed = {t.id for t in passed_by(waiting, chosen)}
        waiting = [replace(t, passed=t.passed + (t.id in passed)) for t in waiting if t != chosen]
        assert all(t.passed <= max_passes for t in waiting if not t.priority)
        called.append(chosen)
    return called


OPS = st.lists(st.one_of(st.booleans(), st.none()), max_size=60)


@settings(max_examples=300, deadline=None)
@given(ops=OPS, max_passes=st.integers(0, 5))
def test_no_normal_ticket_is_passed_more_than_max(ops: list[bool | None], max_passes: int) -> None:
    _simulate(ops, max_passes)  # the assertion is inside


@settings(max_examples=200, deadline=None)
@given(ops=st.lists(st.one_of(st.just(False), st.none()), max_size=40))
def test_without_priority_it_is_first_come_first_served(ops: list[bool | None]) -> None:
    called = _simulate(ops, 3)
    assert [t.id for t in called] == sorted(t.id for t in called)


@settings(max_examples=200, deadline=None)
@given(
    queue=st.lists(st.tuples(st.booleans(), st.integers(0, 6)), max_size=20),
    max_passes=st.integers(0, 5),
)
def test_the_choice_is_the_oldest_or_the_oldest_priority(
    queue: list[tuple[bool, int]], max_passes: int
) -> None:
    tickets = [T(i, p, passed=0 if p else n) for i, (p, n) in enumerate(queue)]
    chosen = choose_next(tickets, max_passes)
    if not tickets:
        assert chosen is None
        return
    oldest_priority = next((t for t in tickets if t.priority), None)
    assert chosen in (tickets[0], oldest_priority)
    if chosen != tickets[0]:
        assert all(t.passed < max_passes for t in passed_by(tickets, chosen))


@settings(max_examples=200, deadline=None)
@given(ops=OPS)
def test_priority_tickets_keep_their_order(ops: list[bool | None]) -> None:
    called = [t.id for t in _simulate(ops, 3) if t.priority]
    assert called == sorted(called)


def test_estimate_uses_today_when_there_are_enough_services() -> None:
    assert estimate_wait_minutes(0, [], fallback_minutes=10, desks=1) == 0
    assert estimate_wait_minutes(3, [], fallback_minutes=10, desks=2) == 15
    assert estimate_wait_minutes(3, [300, 300], fallback_minutes=10, desks=1) == 30  # too few
    assert estimate_wait_minutes(3, [240, 300, 360], fallback_minutes=10, desks=1) == 15
    assert estimate_wait_minutes(3, [240, 300, 360], fallback_minutes=10, desks=2) == 8
    with pytest.raises(ValueError, match="desk"):
        estimate_wait_minutes(1, [], fallback_minutes=10, desks=0)
