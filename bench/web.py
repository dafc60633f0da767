"""The residents' web app under load: ticket pages and live "called" updates.

A private PostgreSQL server (``tests/pg_server.py``) holds a migrated database. The
web app runs as ``ward-kiosk web`` in its own process on 127.0.0.1, configured by a
temporary config file with the server's URL: it connects as the owner (the private
server's superuser), not as a ``ward_web`` member, which changes no query it makes.
A constant ASGI endpoint under the same uvicorn settings runs in another process
(``python -m bench.web --port PORT``): the baseline.

One asyncio client process (this one) plays FOLLOWERS phones, each with a ticket of
its own: each opens ``/t/<token>/events`` and keeps it open, then loads its page
``/t/<token>`` and the constant endpoint PAGE_LOADS times each, in random order at
random moments of the DURATION_S load, each on a new connection. The client speaks
plain HTTP/1.1 on asyncio streams: with httpx its own event loop lagged up to 2 s under
this load, and both page rows measured the client. Meanwhile WORKERS processes
(QueueService on the same database, like the counters) each issue a ticket and call
the next one every PERIOD_S; the followers' tickets are the oldest, so they are called
during the load. A worker notes the time it calls ``call_next`` (the commit is inside
it), the client the time the stream brings "called": both CLOCK_MONOTONIC, one clock
for all processes. Targets: page p99 at most 100 ms, call to seen p99 at most 2 s.
The web process's memory comes from /proc/<pid>/status (VmRSS, VmHWM).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import multiprocessing
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import ROOT, Row

FOLLOWERS = 200
WORKERS = 20
DURATION_S = 25.0
PERIOD_S = 2.0  # each worker: one issue and one call per period (20 workers: 10 calls/s)
PAGE_LOADS = 5  # per follower, of its page and of the constant endpoint each
GRACE_S = 3.0  # after the load, for the last calls to reach their followers
OPEN_TIMEOUT_S = 60.0
LINES = (  # (category, the counter calling it)
    ("resident", "resident"),
    ("insurance", "insurance"),
    ("children", "children"),
    ("consultation", "information"),
)
KIOSK = str(Path(sys.executable).parent / "ward-kiosk")
CONSTANT = b"<!doctype html><title>ok</title><p>ok</p>"


@dataclass
class _Client:
    """What the phones measured."""

    opened: list[float] = field(default_factory=list)  # stream opened -> first event
    page: list[float] = field(default_factory=list)
    base: list[float] = field(default_factory=list)
    seen: dict[str, float] = field(default_factory=dict)  # token -> "called" arrived
    errors: int = 0
    rss_mb: dict[str, float] = field(default_factory=dict)
    cpu: float = 0.0  # the web process's CPU seconds per second of the load


def run(period_s: str = "") -> list[Row]:
    """The scenario on a private PostgreSQL server; ``bench/run.py web --period-s S`` sets
    each worker's issue-and-call period (default PERIOD_S)."""
    global PERIOD_S  # the forked workers read it too
    if period_s:
        PERIOD_S = float(period_s)
    from tests.pg_server import PgServer, unavailable_reason

    reason = unavailable_reason()
    if reason is not None:
        return [Row("web: skipped", [0.0], note=reason)]
    server = PgServer().start()
    try:
        return measure(server.create_database("bench_web", migrated=True))
    finally:
        server.stop()


def measure(url: str) -> list[Row]:
    """The scenario on the migrated database at ``url``; the table's rows."""
    folder = Path(tempfile.mkdtemp(prefix="bench-web-"))
    config = folder / "config.toml"
    config.write_text(f'[database]\nurl = "{url}"\n', encoding="utf-8")
    log = folder / "web.log"
    tokens = _issue_followers(url)
    try:
        with contextlib.ExitStack() as stack:
            web_args = [KIOSK, "web", "--config", str(config), "--host", "127.0.0.1"]
            web, web_port = _serve(web_args, log, stack)
            _base, base_port = _serve([sys.executable, "-m", "bench.web"], folder / "b.log", stack)
            workers, barrier, out = _start_workers(url, stack)
            client = asyncio.run(_phones(web_port, base_port, tokens, web.pid, barrier))
            calls = dict(call for _ in workers for call in out.get(timeout=60))
        return _rows(client, calls, tokens, log)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _rows(client: _Client, calls: dict[str, float], tokens: list[str], log: Path) -> list[Row]:
    followed = [t for t in tokens if t in calls]
    seen = [client.seen[t] - calls[t] for t in followed if t in client.seen]
    if not seen:
        tail = log.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"no follower saw its ticket called ({len(followed)} called):\n{tail}")
    errors = f", {client.errors} failed requests" if client.errors else ""
    return [
        Row(
            f"web: constant endpoint, {FOLLOWERS} phones (baseline)",
            client.base,
            note=_p99(client.base),
        ),
        Row(
            f"web: GET /t/<token>, {WORKERS} workers calling",
            client.page,
            client.base,
            note=f"{_p99(client.page)}{errors}; db user: owner",
        ),
        Row(
            "web: call next -> 'called' in its stream",
            seen,
            note=f"{_p99(seen)}, {len(followed) - len(seen)} of {len(followed)} missed; "
            f"{WORKERS / PERIOD_S:.1f} calls/s + as many issues",
        ),
        Row(
            f"web: {FOLLOWERS} streams open -> first event",
            client.opened,
            note="web RSS "
            + ", ".join(f"{k} {v:.0f} MB" for k, v in client.rss_mb.items())
            + f"; web CPU {client.cpu:.2f} s/s under load",
        ),
    ]


