"""Queue ticket numbering: contiguous per category and day, safe under concurrency."""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from kiosk.storage import Store, VisitNotFound
from kiosk.visit import Visit
from tests.keys import open_store


@pytest.fixture
def db_url(any_db_url: str) -> str:
    """Every test here runs on SQLite and on PostgreSQL."""
    return any_db_url


PROCESSES = 4
THREADS = 8
PER_WORKER = 25


def _issue(store: Store, category: str = "resident", letter: str = "A", **kwargs: Any) -> Any:
    return store.issue_ticket(
        category=category,
        letter=letter,
        counter=kwargs.pop("counter", "3"),
        visit_reference=kwargs.pop("visit_reference", None),
    )


def test_numbers_are_contiguous_per_category(store: Store) -> None:
    residents = [_issue(store, "resident", "A") for _ in range(3)]
    taxes = [_issue(store, "tax", "B") for _ in range(2)]
    residents.append(_issue(store, "resident", "A"))
    assert [t.number for t in residents] == [1, 2, 3, 4]
    assert [t.code for t in residents] == ["A-001", "A-002", "A-003", "A-004"]
    assert [t.code for t in taxes] == ["B-001", "B-002"]
    assert {t.category for t in taxes} == {"tax"}
    assert residents[0].counter == "3"


def test_numbers_restart_on_a_new_day(store: Store, clock: Any) -> None:
    assert [_issue(store).number for _ in range(3)] == [1, 2, 3]
    clock.advance(timedelta(days=1))
    assert _issue(store).code == "A-001"
    assert store.waiting_count("resident") == 1
    clock.advance(timedelta(hours=1))
    assert _issue(store).code == "A-002"


def test_code_grows_past_three_digits(store: Store, db_url: str, clock: Any) -> None:
    _issue(store)
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE ticket_counters SET last_number = 999"))
    engine.dispose()
    assert _issue(store).code == "A-1000"


def test_waiting_ahead_counts_only_earlier_waiting_tickets(store: Store) -> None:
    first, second, _third = (_issue(store) for _ in range(3))
    _issue(store, "tax", "B")
    assert store.waiting_count("resident") == 3
    assert store.set_ticket_status(category="resident", number=first.number, status="called")
    assert store.set_ticket_status(category="resident", number=second.number, status="done")
    fourth = _issue(store)
    assert (fourth.number, fourth.waiting_ahead) == (4, 1)
    assert store.waiting_count("resident") == 2
    assert store.waiting_count("tax") == 1
    assert store.waiting_count("unknown") == 0
    assert not store.set_ticket_status(category="resident", number=99, status="called")


def test_issued_at_is_the_clock_time(store: Store, clock: Any) -> None:
    ticket = _issue(store)
    assert ticket.issued_at == clock.now
    assert ticket.issued_at.tzinfo is not None


def test_ticket_is_attached_to_the_visit(store: Store) -> None:
    visit = Visit(language="en")
    reference = store.save_visit(visit, kiosk_id="k", status="in_progress")
    ticket = _issue(store, visit_reference=reference)
    assert store.load_visit(reference).ticket == ticket


def test_ticket_issued_before_saving_is_linked_by_save(store: Store) -> None:
    visit = Visit(language="en")
    visit.ticket = _issue(store)
    reference = store.save_visit(visit, kiosk_id="k", status="completed")
    assert store.load_visit(reference).ticket == visit.ticket


def test_unknown_visit_reference_consumes_no_number(store: Store) -> None:
    with pytest.raises(VisitNotFound):
        _issue(store, visit_reference="NOPE2345")
    assert _issue(store).number == 1


def _assert_contiguous(numbers: list[int], expected: int) -> None:
    assert len(numbers) == expected
    assert sorted(numbers) == list(range(1, expected + 1))


def test_concurrent_threads_get_unique_contiguous_numbers(store: Store) -> None:
    barrier = threading.Barrier(THREADS)

    def worker() -> list[tuple[int, int]]:
        barrier.wait()
        return [(t.number, t.waiting_ahead) for t in (_issue(store) for _ in range(PER_WORKER))]

    with ThreadPoolExecutor(THREADS) as pool:
        results = [pair for batch in pool.map(lambda _: worker(), range(THREADS)) for pair in batch]
    _assert_contiguous([number for number, _ in results], THREADS * PER_WORKER)
    assert all(ahead == number - 1 for number, ahead in results)
    assert store.waiting_count("resident") == THREADS * PER_WORKER


def _issue_in_process(url: str, key_file: str, barrier: Any, results: Any, count: int) -> None:
    with open_store(url, Path(key_file)) as store:
        barrier.wait()
        results.put([_issue(store).number for _ in range(count)])


def test_concurrent_processes_get_unique_contiguous_numbers(db_url: str, key_file: Path) -> None:
    # The workers also race to create the database, its schema and the key file.
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(PROCESSES)
    results = ctx.Queue()
    workers = [
        ctx.Process(
            target=_issue_in_process,
            args=(db_url, str(key_file), barrier, results, PER_WORKER),
        )
        for _ in range(PROCESSES)
    ]
    for process in workers:
        process.start()
    numbers = [n for _ in workers for n in results.get(timeout=90)]
    for process in workers:
        process.join(timeout=30)
        assert process.exitcode == 0
    _assert_contiguous(numbers, PROCESSES * PER_WORKER)
    with open_store(db_url, key_file) as store:  # real clock, like the workers
        assert store.waiting_count("resident") == PROCESSES * PER_WORKER
