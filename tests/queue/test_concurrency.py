"""Several processes at the same moment: issued numbers unique and contiguous per
category; two counters calling at once never call the same ticket."""

from __future__ import annotations

import multiprocessing
from collections import defaultdict
from pathlib import Path
from typing import Any

from kiosk.catalog import Catalog
from kiosk.config import Settings
from kiosk.queue import QueueService
from tests.keys import open_store

PROCESSES = 4
PER_PROCESS = 16
CATEGORIES = ("resident", "insurance")


def _service(url: str, key_file: str) -> QueueService:
    return QueueService(open_store(url, Path(key_file)), Catalog.load(), Settings().counters)


def _issue_worker(url: str, key_file: str, barrier: Any, out: Any) -> None:
    service = _service(url, key_file)
    barrier.wait()
    issued = [service.issue(CATEGORIES[i % 2]).ticket for i in range(PER_PROCESS)]
    out.put([(t.category, t.number, t.waiting_ahead) for t in issued])
    service.store.close()


def _call_worker(url: str, key_file: str, counter: str, barrier: Any, out: Any) -> None:
    service = _service(url, key_file)
    barrier.wait()
    called = []
    while (ticket := service.call_next(counter)) is not None:
        called.append(ticket.id)
    out.put(called)
    service.store.close()


def _run(target: Any, args_per_process: list[tuple[Any, ...]]) -> list[list[Any]]:
    ctx = multiprocessing.get_context("fork")
    barrier, out = ctx.Barrier(len(args_per_process)), ctx.Queue()
    procs = [ctx.Process(target=target, args=(*a, barrier, out)) for a in args_per_process]
    for p in procs:
        p.start()
    results = [out.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(30)
        assert p.exitcode == 0
    return results


def test_concurrent_issue_is_unique_and_contiguous(db_url: str, key_file: Path) -> None:
    open_store(db_url, key_file).close()  # migrate once
    results = _run(_issue_worker, [(db_url, str(key_file))] * PROCESSES)
    numbers: dict[str, list[int]] = defaultdict(list)
    for category, number, ahead in (t for result in results for t in result):
        numbers[category].append(number)
        # Nobody is called: everyone issued before waits ahead, including tickets
        # committed while this one waited for the number (PostgreSQL's snapshot).
        assert ahead == number - 1
    for category in CATEGORIES:
        assert sorted(numbers[category]) == list(range(1, PROCESSES * PER_PROCESS // 2 + 1))


def test_two_counters_never_call_the_same_ticket(db_url: str, key_file: Path) -> None:
    service = _service(db_url, str(key_file))
    issued = {service.issue("resident", priority=i % 5 == 0).ticket.id for i in range(40)}
    service.store.close()
    args = [(db_url, str(key_file), "resident")] * 3
    results = _run(_call_worker, args)
    called = [ticket_id for result in results for ticket_id in result]
    assert len(called) == len(set(called))
    assert set(called) == issued
