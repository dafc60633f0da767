"""What the residents' web app (``ward-kiosk web``) may do: save pre-entries, and read the
queue for the phone page. No visit, no key, nothing personal back.

Its database role (``ward_web``) may only INSERT pre-entries and read the queue's tables,
so a web process broken into can neither read a pre-entry nor change a ticket.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Self

from kiosk.pre_entry import PreEntry, derive, new_code
from kiosk.storage import counter_queries, queueing, web_queries
from kiosk.storage.crypto import StorageError
from kiosk.storage.data_keys import Keyring
from kiosk.storage.database import DatabaseTarget
from kiosk.storage.for_board import QueueEventsForPollers
from kiosk.storage.models import TicketRow
from kiosk.storage.pre_entries import seal
from kiosk.storage.queueing import QueueTicket
from kiosk.storage.store_base import Clock, StoreBase, aware, service_day_of

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from kiosk.catalog import Catalog
    from kiosk.config import Settings
    from kiosk.queue.rules import QueueRules

log = logging.getLogger(__name__)

CODE_TRIES = 5  # a lookup id taken by chance (1 in 2^60 per pre-entry) means a new code
CALLED = frozenset({"called", "serving"})


@dataclass(frozen=True)
class TicketView:
    """A ticket as its phone page shows it: nothing personal."""

    code: str  # "A-012"
    category: str
    status: str  # one of TICKET_STATUSES
    ahead: int  # waiting tickets the counters call first (0 unless waiting)
    estimated_minutes: int  # until it is called (0 unless waiting)
    counter_number: str  # the counter it was called to, as on the signs ("" until called)
    language: str
    issued_at: datetime


@dataclass(frozen=True)
class CategoryWait:
    category: str
    letter: str
    waiting: int
    estimated_minutes: int  # for a ticket issued now


@dataclass(frozen=True)
class Waits:
    """Today's queue for the web's front page."""

    categories: dict[str, CategoryWait] = field(default_factory=dict)
    issued_by_hour: dict[int, int] = field(default_factory=dict)
    """Tickets issued today per hour (local clock): today's busiest hours so far."""