def _service(url: str) -> Any:
    from kiosk.catalog import Catalog
    from kiosk.config import Settings
    from kiosk.queue import QueueService
    from kiosk.storage import Store
    from kiosk.storage.data_keys import Keyring

    return QueueService(Store.open(url, Keyring()), Catalog.load(), Settings().counters)


def _lines() -> tuple[tuple[str, str], ...]:
    """The queue lines in use: each has a worker calling it."""
    return LINES[: min(WORKERS, len(LINES))]


def _issue_followers(url: str) -> list[str]:
    """One ticket per follower, spread over the lines; their tokens."""
    service = _service(url)
    try:
        lines = _lines()
        return [service.issue(lines[i % len(lines)][0]).ticket.token for i in range(FOLLOWERS)]
    finally:
        service.store.close()


def _worker(url: str, index: int, barrier: Any, out: Any) -> None:
    """Issue one ticket and call the next every PERIOD_S, for DURATION_S."""
    service = _service(url)
    category, counter = _lines()[index % len(_lines())]
    calls: list[tuple[str, float]] = []
    barrier.wait()
    start = time.monotonic()
    due, end = start + PERIOD_S * index / WORKERS, start + DURATION_S
    while due < end:
        time.sleep(max(0.0, due - time.monotonic()))
        service.issue(category)
        called_at = time.monotonic()
        ticket = service.call_next(counter)
        if ticket is not None:
            calls.append((ticket.token, called_at))
        due += PERIOD_S
    out.put(calls)
    service.store.close()


def _start_workers(url: str, stack: contextlib.ExitStack) -> tuple[list[Any], Any, Any]:
    """The workers, waiting at the barrier for the client (its last party); ended with
    ``stack``."""
    ctx = multiprocessing.get_context("fork")
    barrier, out = ctx.Barrier(WORKERS + 1), ctx.Queue()
    workers = [
        ctx.Process(target=_worker, args=(url, i, barrier, out), daemon=True)
        for i in range(WORKERS)
    ]
    for worker in workers:
        worker.start()
        stack.callback(_end_worker, worker)
    stack.callback(barrier.abort)  # first: frees the workers if the client failed
    return workers, barrier, out


def _end_worker(worker: Any) -> None:
    worker.join(30)
    if worker.is_alive():
        worker.terminate()
        worker.join(5)


async def _phones(web: int, base: int, tokens: list[str], pid: int, barrier: Any) -> _Client:
    """Open every stream, start the workers, load the pages; what the phones saw."""
    result = _Client()
    for port, path in [(web, f"/t/{tokens[0]}"), (base, "/")]:  # untimed: templates compile
        await _load(port, path, [], result)
    result.rss_mb["idle"] = _rss_mb(pid, "VmRSS")
    opened = [asyncio.Event() for _ in tokens]
    followers = [
        asyncio.create_task(_follow(web, t, result, e)) for t, e in zip(tokens, opened, strict=True)
    ]
    try:
        await _opened(opened, followers)
        await asyncio.get_running_loop().run_in_executor(None, barrier.wait, OPEN_TIMEOUT_S)
        rng = random.Random(1)  # noqa: S311 - moments, not secrets
        cpu, begun = _cpu_s(pid), time.monotonic()
        await asyncio.gather(*(_pages(web, base, t, result, rng) for t in tokens))
        await _until(lambda: len(result.seen) == len(tokens), GRACE_S)
        result.cpu = (_cpu_s(pid) - cpu) / (time.monotonic() - begun)
        result.rss_mb["peak"] = _rss_mb(pid, "VmHWM")
        result.rss_mb["end"] = _rss_mb(pid, "VmRSS")
    finally:
        for task in followers:
            task.cancel()
        await asyncio.gather(*followers, return_exceptions=True)
    return result


