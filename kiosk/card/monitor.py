"""Reader and card events from one background thread, without Qt.

:class:`ReaderMonitor` waits on PC/SC (``SCardGetStatusChange``, with the
``\\\\?PnP?\\Notification`` pseudo-reader where pcscd offers it) and calls a
plain callback on its own thread for every change. It outlives pcscd: when the
service goes away the readers are reported removed, and once a second it tries
again until the service and its readers come back.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Protocol

from kiosk.card.connection import reader_matches
from kiosk.card.errors import CardError

log = logging.getLogger(__name__)

EventKind = Literal["reader_added", "reader_removed", "card_inserted", "card_removed"]

RETRY_S = 1.0  # wait between attempts to reach a PC/SC service that is gone
POLL_MS = 1000  # without PnP support: how often the reader list is read again
PNP_WAIT_MS = 5000  # with PnP: a safety net for a reader added between listing and waiting
STOP_TIMEOUT_S = 2.0
CANCEL_EVERY_S = 0.05


@dataclass(frozen=True)
class ReaderEvent:
    """One change: ``card_present`` is the card state just after it."""

    kind: EventKind
    reader: str
    card_present: bool


@dataclass(frozen=True)
class ReaderState:
    """A reader's state as a watcher reports it; ``raw`` is handed back to the next wait."""

    raw: int
    card_present: bool
    events: int  # card insertions and removals so far (pcsc-lite), to catch a quick swap
    gone: bool = False


class Watcher(Protocol):
    """What the monitor waits on: :class:`kiosk.card.pcsc_watcher.StatusWatcher` in production."""

    @property
    def pnp(self) -> bool: ...

    def open(self) -> None: ...

    def close(self) -> None: ...

    def cancel(self) -> None: ...

    def readers(self) -> list[str]: ...

    def wait(self, known: dict[str, int], timeout_ms: int) -> dict[str, ReaderState]: ...


class ReaderMonitor:
    """Calls ``callback(ReaderEvent)`` on a background thread whenever readers or cards change.

    Right after :meth:`start` every matching reader is reported (``reader_added``,
    then ``card_inserted`` if it holds a card). Card events come in pairs between
    a reader's ``reader_added`` and ``reader_removed``; a removed reader that held
    a card reports ``card_removed`` first. ``reader`` is a case-insensitive
    substring of the reader names to watch (None: every reader), as for
    :class:`~kiosk.card.service.CardService`. The callback runs on the monitor
    thread: keep it short and hand work over (e.g. emit a Qt signal).
    """

    def __init__(
        self,
        callback: Callable[[ReaderEvent], None],
        reader: str | None = None,
        *,
        watcher: Watcher | None = None,
        retry_s: float = RETRY_S,
    ) -> None:
        self._callback = callback
        self._reader = reader
        self._watcher = watcher if watcher is not None else _pcsc_watcher()
        self._retry_s = retry_s
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._known: dict[str, ReaderState] = {}

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start the monitor thread; the current state follows as events."""
        if self.running:
            raise RuntimeError("the reader monitor is already running")
        self._stopping.clear()
        self._known = {}
        self._thread = threading.Thread(target=self._run, name="card-reader-monitor", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> None:
        """End the thread and wait for it; no events follow. From the callback: just ends it."""
        thread = self._thread
        self._stopping.set()
        if thread is None or thread is threading.current_thread():
            return
        deadline = time.monotonic() + timeout
        while thread.is_alive() and time.monotonic() < deadline:
            self._watcher.cancel()  # repeated: a cancel can land just before the wait starts
            thread.join(CANCEL_EVERY_S)
        if thread.is_alive():
            raise RuntimeError("the reader monitor thread did not stop")
        self._thread = None

    def __enter__(self) -> ReaderMonitor:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                self._watcher.open()
                try:
                    self._watch()
                finally:
                    self._watcher.close()
            except CardError as err:
                if self._known:
                    log.warning("card readers lost (%s); retrying every %g s", err, self._retry_s)
            except Exception:
                log.exception("reader monitor failed; retrying")  # a kiosk must keep watching
            if self._stopping.is_set():
                return
            self._drop_all()
            self._stopping.wait(self._retry_s)

    def _watch(self) -> None:
        while not self._stopping.is_set():
            readers = [r for r in self._watcher.readers() if reader_matches(r, self._reader)]
            for reader in [r for r in self._known if r not in readers]:
                self._drop(reader)
            known = {r: self._known[r].raw if r in self._known else 0 for r in readers}
            if not known and not self._watcher.pnp:
                self._stopping.wait(POLL_MS / 1000)
                continue
            timeout_ms = PNP_WAIT_MS if self._watcher.pnp else POLL_MS
            for reader, state in self._watcher.wait(known, timeout_ms).items():
                if not self._stopping.is_set():
                    self._update(reader, state)

    def _update(self, reader: str, state: ReaderState) -> None:
        old = self._known.get(reader)
        if state.gone:
            if old is not None:
                self._drop(reader)
            return
        self._known[reader] = state
        if old is None:
            self._emit("reader_added", reader, state.card_present)
            if state.card_present:
                self._emit("card_inserted", reader, True)
            return
        swapped = old.card_present and state.card_present and old.events != state.events
        if old.card_present and (swapped or not state.card_present):
            self._emit("card_removed", reader, False)
        if state.card_present and (swapped or not old.card_present):
            self._emit("card_inserted", reader, True)

    def _drop(self, reader: str) -> None:
        old = self._known.pop(reader)
        if old.card_present:
            self._emit("card_removed", reader, False)
        self._emit("reader_removed", reader, False)

    def _drop_all(self) -> None:
        for reader in list(self._known):
            self._drop(reader)

    def _emit(self, kind: EventKind, reader: str, card_present: bool) -> None:
        try:
            self._callback(ReaderEvent(kind, reader, card_present))
        except Exception:
            log.exception("reader event callback failed (%s)", kind)


def _pcsc_watcher() -> Watcher:
    from kiosk.card.pcsc_watcher import StatusWatcher  # pyscard loads only when PC/SC is used

    return StatusWatcher()
