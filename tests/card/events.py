"""Helpers for ReaderMonitor tests: an event recorder and a watcher without PC/SC."""

from __future__ import annotations

import threading
import time

from kiosk.card.errors import NoReaderError
from kiosk.card.monitor import ReaderEvent, ReaderState

Event = tuple[str, str, bool]


class Recorder:
    """The monitor's callback: keeps every event, lets a test wait for one."""

    def __init__(self) -> None:
        self.events: list[ReaderEvent] = []
        self.threads: set[str] = set()
        self._changed = threading.Condition()

    def __call__(self, event: ReaderEvent) -> None:
        with self._changed:
            self.events.append(event)
            self.threads.add(threading.current_thread().name)
            self._changed.notify_all()

    def triples(self, reader: str | None = None) -> list[Event]:
        with self._changed:
            return [
                (e.kind, e.reader, e.card_present)
                for e in self.events
                if reader is None or e.reader == reader
            ]

    def wait_for(self, kind: str, reader: str | None = None, timeout: float = 5.0) -> float:
        """Seconds until an event ``kind`` (for ``reader``) is recorded; AssertionError if none."""
        started = time.monotonic()
        with self._changed:
            found = self._changed.wait_for(
                lambda: any(e.kind == kind and reader in (None, e.reader) for e in self.events),
                timeout,
            )
        assert found, f"no {kind} event within {timeout} s; got {self.triples()}"
        return time.monotonic() - started

    def clear(self) -> None:
        with self._changed:
            self.events.clear()


class FakeWatcher:
    """A watcher whose readers and cards a test sets; ``wait`` blocks until something changes."""

    pnp = True

    def __init__(self, **readers: bool) -> None:
        self.cards = {name: present for name, present in readers.items()}
        self.counts = dict.fromkeys(readers, 0)
        self.service = True
        self.opened = 0
        self.cancels = 0
        self._wake = threading.Condition()
        self._version = 0

    def set(self, **cards: bool) -> None:
        with self._wake:
            for name, present in cards.items():
                if self.cards.get(name) != present:
                    self.counts[name] = self.counts.get(name, 0) + 1
                self.cards[name] = present
            self._poke()

    def swap(self, name: str) -> None:
        """Card out and another in before the monitor looked: only the event count tells."""
        with self._wake:
            self.counts[name] += 2
            self._poke()

    def unplug(self, name: str) -> None:
        with self._wake:
            del self.cards[name]
            self._poke()

    def set_service(self, up: bool) -> None:
        with self._wake:
            self.service = up
            self._poke()

    def _poke(self) -> None:
        self._version += 1
        self._wake.notify_all()

    def _raw(self, name: str) -> int:
        """Like PC/SC: a known reader is never 0 (0x10 empty, 0x20 present)."""
        return self.counts[name] << 16 | (0x20 if self.cards[name] else 0x10)

    def open(self) -> None:
        if not self.service:
            raise NoReaderError("no PC/SC service")
        self.opened += 1

    def close(self) -> None:
        pass

    def cancel(self) -> None:
        with self._wake:
            self.cancels += 1
            self._poke()

    def readers(self) -> list[str]:
        with self._wake:
            if not self.service:
                raise NoReaderError("no PC/SC service")
            return list(self.cards)

    def wait(self, known: dict[str, int], timeout_ms: int) -> dict[str, ReaderState]:
        with self._wake:
            version = self._version
            if not self._changes(known):
                self._wake.wait_for(lambda: self._version != version, timeout_ms / 1000)
            if not self.service:
                raise NoReaderError("no PC/SC service")
            return self._changes(known)

    def _changes(self, known: dict[str, int]) -> dict[str, ReaderState]:
        changes = {}
        for name, raw in known.items():
            if name not in self.cards:
                changes[name] = ReaderState(0, False, 0, gone=True)
            elif self._raw(name) != raw:
                changes[name] = ReaderState(self._raw(name), self.cards[name], self.counts[name])
        return changes
