"""What a supervisor does in the counter app: counters, staff accounts, the access log,
kiosk health and today's statistics.

Qt-free and blocking (call it from a worker thread). Every method takes the signed-in
member first and refuses anyone who is not an active supervisor *now* (checked against
the database, as ``kiosk.staff`` does), with :class:`kiosk.staff.NotAllowed`. Views that
show personal or security data are written to the access log.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, tzinfo
from typing import TYPE_CHECKING

from kiosk.config import Settings
from kiosk.staff import StaffAccounts, StaffMember
from kiosk.stats import (
    MIN_COUNT,
    TicketCell,
    VisitCell,
    local_range,
    published_count,
    published_group,
    published_minutes,
    ticket_cells,
    visit_cells,
)
from kiosk.storage import AccessEvent, StaffCall, Store
from kiosk.storage.models import StaffRole
from kiosk.storage.stats_queries import ticket_facts, visit_facts

if TYPE_CHECKING:
    from kiosk.queue import QueueService
    from kiosk.queue.service import CounterOverview
    from kiosk.storage import CounterState, KioskHeartbeat

Count = int | None
"""A published count; None when it is suppressed (1 to MIN_COUNT - 1, see kiosk.stats)."""


@dataclass(frozen=True)
class KioskHealth:
    """A kiosk's last heartbeat; ``stale`` as ``KioskHeartbeat.stale`` decides (it went silent)."""

    heartbeat: KioskHeartbeat
    stale: bool
    seconds_ago: float


@dataclass(frozen=True)
class CategoryTimes:
    """Median and 90th percentile in minutes of one category's waits or services today."""

    category: str
    median: float | None  # None: fewer than MIN_COUNT values, suppressed
    p90: float | None


@dataclass(frozen=True)
class CategoryDay:
    """One category's tickets today. Counts are None where a small group would show."""

    category: str
    issued: Count
    done: Count
    no_show: Count
    transferred: Count
    open: Count


@dataclass(frozen=True)
class TodayStats:
    """Today's aggregates for the supervisor's charts (the CSV's rules, as numbers).

    ``by_hour[i][j]`` is the tickets of ``categories[i]`` issued in hour ``hours[j]``,
    each hour a cell of its own as in the CSV; ``tickets`` are the day's cells per
    category, suppressed by the same rules.
    """

    day: date
    hours: tuple[int, ...]
    categories: tuple[str, ...]
    by_hour: tuple[tuple[Count, ...], ...]
    tickets: tuple[CategoryDay, ...]
    waits: tuple[CategoryTimes, ...]  # only categories with a called ticket
    services: tuple[CategoryTimes, ...]  # only categories with a finished service
    visits: Count
    outcomes: tuple[tuple[str, Count], ...]  # completed, abandoned, in_progress
    card: tuple[tuple[str, Count], ...]  # with_card, without_card
    voice: tuple[tuple[str, Count], ...]  # with_voice, without_voice
    languages: tuple[tuple[str, Count], ...]  # by language code

    @property
    def empty(self) -> bool:
        return not self.categories and not self.visits


class Supervision:
    """The supervisor's actions over the store, the staff accounts and the queue."""

    def __init__(
        self, store: Store, accounts: StaffAccounts, queue: QueueService, settings: Settings
    ) -> None:
        self._store = store
        self._accounts = accounts
        self._queue = queue
        self.settings = settings

    # -- counters ---------------------------------------------------------------

    def counters(self, by: StaffMember) -> builtins.list[CounterOverview]:
        """Every counter with its desks, categories and whether (and by whom) it is open."""
        self._accounts.require_supervisor(by)
        return self._queue.counters_overview()

    def set_counter_open(self, by: StaffMember, counter: str, open: bool) -> CounterState:
        actor = self._accounts.require_supervisor(by)
        return self._queue.set_counter_open(counter, open, actor=actor)

    # -- staff accounts ---------------------------------------------------------

    def staff(self, by: StaffMember) -> builtins.list[StaffMember]:
        """Every account (names are personal data: the viewing is logged)."""
        actor = self._accounts.require_supervisor(by)
        self._log(actor, "staff_list_viewed")
        return self._accounts.list()

    def add_staff(
        self, by: StaffMember, staff_id: str, name: str, role: StaffRole, pin: str
    ) -> StaffMember:
        return self._accounts.add(staff_id, name, role, pin, by=by)

    def change_pin(self, by: StaffMember, staff_id: str, pin: str) -> StaffMember:
        return self._accounts.change_pin(staff_id, pin, by=by)

    def set_role(self, by: StaffMember, staff_id: str, role: StaffRole) -> StaffMember:
        return self._accounts.set_role(staff_id, role, by=by)

    def deactivate(self, by: StaffMember, staff_id: str) -> StaffMember:
        return self._accounts.deactivate(staff_id, by=by)

    def unlock(self, by: StaffMember, staff_id: str) -> StaffMember:
        return self._accounts.unlock(staff_id, by=by)

    def access_log(self, by: StaffMember, limit: int = 200) -> builtins.list[AccessEvent]:
        """Newest first; ``StaffAccounts.access_log`` logs the viewing."""
        return self._accounts.access_log(by, limit=limit)

    # -- kiosks -----------------------------------------------------------------

    def kiosk_health(self, by: StaffMember) -> builtins.list[KioskHealth]:
        """Every kiosk's last heartbeat, by kiosk id, judged stale by the store's clock."""
        self._accounts.require_supervisor(by)
        now = self._store.now()
        interval = self.settings.kiosk.heartbeat_seconds
        return [
            KioskHealth(
                heartbeat=beat,
                stale=beat.stale(now, interval),
                seconds_ago=max(0.0, (now - beat.at).total_seconds()),
            )
            for beat in sorted(self._store.kiosk_heartbeats(), key=lambda b: b.kiosk_id)
        ]

    # -- staff calls ("職員を呼ぶ" at a kiosk) -------------------------------------

    def staff_calls(self, by: StaffMember) -> builtins.list[StaffCall]:
        """The calls no one has acknowledged yet, oldest first."""
        self._accounts.require_supervisor(by)
        return self._store.open_staff_calls()

    def acknowledge_staff_call(self, by: StaffMember, call_id: int) -> bool:
        """ "対応する": clear the call for everyone (logged); False if someone already did."""
        actor = self._accounts.require_supervisor(by)
        return self._store.acknowledge_staff_call(call_id, actor=actor)

    # -- statistics -------------------------------------------------------------

    def today(self, by: StaffMember, zone: tzinfo | None = None) -> TodayStats:
        """Today's statistics (the store clock's day in ``zone``, default the machine's)."""
        self._accounts.require_supervisor(by)
        day = self._store.now().astimezone(zone).date()
        start, end = local_range(day, day, zone)
        engine = self._store.engine
        tickets = ticket_cells(ticket_facts(engine, start, end), zone)
        visits = visit_cells(visit_facts(engine, start, end), zone)
        return today_stats(day, tickets, visits, self._category_order())

    def _category_order(self) -> builtins.list[str]:
        categories = self._queue.catalog.categories.values()
        return [c.id for c in sorted(categories, key=lambda c: c.order)]

    def _log(self, actor: str, action: str, detail: str = "") -> None:
        self._store.log_access(actor=actor, action=action, visit_reference=None, detail=detail)


