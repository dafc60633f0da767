"""kiosk.supervision on SQLite and PostgreSQL: only active supervisors, logged views, and
today's figures from a day of tickets driven through the real QueueService."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from argon2 import PasswordHasher, Type

from kiosk.catalog import Catalog
from kiosk.config import Settings
from kiosk.queue import QueueService
from kiosk.staff import NotAllowed, StaffAccounts, StaffExists, StaffMember, WeakPin
from kiosk.storage import HealthCheck, Store
from kiosk.supervision import CategoryDay, CategoryTimes, Supervision, today_stats
from kiosk.visit import Visit
from tests.keys import open_store
from tests.storage.conftest import FakeClock

TOKYO = ZoneInfo("Asia/Tokyo")
DAY = date(2024, 4, 1)
BOSS_PIN = "2580"
CLERK_PIN = "1397"


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TOKYO)


def cheap_hasher() -> PasswordHasher:
    # Fast parameters for tests; production uses default_hasher() (64 MiB).
    return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, type=Type.ID)


@dataclass
class Office:
    """A ward office's kiosk database with a supervisor and a clerk."""

    store: Store
    clock: FakeClock
    accounts: StaffAccounts
    queue: QueueService
    supervision: Supervision
    boss: StaffMember
    clerk: StaffMember


def open_office(url: str, key_file: Path, settings: Settings | None = None) -> Office:
    settings = settings or Settings()
    clock = FakeClock(at(DAY, 8))
    store = open_store(url, key_file, clock=clock)
    accounts = StaffAccounts(store, hasher=cheap_hasher())
    boss = accounts.add("BOSS", "監督 一郎", "supervisor", BOSS_PIN, by="cli:setup")
    clerk = accounts.add("S001", "窓口 花子", "staff", CLERK_PIN, by="cli:setup")
    queue = QueueService(store, Catalog.load(), settings.counters, max_passes=2)
    return Office(
        store, clock, accounts, queue, Supervision(store, accounts, queue, settings), boss, clerk
    )


def day_of_tickets(office: Office) -> None:
    """A morning at the resident counter, one insurance ticket, seven kiosk visits.

    resident, 09:00-09:05: six tickets; waits 10, 19, 28, 42, 46, 50 min; three served
    (5, 8, 12 min), three no-shows. resident, 10:00-10:02: three still waiting.
    insurance, 10:20: one ticket (a group too small to show). The day before: one ticket.
    Visits: ja 4, en 3; card 4; voice 3; completed 4, abandoned 3.
    """
    store, clock, queue = office.store, office.clock, office.queue
    clock.now = at(DAY - timedelta(days=1), 15)
    queue.issue("resident")
    for i, (language, card, voice, status) in enumerate(
        [
            ("ja", True, True, "completed"),
            ("ja", True, True, "completed"),
            ("en", True, True, "completed"),
            ("en", True, False, "completed"),
            ("ja", False, False, "abandoned"),
            ("ja", False, False, "abandoned"),
            ("en", False, False, "abandoned"),
        ]
    ):
        visit = Visit(language=language, started_at=at(DAY, 9, i), used_card=card, used_voice=voice)
        store.save_visit(visit, kiosk_id="kita-1f-01", status=status)  # type: ignore[arg-type]
    for minute in range(6):
        clock.now = at(DAY, 9, minute)
        queue.issue("resident")

    def call(hour: int, minute: int) -> int:
        clock.now = at(DAY, hour, minute)
        called = queue.call_next("resident")
        assert called is not None
        return called.id

    def then(hour: int, minute: int, action: str, ticket_id: int) -> None:
        clock.now = at(DAY, hour, minute)
        getattr(queue, action)(ticket_id, "resident")

    for (hour, minute), served in (((9, 10), 5), ((9, 20), 8), ((9, 30), 12)):
        ticket = call(hour, minute)
        then(hour, minute, "start", ticket)
        then(hour, minute + served, "done", ticket)
    for hour, minute in ((9, 45), (9, 50), (9, 55)):
        ticket = call(hour, minute)
        then(hour, minute + 4, "no_show", ticket)
    for minute in range(3):
        clock.now = at(DAY, 10, minute)
        queue.issue("resident")
    clock.now = at(DAY, 10, 20)
    queue.issue("insurance")
    clock.now = at(DAY, 17)


@pytest.fixture
def office(any_db_url: str, tmp_path: Path) -> Iterator[Office]:
    opened = open_office(any_db_url, tmp_path / "keys" / "kiosk.key")
    try:
        yield opened
    finally:
        opened.store.close()


def actions(store: Store) -> list[tuple[str, str, str]]:
    return [(e.actor, e.action, e.detail) for e in reversed(store.access_events(limit=1000))]


# -- who may ---------------------------------------------------------------------------

