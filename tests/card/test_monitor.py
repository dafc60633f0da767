"""ReaderMonitor: the event logic over a fake watcher, then for real through the private pcscd."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest

from kiosk.card.monitor import ReaderEvent, ReaderMonitor
from kiosk.card.service import CardService
from kiosk.card.virtual.card import VirtualMyNumberCard
from tests.pcsc_fixture import VirtualReader

from .events import FakeWatcher, Recorder

A, B = "Reader A 00", "Reader B 00"


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def monitors() -> Iterator[list[ReaderMonitor]]:
    """Monitors a test starts; all stopped afterwards, and none may leave a thread behind."""
    started: list[ReaderMonitor] = []
    yield started
    for monitor in started:
        monitor.stop()
    assert not [t for t in threading.enumerate() if t.name == "card-reader-monitor"]


def run_monitor(
    monitors: list[ReaderMonitor],
    callback: Callable[[ReaderEvent], None],
    reader: str | None = None,
    **options: object,
) -> ReaderMonitor:
    monitor = ReaderMonitor(callback, reader, **options)  # type: ignore[arg-type]
    monitors.append(monitor)
    monitor.start()
    return monitor


def settle(recorder: Recorder, count: int, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while len(recorder.triples()) < count and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(recorder.triples()) >= count, recorder.triples()


# --- the event logic, no PC/SC -------------------------------------------------------------


def test_initial_state_comes_as_events(recorder: Recorder, monitors: list[ReaderMonitor]) -> None:
    watcher = FakeWatcher(**{A: True, B: False})
    run_monitor(monitors, recorder, watcher=watcher)
    settle(recorder, 3)
    assert sorted(recorder.triples()) == [
        ("card_inserted", A, True),
        ("reader_added", A, True),
        ("reader_added", B, False),
    ]
    assert recorder.triples(A) == [("reader_added", A, True), ("card_inserted", A, True)]
    assert recorder.threads == {"card-reader-monitor"}


def test_cards_in_and_out_and_a_quick_swap(
    recorder: Recorder, monitors: list[ReaderMonitor]
) -> None:
    watcher = FakeWatcher(**{A: False})
    run_monitor(monitors, recorder, watcher=watcher)
    settle(recorder, 1)
    watcher.set(**{A: True})
    settle(recorder, 2)
    watcher.swap(A)
    settle(recorder, 4)
    watcher.set(**{A: False})
    settle(recorder, 5)
    assert recorder.triples() == [
        ("reader_added", A, False),
        ("card_inserted", A, True),
        ("card_removed", A, False),
        ("card_inserted", A, True),
        ("card_removed", A, False),
    ]


def test_reader_filter_and_unplug(recorder: Recorder, monitors: list[ReaderMonitor]) -> None:
    watcher = FakeWatcher(**{A: True, B: True})
    run_monitor(monitors, recorder, "reader a", watcher=watcher)
    settle(recorder, 2)
    watcher.unplug(A)
    settle(recorder, 4)
    assert recorder.triples() == [
        ("reader_added", A, True),
        ("card_inserted", A, True),
        ("card_removed", A, False),
        ("reader_removed", A, False),
    ]


def test_service_lost_and_back(recorder: Recorder, monitors: list[ReaderMonitor]) -> None:
    watcher = FakeWatcher(**{A: True})
    run_monitor(monitors, recorder, watcher=watcher, retry_s=0.05)
    settle(recorder, 2)
    watcher.set_service(False)
    settle(recorder, 4)
    time.sleep(0.2)  # several retries while the service is down: no event
    assert len(recorder.triples()) == 4
    watcher.set_service(True)
    settle(recorder, 6)
    assert recorder.triples()[2:] == [
        ("card_removed", A, False),
        ("reader_removed", A, False),
        ("reader_added", A, True),
        ("card_inserted", A, True),
    ]
    assert watcher.opened >= 2


def test_an_unexpected_watcher_error_is_survived(
    recorder: Recorder, monitors: list[ReaderMonitor], caplog: pytest.LogCaptureFixture
) -> None:
    watcher = FakeWatcher(**{A: True})
    real_readers = watcher.readers
    failures = [RuntimeError("pyscard surprise")]

    def readers() -> list[str]:
        if failures:
            raise failures.pop()
        return real_readers()

    watcher.readers = readers  # type: ignore[method-assign]
    run_monitor(monitors, recorder, watcher=watcher, retry_s=0.05)
    settle(recorder, 2)
    assert recorder.triples() == [("reader_added", A, True), ("card_inserted", A, True)]
    assert "reader monitor failed" in caplog.text


def test_a_failing_callback_does_not_end_the_monitor(monitors: list[ReaderMonitor]) -> None:
    seen: list[str] = []

    def callback(event: ReaderEvent) -> None:
        seen.append(event.kind)
        raise RuntimeError("UI bug")

    watcher = FakeWatcher(**{A: False})
    monitor = run_monitor(monitors, callback, watcher=watcher)
    watcher.set(**{A: True})
    deadline = time.monotonic() + 5
    while len(seen) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert seen == ["reader_added", "card_inserted"]
    assert monitor.running


def test_stop_cancels_the_wait_and_joins(monitors: list[ReaderMonitor]) -> None:
    watcher = FakeWatcher(**{A: False})
    monitor = ReaderMonitor(Recorder(), watcher=watcher)
    monitor.start()
    time.sleep(0.1)  # inside wait() now
    started = time.monotonic()
    monitor.stop()
    assert time.monotonic() - started < 0.5
    assert not monitor.running
    assert watcher.cancels >= 1
    monitor.start()  # a stopped monitor starts again
    monitors.append(monitor)


def test_stop_from_the_callback(monitors: list[ReaderMonitor]) -> None:
    monitor: ReaderMonitor

    def callback(event: ReaderEvent) -> None:
        monitor.stop()

    monitor = ReaderMonitor(callback, watcher=FakeWatcher(**{A: True}))
    monitors.append(monitor)
    monitor.start()
    deadline = time.monotonic() + 2
    while monitor.running and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not monitor.running


def test_start_twice_is_refused(monitors: list[ReaderMonitor]) -> None:
    monitor = run_monitor(monitors, Recorder(), watcher=FakeWatcher())
    with pytest.raises(RuntimeError, match="already running"):
        monitor.start()


# --- for real: pyscard -> private pcscd -> vpcd -> virtual card ---------------------------


@pytest.mark.pcsc
def test_insert_and_remove_through_pcscd(
    pcsc_reader: VirtualReader,
    insert_card: Callable[..., VirtualMyNumberCard],
    recorder: Recorder,
    monitors: list[ReaderMonitor],
) -> None:
    run_monitor(monitors, recorder, pcsc_reader.name)
    recorder.wait_for("reader_added", timeout=1)
    assert recorder.triples() == [("reader_added", pcsc_reader.name, False)]
    started = time.monotonic()
    insert_card("demo.toml")
    recorder.wait_for("card_inserted", timeout=1)
    assert time.monotonic() - started < 1.0
    started = time.monotonic()
    pcsc_reader.remove()
    recorder.wait_for("card_removed", timeout=1)
    assert time.monotonic() - started < 1.0
    assert recorder.triples()[1:] == [
        ("card_inserted", pcsc_reader.name, True),
        ("card_removed", pcsc_reader.name, False),
    ]


@pytest.mark.pcsc
def test_reading_the_card_is_not_a_removal(
    pcsc_reader: VirtualReader,
    virtual_card: VirtualMyNumberCard,
    card_service: CardService,
    recorder: Recorder,
    monitors: list[ReaderMonitor],
) -> None:
    """The service resets the card when it disconnects: no card event may follow."""
    run_monitor(monitors, recorder, pcsc_reader.name)
    recorder.wait_for("card_inserted", timeout=1)
    card_service.read_basic_info("1234")
    card_service.tries_left()
    time.sleep(0.5)  # more than pcscd's 400 ms poll
    assert recorder.triples() == [
        ("reader_added", pcsc_reader.name, True),
        ("card_inserted", pcsc_reader.name, True),
    ]


@pytest.mark.pcsc
def test_every_reader_without_a_name(
    pcsc_reader: VirtualReader, recorder: Recorder, monitors: list[ReaderMonitor]
) -> None:
    run_monitor(monitors, recorder)
    settle(recorder, 2, timeout=1)
    assert sorted(recorder.triples()) == [
        ("reader_added", "Virtual PCD 00 00", False),
        ("reader_added", "Virtual PCD 00 01", False),
    ]


@pytest.mark.pcsc
def test_pcscd_going_away_and_coming_back(
    pcsc_reader: VirtualReader,
    virtual_card: VirtualMyNumberCard,
    recorder: Recorder,
    monitors: list[ReaderMonitor],
) -> None:
    """Like a reader unplugged and plugged back: the kiosk notices without a restart."""
    run_monitor(monitors, recorder, pcsc_reader.name)
    recorder.wait_for("card_inserted", timeout=1)
    recorder.clear()
    pcsc_reader.stop_pcscd()
    recorder.wait_for("reader_removed", timeout=2)
    assert recorder.triples() == [
        ("card_removed", pcsc_reader.name, False),
        ("reader_removed", pcsc_reader.name, False),
    ]
    recorder.clear()
    pcsc_reader.start_pcscd()
    recorder.wait_for("card_inserted", timeout=3)
    # The reader may come back before the emulator has linked up again, or after.
    assert [(kind, reader) for kind, reader, _ in recorder.triples()] == [
        ("reader_added", pcsc_reader.name),
        ("card_inserted", pcsc_reader.name),
    ]


@pytest.mark.pcsc
def test_stop_joins_within_a_second(
    pcsc_reader: VirtualReader, recorder: Recorder, monitors: list[ReaderMonitor]
) -> None:
    monitor = ReaderMonitor(recorder, pcsc_reader.name)
    monitor.start()
    recorder.wait_for("reader_added", timeout=1)
    time.sleep(0.2)  # blocked in SCardGetStatusChange now
    started = time.monotonic()
    monitor.stop()
    assert time.monotonic() - started < 1.0
    assert not monitor.running


@pytest.mark.pcsc
def test_stop_while_pcscd_is_away(
    pcsc_reader: VirtualReader, recorder: Recorder, monitors: list[ReaderMonitor]
) -> None:
    monitor = ReaderMonitor(recorder, pcsc_reader.name)
    monitor.start()
    recorder.wait_for("reader_added", timeout=1)
    pcsc_reader.stop_pcscd()
    recorder.wait_for("reader_removed", timeout=2)
    started = time.monotonic()
    monitor.stop()
    assert time.monotonic() - started < 1.0
