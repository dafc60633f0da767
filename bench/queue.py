"""Queue on PostgreSQL: ticket issue latency under load, and call-to-board time.

A private PostgreSQL server (``tests/pg_server.py``, fsync off, unix socket) holds
a fresh database. CLIENTS processes start together; each issues ISSUES tickets and
calls the next one after every second issue, timing each issue; between them it
times a bare ``SELECT 1`` through the same engine (the baseline row, measured
under the same load). Targets: p99 issue latency at most 50 ms. Then, idle, a
board subscribed with LISTEN times "call next" until the callback sees the call,
and the real board window (offscreen, bench/board_window.py) until its label shows
the number (target: at most 1 s; the callback is that row's baseline).

Load model: the real clients are 20 PCs, each with a CPU of its own. On a 2-CPU
test machine no model gives them that: 20 processes share both CPUs with the
server; 20 threads (one connection each) share one interpreter, so every client's
Python work queues for the one GIL and a thread back from the database waits up
to the 5 ms switch interval for it. Both were run, alternately: with today's
one-statement issue they measured alike (issue median 9 to 13 ms either way), but
with the estimate still read in its own transaction, i.e. more Python work per
issue, the threads' own ``SELECT 1`` baseline was 3 to 5 times slower than the
processes' (median 31 ms against 6 to 11 ms): threads measure the GIL. So processes stay;
what the machine adds shows in the baseline row, which is why issue latency is read
against it (the "vs base" column), not only against the 50 ms target.
"""

from __future__ import annotations

import multiprocessing
import queue
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import Row, run_module

CLIENTS = 20
ISSUES = 50
BOARD_RUNS = 30
COUNTERS = ("resident", "insurance")


def run() -> list[Row]:
    from tests.pg_server import PgServer, unavailable_reason

    reason = unavailable_reason()
    if reason is not None:
        return [Row("queue: skipped", [0.0], note=reason)]
    server = PgServer().start()
    try:
        url = server.create_database("bench", migrated=True)  # as `ward-kiosk db upgrade`
        key = Path(tempfile.mkdtemp()) / "data.key"
        issue, base = _load(url, key)
        board = _board(url, key)
        window = run_module("bench.board_window", url, str(key), str(BOARD_RUNS))["samples"]
    finally:
        server.stop()
    return [
        Row("queue: SELECT 1 under load (baseline)", base, note=_p99(base)),
        Row(f"queue: issue, {CLIENTS} clients issuing+calling", issue, base, note=_p99(issue)),
        Row("queue: call next -> board callback (LISTEN)", board, note=_p99(board)),
        Row("queue: call next -> number on board window", window, board, note=_p99(window)),
    ]


def _service(url: str, key: Path) -> Any:
    from kiosk.catalog import Catalog
    from kiosk.config import Settings
    from kiosk.queue import QueueService
    from kiosk.storage import Store
    from kiosk.storage.data_keys import Keyring

    # Tickets hold no personal data: the queue needs no ward key, like the board.
    return QueueService(Store.open(url, Keyring()), Catalog.load(), Settings().counters)


def _client(url: str, key: Path, index: int, barrier: Any, out: Any) -> None:
    from sqlalchemy import text

    service = _service(url, key)
    engine = service.store.engine  # the same pool the queue uses
    category = COUNTERS[index % 2]
    issue, base = [], []
    barrier.wait()
    for i in range(ISSUES):
        start = time.perf_counter()
        service.issue(category)
        issue.append(time.perf_counter() - start)
        start = time.perf_counter()
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        base.append(time.perf_counter() - start)
        if i % 2:
            service.call_next(category)
    out.put((issue, base))
    service.store.close()


def _load(url: str, key: Path) -> tuple[list[float], list[float]]:
    ctx = multiprocessing.get_context("fork")
    barrier, out = ctx.Barrier(CLIENTS), ctx.Queue()
    procs = [ctx.Process(target=_client, args=(url, key, i, barrier, out)) for i in range(CLIENTS)]
    for p in procs:
        p.start()
    results = [out.get(timeout=300) for _ in procs]
    for p in procs:
        p.join(30)
    return [s for r in results for s in r[0]], [s for r in results for s in r[1]]


def _board(url: str, key: Path) -> list[float]:
    from kiosk.queue import open_events

    service = _service(url, key)
    events = open_events(service.store)
    seen: queue.Queue[tuple[float, int]] = queue.Queue()
    events.subscribe(
        lambda e: seen.put((time.perf_counter(), e.ticket_id)) if e.status == "called" else None
    )
    samples = []
    try:
        for _ in range(BOARD_RUNS):
            service.issue("children")
            start = time.perf_counter()
            ticket = service.call_next("children")
            at, ticket_id = seen.get(timeout=5)
            assert ticket is not None
            assert ticket_id == ticket.id
            samples.append(at - start)
    finally:
        events.close()
        service.store.close()
    return samples


def _p99(samples: list[float]) -> str:
    q = statistics.quantiles(samples, n=100, method="inclusive")[98] * 1000
    return f"p99 {q:.1f} ms, n={len(samples)}"