# -- today's figures (pure) ---------------------------------------------------------


def today_stats(
    day: date,
    tickets: Sequence[TicketCell],
    visits: Sequence[VisitCell],
    category_order: Sequence[str] = (),
) -> TodayStats:
    """The day's figures from the CSV's cells, small groups suppressed as in the CSV."""
    tickets = [c for c in tickets if c.day == day]
    visits = [c for c in visits if c.day == day]
    seen = {c.category for c in tickets}
    order = {cid: i for i, cid in enumerate(category_order)}
    categories = tuple(sorted(seen, key=lambda c: (order.get(c, len(order)), c)))
    hours = _hours(c.hour for c in tickets)
    cells = {(c.category, c.hour): c for c in tickets}
    by_hour = tuple(
        tuple(published_count(cells[(cat, h)].issued) if (cat, h) in cells else 0 for h in hours)
        for cat in categories
    )
    per_category = [[c for c in tickets if c.category == cat] for cat in categories]
    return TodayStats(
        day=day,
        hours=hours,
        categories=categories,
        by_hour=by_hour,
        tickets=tuple(
            _category_day(cat, rows) for cat, rows in zip(categories, per_category, strict=True)
        ),
        waits=_times(categories, per_category, "wait_seconds"),
        services=_times(categories, per_category, "service_seconds"),
        visits=published_count(sum(c.visits for c in visits)),
        **_visit_breakdowns(visits),
    )


def _hours(hours: Iterable[int]) -> tuple[int, ...]:
    """Every hour from the first to the last with tickets, so a chart has no gaps."""
    present = sorted(set(hours))
    return tuple(range(present[0], present[-1] + 1)) if present else ()


def _category_day(category: str, cells: Sequence[TicketCell]) -> CategoryDay:
    issued = sum(c.issued for c in cells)
    parts = {
        "done": sum(c.done for c in cells),
        "no_show": sum(c.no_show for c in cells),
        "transferred": sum(c.transferred for c in cells),
        "open": sum(c.open for c in cells),
    }
    shown = published_group(parts, issued)
    return CategoryDay(
        category=category,
        issued=published_count(issued),
        done=shown["done"],
        no_show=shown["no_show"],
        transferred=shown["transferred"],
        open=shown["open"],
    )


def _times(
    categories: Sequence[str], per_category: Sequence[Sequence[TicketCell]], field: str
) -> tuple[CategoryTimes, ...]:
    result = []
    for category, cells in zip(categories, per_category, strict=True):
        values = [v for c in cells for v in getattr(c, field)]
        if not values:
            continue
        issued = sum(c.issued for c in cells)
        small = issued < MIN_COUNT  # as the CSV: times of a small group are hidden
        result.append(
            CategoryTimes(
                category=category,
                median=None if small else published_minutes(values, "median"),
                p90=None if small else published_minutes(values, "p90"),
            )
        )
    return tuple(result)


Breakdown = tuple[tuple[str, Count], ...]


def _visit_breakdowns(cells: Sequence[VisitCell]) -> dict[str, Breakdown]:
    total = sum(c.visits for c in cells)
    languages: dict[str, int] = {}
    for cell in cells:
        for code, n in cell.languages:
            languages[code] = languages.get(code, 0) + n
    with_card = sum(c.with_card for c in cells)
    with_voice = sum(c.with_voice for c in cells)
    groups = {
        "outcomes": {
            "completed": sum(c.completed for c in cells),
            "abandoned": sum(c.abandoned for c in cells),
            "in_progress": sum(c.in_progress for c in cells),
        },
        "card": {"with_card": with_card, "without_card": total - with_card},
        "voice": {"with_voice": with_voice, "without_voice": total - with_voice},
        "languages": dict(sorted(languages.items())),
    }
    return {name: tuple(published_group(values, total).items()) for name, values in groups.items()}