async def _opened(opened: list[asyncio.Event], followers: list[asyncio.Task[None]]) -> None:
    """Wait for every stream's first event; a follower that failed fails the bench."""
    pairs = list(zip(opened, followers, strict=True))
    await _until(lambda: all(e.is_set() or f.done() for e, f in pairs), OPEN_TIMEOUT_S)
    for event, follower in pairs:
        if not event.is_set():
            why = follower.exception() if follower.done() else "no event in time"
            raise RuntimeError(f"a ticket's stream did not open: {why!r}")


async def _until(condition: Callable[[], bool], timeout: float) -> None:
    ends = time.monotonic() + timeout
    while not condition() and time.monotonic() < ends:
        await asyncio.sleep(0.05)


async def _get(port: int, path: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A GET on its own connection (closed after the answer), past the status line: a
    phone's plain HTTP/1.1 request, without a client library's work in the timings."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    writer.write(request.encode())
    status = await reader.readline()
    if status.split(b" ")[1:2] != [b"200"]:
        writer.close()
        raise RuntimeError(f"GET {path.split('/')[1]}: {status!r}")
    return reader, writer


async def _follow(port: int, token: str, result: _Client, opened: asyncio.Event) -> None:
    """Hold the stream open; note its first event and when "called" arrives. Each event is
    one chunk of whole lines, so reading lines past the chunk sizes finds them."""
    begun = time.monotonic()
    reader, writer = await _get(port, f"/t/{token}/events")
    try:
        while line := await reader.readline():
            if not line.startswith(b"data: "):
                continue
            now = time.monotonic()
            if not opened.is_set():
                result.opened.append(now - begun)
                opened.set()
            if json.loads(line[6:])["status"] == "called":
                result.seen.setdefault(token, now)
    finally:
        writer.close()


async def _pages(web: int, base: int, token: str, result: _Client, rng: random.Random) -> None:
    """PAGE_LOADS of the ticket's page and of the constant, at random moments."""
    slot = DURATION_S / PAGE_LOADS
    start = time.monotonic()
    for i in range(PAGE_LOADS):
        await asyncio.sleep(max(0.0, start + slot * (i + rng.random()) - time.monotonic()))
        pair = [(web, f"/t/{token}", result.page), (base, "/", result.base)]
        rng.shuffle(pair)
        for port, path, samples in pair:
            await _load(port, path, samples, result)


async def _load(port: int, path: str, samples: list[float], result: _Client) -> None:
    """One page load, connection to the last byte; a failure is counted, not timed."""
    begun = time.perf_counter()
    try:
        reader, writer = await _get(port, path)
        await reader.read()  # to the end: the server closes
        writer.close()
    except (OSError, RuntimeError):
        result.errors += 1
        return
    samples.append(time.perf_counter() - begun)


def _rss_mb(pid: int, key: str) -> float:
    """VmRSS (now) or VmHWM (peak) of ``pid`` in MB, from /proc/<pid>/status."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {key} in /proc/{pid}/status")


def _cpu_s(pid: int) -> float:
    """User and system CPU seconds of ``pid`` so far, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(
    command: list[str], log: Path, stack: contextlib.ExitStack
) -> tuple[subprocess.Popen[bytes], int]:
    """Start a server on a free port of 127.0.0.1 (stopped with ``stack``); wait until it
    answers."""
    port = _free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*command, "--port", str(port)], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT
        )
    stack.callback(_stop, process)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{url}/", timeout=2).close()  # noqa: S310 - our own server
            return process, port
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                tail = log.read_text(errors="replace")[-3000:]
                raise RuntimeError(f"{command[0]} did not start:\n{tail}") from None
            time.sleep(0.2)


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _p99(samples: list[float]) -> str:
    if len(samples) < 2:
        return f"n={len(samples)}"
    q = statistics.quantiles(samples, n=100, method="inclusive")[98] * 1000
    return f"p99 {q:.1f} ms, n={len(samples)}"


async def _constant(
    scope: dict[str, Any], receive: Callable[[], Awaitable[Any]], send: Any
) -> None:
    """The baseline: a raw ASGI app answering every request with CONSTANT."""
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    headers = [(b"content-type", b"text/html; charset=utf-8")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": CONSTANT})


def main(port: int) -> None:
    """Serve the constant endpoint as kiosk/web/server.py serves the app."""
    import uvicorn

    from kiosk.web import server

    uvicorn.run(
        _constant,
        host="127.0.0.1",
        port=port,
        access_log=False,
        log_config=None,
        server_header=False,
        timeout_keep_alive=server.KEEP_ALIVE_S,
        limit_concurrency=server.MAX_CONNECTIONS,
    )


if __name__ == "__main__":
    main(int(sys.argv[sys.argv.index("--port") + 1]))