class WebStore(QueueEventsForPollers, StoreBase):
    """The web's side of the store. Open it with ``WebStore.for_web`` or ``open_web_store``."""

    rules: QueueRules | None = None
    pre_entry_days: int = 30

    @classmethod
    def for_web(
        cls,
        target: str | DatabaseTarget,
        rules: QueueRules,
        *,
        pre_entry_days: int = 30,
        clock: Clock | None = None,
    ) -> Self:
        """Open the database with no key: the web reads nothing sealed."""
        store = cls.open(target, Keyring(), clock=clock, creator="web")
        store.rules, store.pre_entry_days = rules, pre_entry_days
        return store

    # -- pre-entries ------------------------------------------------------------------

    def save_pre_entry(self, entry: PreEntry, *, now: datetime | None = None) -> str:
        """Store ``entry`` sealed under a new code and return the code (show it once: it is
        not kept). Sets ``entry.created_at``, ``entry.expires_at`` and clears ``used_at``.

        It expires at the local midnight that ends its last day, ``pre_entry_days`` after
        today: a code made at 7:30 still works when the office opens on the day shown.
        """
        now = aware(now) if now is not None else self._now()
        entry.created_at, entry.used_at = now, None
        entry.expires_at = expiry(now, self.pre_entry_days)
        for _ in range(CODE_TRIES):
            code = new_code()
            lookup, key = derive(code)
            payload = seal(entry, lookup, key)
            with self._session(write=True) as session:
                saved = web_queries.insert_pre_entry(
                    session,
                    lookup=lookup,
                    payload=payload,
                    created_at=now,
                    expires_at=entry.expires_at,
                )
                if saved:
                    log.info("pre-entry saved, expires %s", entry.expires_at.date().isoformat())
                    return code
        raise StorageError(
            f"No free pre-entry code after {CODE_TRIES} tries, which should never happen: "
            "check the random number source of this machine, then try again."
        )

    # -- the phone page ---------------------------------------------------------------

    def ticket_status(self, token: str, *, now: datetime | None = None) -> TicketView | None:
        """Today's ticket with ``token``, or None (unknown, or not today's)."""
        return self.statuses([token], now=now).get(token)

    def statuses(
        self, tokens: Collection[str], *, now: datetime | None = None
    ) -> dict[str, TicketView]:
        """``ticket_status`` of many tokens in one transaction of at most four queries
        (more only past ``web_queries.TOKENS_PER_QUERY`` tokens); unknown ones are left out."""
        day = service_day_of(aware(now) if now is not None else self._now())
        with self._session() as session:
            rows = web_queries.tickets_by_token(session, day, tokens)
            waiting = sorted({r.category for r in rows if r.status == "waiting"})
            view = _Queue.read(session, day, waiting) if waiting else _Queue()
        places = self._places(view)
        return {str(row.token): self._view(row, view, places) for row in rows}

    def _places(self, queue: _Queue) -> dict[int, int]:
        """Each waiting ticket's place in its category's call order, by ticket id: the
        order is worked out once per category, however many of its tickets are followed."""
        rules = self._rules()
        places: dict[int, int] = {}
        for category in {t.category for t in queue.waiting}:
            same = [t for t in queue.waiting if t.category == category]
            places.update((t.id, i) for i, t in enumerate(rules.call_order(same)))
        return places

    def _view(self, row: TicketRow, queue: _Queue, places: dict[int, int]) -> TicketView:
        ahead = minutes = 0
        if row.status == "waiting" and row.id in places:  # else called between the reads
            ahead = places[row.id]
            minutes = self._estimate(queue, row.category, ahead)
        number = ""
        if row.status in CALLED and row.called_by:
            number = self._rules().counter_number(row.called_by)
        return TicketView(
            code=row.code,
            category=row.category,
            status=row.status,
            ahead=ahead,
            estimated_minutes=minutes,
            counter_number=number,
            language=row.language,
            issued_at=row.issued_at.astimezone(),
        )

    def _estimate(self, queue: _Queue, category: str, ahead: int) -> int:
        seconds = queue.seconds.get(category, [])
        return _or_zero(lambda: self._rules().estimate(category, ahead, seconds, queue.closed))

    # -- the front page -----------------------------------------------------------------

    def waits(self, *, now: datetime | None = None) -> Waits:
        """Every category's waiting tickets and the wait of a ticket issued now, and
        today's tickets per hour."""
        rules = self._rules()
        day = service_day_of(aware(now) if now is not None else self._now())
        with self._session() as session:
            counts = queueing.waiting_counts(session, day)
            closed = counter_queries.closed_counters(session)
            seconds = web_queries.service_seconds_by_category(session, day)
            hours = web_queries.issued_by_hour(session, day)
        waits = {}
        for category in rules.categories():
            waiting = sum(counts.get(category.id, (0, 0)))
            samples = seconds.get(category.id, [])
            minutes = rules.estimate(category.id, waiting, samples, closed)
            waits[category.id] = CategoryWait(category.id, category.letter, waiting, minutes)
        return Waits(waits, hours)

    def _rules(self) -> QueueRules:
        if self.rules is None:
            raise RuntimeError("WebStore needs the queue's rules: open it with for_web()")
        return self.rules


@dataclass(frozen=True)
class _Queue:
    """What placing waiting tickets needs, read once for all of them."""

    waiting: list[QueueTicket] = field(default_factory=list)
    closed: frozenset[str] = frozenset()
    seconds: dict[str, list[float]] = field(default_factory=dict)

    @classmethod
    def read(cls, session: Session, day: date, categories: list[str]) -> _Queue:
        return cls(
            queueing.waiting_tickets(session, day, categories),
            counter_queries.closed_counters(session),
            web_queries.service_seconds_by_category(session, day, categories),
        )


def _or_zero(estimate: Callable[[], int]) -> int:
    """A ticket of a category the catalog no longer has gets no estimate."""
    try:
        return estimate()
    except ValueError:
        return 0


def open_web_store(
    settings: Settings, *, catalog: Catalog | None = None, clock: Clock | None = None
) -> WebStore:
    """The web's store as ``settings`` say: ``[database]`` as role "web", ``[web]``,
    the counters, ``[queue] max_passes`` and the catalog (loaded when not given)."""
    from kiosk.catalog import Catalog
    from kiosk.db_settings import database_target
    from kiosk.queue.rules import QueueRules

    rules = QueueRules(
        catalog or Catalog.load(), settings.counters, max_passes=settings.queue.max_passes
    )
    return WebStore.for_web(
        database_target(settings, "web"),
        rules,
        pre_entry_days=settings.web.pre_entry_days,
        clock=clock,
    )


def expiry(created: datetime, days: int) -> datetime:
    """The local midnight after the day ``days`` days after ``created``'s local day."""
    local = created.astimezone()
    last_day = local.date() + timedelta(days=days)
    return datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=local.tzinfo)
