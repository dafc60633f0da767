"""The waiting-room board without Qt: what it shows and says, from queue events and status.

``BoardModel`` takes ``QueueEvent`` values (from ``kiosk.queue.open_events`` and from
the recent history read at start) and ``CategoryStatus`` rows (``QueueService.status``)
and answers what the screen shows: the numbers being called (newest first), the
numbers called before them, the waiting counts. ``apply`` returns the calls that
are new, which the window announces with ``Chime`` and the texts of ``call_speech``.
Qt-free so it can be tested without a window; ``kiosk.ui.board`` draws it.
"""

from __future__ import annotations

import logging
import math
import struct
import wave
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from kiosk.config import Settings
from kiosk.i18n import Translations
from kiosk.queue import CategoryStatus
from kiosk.storage import QueueEvent, Store

log = logging.getLogger(__name__)

NOW_CALLING = 3  # numbers in the "now calling" area (the newest one largest)
RECENT = 8  # numbers in the "called before" list
HISTORY_EVENTS = 300  # events read at start (and on every refresh) to rebuild the lists
ENDED = frozenset({"done", "no_show", "transferred"})
BOARD_LANGUAGES = ("ja", "en")  # shown (Japanese, English beneath) and spoken, in this order


@dataclass(frozen=True)
class Call:
    """One call of a ticket to a counter (calling again is a call too)."""

    event_id: int
    ticket_id: int
    code: str  # e.g. "A-012"
    category: str
    counter: str  # counter id, e.g. "resident"
    at: datetime
    again: bool = False
    language: str = ""  # the visitor's, as chosen at the kiosk ("" when not known)

    @property
    def letter(self) -> str:
        return self.code.partition("-")[0]

    @property
    def number(self) -> int:
        digits = self.code.partition("-")[2]
        return int(digits) if digits.isdigit() else 0


class BoardModel:
    """The board's state; feed it events in any order, any number of times."""

    def __init__(self, *, now_size: int = NOW_CALLING, recent_size: int = RECENT) -> None:
        self.now_size = now_size
        self.recent_size = recent_size
        self._calls: dict[int, Call] = {}  # by event id
        self._latest: dict[int, tuple[int, str]] = {}  # ticket -> (event id, status)
        self._last_id = 0
        self.waiting: list[CategoryStatus] = []

    @property
    def last_event_id(self) -> int:
        return self._last_id

    def apply(self, events: Iterable[QueueEvent]) -> list[Call]:
        """Take events in; returns the calls newer than every event seen before (to announce).

        Events seen already are ignored, so history and live events may overlap.
        """
        before = self._last_id
        new: list[Call] = []
        for event in events:
            if event.id in self._calls:
                continue
            latest = self._latest.get(event.ticket_id)
            if latest is None or latest[0] < event.id:
                self._latest[event.ticket_id] = (event.id, event.status)
            if event.status == "called" and event.counter:
                call = Call(
                    event_id=event.id,
                    ticket_id=event.ticket_id,
                    code=event.code,
                    category=event.category,
                    counter=event.counter,
                    at=event.at,
                    again=event.note == "again",
                    language=event.language,
                )
                self._calls[event.id] = call
                if event.id > before:
                    new.append(call)
            self._last_id = max(self._last_id, event.id)
        self._forget_old()
        return sorted(new, key=lambda c: c.event_id)

    def set_status(self, status: Sequence[CategoryStatus]) -> None:
        self.waiting = list(status)

    def now_calling(self) -> list[Call]:
        """Tickets being called (not yet at the counter), newest call first."""
        result = []
        for call in self._latest_calls():
            if self._latest[call.ticket_id][1] == "called":
                result.append(call)
            if len(result) == self.now_size:
                break
        return result

    def recent(self) -> list[Call]:
        """The tickets called before, newest first, without those being called now."""
        now = {c.ticket_id for c in self.now_calling()}
        return [c for c in self._latest_calls() if c.ticket_id not in now][: self.recent_size]

    def _latest_calls(self) -> list[Call]:
        seen: set[int] = set()
        result = []
        for call in sorted(self._calls.values(), key=lambda c: c.event_id, reverse=True):
            if call.ticket_id not in seen:
                seen.add(call.ticket_id)
                result.append(call)
        return result

    def _forget_old(self) -> None:
        keep = self.now_size + self.recent_size
        calls = self._latest_calls()
        if len(calls) <= 4 * keep:
            return
        tickets = {c.ticket_id for c in calls[:keep]}
        self._calls = {k: c for k, c in self._calls.items() if c.ticket_id in tickets}
        self._latest = {k: v for k, v in self._latest.items() if k in tickets}


def todays_events(store: Store, today: date | None = None) -> list[QueueEvent]:
    """The latest ``HISTORY_EVENTS`` queue events of today (blocking: a worker thread).

    Built from ``last_queue_event_id`` and ``queue_events_after``: event ids only grow.
    """
    day = today or datetime.now().astimezone().date()
    last = store.last_queue_event_id()
    events = store.queue_events_after(max(0, last - HISTORY_EVENTS), limit=HISTORY_EVENTS + 50)
    return [e for e in events if e.at.astimezone().date() == day]


# -- what the board says and shows ------------------------------------------------


def counter_number(settings: Settings, counter_id: str) -> str:
    counter = settings.counters.get(counter_id)
    return counter.number if counter is not None else counter_id


def call_speech(call: Call, settings: Settings, texts: Translations) -> str:
    """E.g. "受付番号 A の 12 番の方、2番窓口へお越しください"."""
    return texts.text(
        "board.speech.call",
        letter=call.letter,
        number=call.number,
        counter=counter_number(settings, call.counter),
    )


def counter_text(call: Call, settings: Settings, texts: Translations) -> str:
    """E.g. "2番窓口へ" / "Counter 2"."""
    return texts.text("board.call.counter", counter=counter_number(settings, call.counter))


def recent_counter_text(call: Call, settings: Settings, texts: Translations) -> str:
    """E.g. "→ 2": the list's heading says it is the counter."""
    return texts.text("board.recent.counter", counter=counter_number(settings, call.counter))


def waiting_text(status: CategoryStatus, texts: Translations) -> str:
    return texts.text("board.waiting.count", n=status.waiting)


# -- the chime -------------------------------------------------------------------


CHIME_RATE = 22_050
CHIME_NOTES = ((659.25, 0.0), (523.25, 0.55))  # E5 then C5: "ding-dong"
CHIME_SECONDS = 1.6  # well under the 3 s a sound may play on its own


def write_chime(path: Path) -> Path:
    """Write the board's two-note chime as a 16-bit mono WAV (deterministic)."""
    frames = int(CHIME_RATE * CHIME_SECONDS)
    samples = []
    for i in range(frames):
        t = i / CHIME_RATE
        value = 0.0
        for freq, start in CHIME_NOTES:
            if t >= start:
                dt = t - start
                envelope = math.exp(-3.2 * dt) * min(1.0, dt / 0.01)
                tone = math.sin(2 * math.pi * freq * dt) + 0.3 * math.sin(4 * math.pi * freq * dt)
                value += 0.42 * envelope * tone
        fade = min(1.0, (frames - i) / (0.05 * CHIME_RATE))
        samples.append(int(max(-1.0, min(1.0, value * fade)) * 32_000))
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(CHIME_RATE)
        f.writeframes(struct.pack(f"<{len(samples)}h", *samples))
    return path