CALLS: dict[str, Callable[[Supervision, StaffMember], Any]] = {
    "counters": lambda s, m: s.counters(m),
    "set_counter_open": lambda s, m: s.set_counter_open(m, "resident", False),
    "staff": lambda s, m: s.staff(m),
    "add_staff": lambda s, m: s.add_staff(m, "S009", "新人 太郎", "staff", "4826"),
    "change_pin": lambda s, m: s.change_pin(m, "S001", "4826"),
    "set_role": lambda s, m: s.set_role(m, "S001", "supervisor"),
    "deactivate": lambda s, m: s.deactivate(m, "S001"),
    "unlock": lambda s, m: s.unlock(m, "S001"),
    "access_log": lambda s, m: s.access_log(m),
    "kiosk_health": lambda s, m: s.kiosk_health(m),
    "today": lambda s, m: s.today(m, TOKYO),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_staff_who_are_not_supervisors_are_refused(office: Office, name: str) -> None:
    before = office.store.access_events(limit=1000)
    with pytest.raises(NotAllowed):
        CALLS[name](office.supervision, office.clerk)
    assert office.store.counter_states() == {}
    assert office.accounts.get("S001") == office.clerk
    assert [e.action for e in office.store.access_events(limit=1000)] == [e.action for e in before]


def test_a_supervisor_is_checked_against_the_database_not_the_signed_in_copy(
    office: Office,
) -> None:
    office.supervision.set_role(office.boss, "S001", "supervisor")
    promoted = office.accounts.get("S001")
    office.supervision.deactivate(promoted, "BOSS")
    with pytest.raises(NotAllowed):
        office.supervision.counters(office.boss)  # still holds role=supervisor
    with pytest.raises(NotAllowed):
        office.supervision.counters("cli:someone")  # type: ignore[arg-type]
    assert office.supervision.counters(promoted)


# -- counters -------------------------------------------------------------------------


def test_closing_and_opening_a_counter(office: Office) -> None:
    sv, boss = office.supervision, office.boss
    overview = {c.counter: c for c in sv.counters(boss)}
    assert overview["resident"].open and overview["resident"].changed_by is None
    office.clock.advance(timedelta(minutes=5))
    state = sv.set_counter_open(boss, "resident", False)
    assert (state.counter, state.open, state.changed_by) == ("resident", False, "staff:BOSS")
    overview = {c.counter: c for c in sv.counters(boss)}
    assert not overview["resident"].open
    assert overview["resident"].changed_at == office.clock.now
    assert overview["insurance"].open
    sv.set_counter_open(boss, "resident", True)
    assert {c.counter: c.open for c in sv.counters(boss)}["resident"]
    logged = [a for a in actions(office.store) if a[1].startswith("counter_")]
    assert logged == [
        ("staff:BOSS", "counter_closed", "counter=resident"),
        ("staff:BOSS", "counter_opened", "counter=resident"),
    ]


# -- staff ----------------------------------------------------------------------------


def test_managing_staff_accounts(office: Office) -> None:
    sv, boss = office.supervision, office.boss
    added = sv.add_staff(boss, "s002", "佐藤 花子", "staff", "4826")
    assert (added.staff_id, added.role, added.active) == ("S002", "staff", True)
    with pytest.raises(StaffExists):
        sv.add_staff(boss, "S002", "別人", "staff", "4826")
    with pytest.raises(WeakPin):
        sv.change_pin(boss, "S002", "1234")
    for _ in range(5):
        with pytest.raises(Exception):  # noqa: B017, PT011  (WrongPin, then Locked)
            office.accounts.authenticate("S002", "9999")
    assert office.accounts.get("S002").locked_until is not None
    assert sv.unlock(boss, "S002").locked_until is None
    sv.change_pin(boss, "S002", "7391")
    assert office.accounts.authenticate("S002", "7391").staff_id == "S002"
    assert sv.set_role(boss, "S002", "supervisor").is_supervisor
    assert not sv.deactivate(boss, "S002").active
    listed = {m.staff_id: m for m in sv.staff(boss)}
    assert set(listed) == {"BOSS", "S001", "S002"}
    assert not listed["S002"].active
    mine = [a[1] for a in actions(office.store) if a[0] == "staff:BOSS"]
    assert mine == [
        "staff_added",
        "staff_unlocked",
        "staff_pin_changed",
        "staff_role_changed",
        "staff_deactivated",
        "staff_list_viewed",
    ]
    assert "7391" not in repr(actions(office.store)) and "4826" not in repr(actions(office.store))


def test_the_access_log_newest_first_and_its_viewing_logged(office: Office) -> None:
    sv, boss = office.supervision, office.boss
    sv.set_counter_open(boss, "children", False)
    office.clock.advance(timedelta(minutes=1))
    events = sv.access_log(boss, limit=2)
    assert [e.action for e in events] == ["access_log_viewed", "counter_closed"]
    assert events[0].actor == "staff:BOSS"


# -- kiosks ---------------------------------------------------------------------------


def test_kiosk_health_with_stale_flags_from_the_store_clock(office: Office) -> None:
    store, clock = office.store, office.clock
    checks = [
        HealthCheck("card_reader", "ok", "Virtual PCD"),
        HealthCheck("forms_printer", "error", "out of paper"),
    ]
    store.record_heartbeat("kita-1f-02", checks, version="1.4.0")
    clock.advance(timedelta(minutes=10))
    store.record_heartbeat("kita-1f-01", checks[:1], version="1.4.1")
    clock.advance(timedelta(seconds=30))
    health = office.supervision.kiosk_health(office.boss)
    assert [h.heartbeat.kiosk_id for h in health] == ["kita-1f-01", "kita-1f-02"]
    fresh, silent = health
    assert (fresh.stale, fresh.seconds_ago) == (False, 30)
    assert (silent.stale, silent.seconds_ago) == (True, 630)
    assert silent.heartbeat.worst == "error"
    assert [c.name for c in silent.heartbeat.checks] == ["card_reader", "forms_printer"]


def test_stale_follows_the_configured_interval(any_db_url: str, tmp_path: Path) -> None:
    settings = Settings.model_validate({"kiosk": {"heartbeat_seconds": 600}})
    office = open_office(any_db_url, tmp_path / "k.key", settings)
    try:
        office.store.record_heartbeat("kita-1f-01", [], version="1")
        office.clock.advance(timedelta(minutes=29))
        assert not office.supervision.kiosk_health(office.boss)[0].stale
        office.clock.advance(timedelta(minutes=2))
        assert office.supervision.kiosk_health(office.boss)[0].stale
    finally:
        office.store.close()


# -- today ----------------------------------------------------------------------------


def test_today_figures_from_a_day_of_tickets(office: Office) -> None:
    day_of_tickets(office)
    today = office.supervision.today(office.boss, TOKYO)
    assert today.day == DAY
    assert today.hours == (9, 10)
    assert today.categories == ("resident", "insurance")
    assert today.by_hour == ((6, 3), (0, None))  # one insurance ticket: suppressed
    assert today.tickets == (
        CategoryDay("resident", issued=9, done=3, no_show=3, transferred=0, open=3),
        CategoryDay("insurance", None, None, None, None, None),
    )
    assert today.waits == (CategoryTimes("resident", median=35.0, p90=48.0),)
    assert today.services == (CategoryTimes("resident", median=8.0, p90=11.2),)
    assert today.visits == 7
    assert dict(today.outcomes) == {"completed": 4, "abandoned": 3, "in_progress": 0}
    assert dict(today.card) == {"with_card": 4, "without_card": 3}
    assert dict(today.voice) == {"with_voice": 3, "without_voice": 4}
    assert today.languages == (("en", 3), ("ja", 4))
    assert not today.empty


def test_today_is_empty_on_a_quiet_day(office: Office) -> None:
    today = office.supervision.today(office.boss, TOKYO)
    assert today.empty and today.hours == () and today.visits == 0


def test_small_groups_hide_the_whole_breakdown() -> None:
    from kiosk.stats import TicketFacts, VisitFacts, ticket_cells, visit_cells

    issued = at(DAY, 11)
    tickets = [
        TicketFacts("resident", status, issued, issued + timedelta(minutes=5), None, None)
        for status in ("no_show", "no_show", "waiting", "waiting", "waiting")
    ]
    visits = [
        VisitFacts(issued, lang, True, False, "completed") for lang in ["ja", "ja", "ja", "ko"]
    ]
    stats = today_stats(DAY, ticket_cells(tickets, TOKYO), visit_cells(visits, TOKYO), ["resident"])
    # 5 tickets are shown, but 2 no-shows would single people out: the breakdown goes.
    assert stats.tickets == (CategoryDay("resident", 5, None, None, None, None),)
    assert stats.waits == (CategoryTimes("resident", 5.0, 5.0),)
    assert stats.visits == 4
    assert stats.languages == (("ja", None), ("ko", None))
    assert dict(stats.voice) == {"with_voice": 0, "without_voice": 4}


def test_an_hour_too_small_to_show_is_hidden_on_its_own() -> None:
    from kiosk.stats import TicketFacts, ticket_cells

    def ticket(hour: int, status: str) -> TicketFacts:
        return TicketFacts("insurance", status, at(DAY, hour), None, None, None)

    facts = [ticket(8, "waiting"), ticket(8, "waiting")] + [ticket(9, "waiting")] * 4
    stats = today_stats(DAY, ticket_cells(facts, TOKYO), [], ["resident", "insurance"])
    assert stats.hours == (8, 9)
    assert stats.by_hour == ((None, 4),)
    assert stats.tickets == (CategoryDay("insurance", 6, 0, 0, 0, 6),)
    assert stats.waits == () and stats.services == ()
