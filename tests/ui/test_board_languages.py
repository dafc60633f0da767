"""The board calls each number in Japanese, English and the language the visitor chose at
the kiosk, one call after the other: never two calls (or a chime and a call) at once.

Real queue (SQLite, and PostgreSQL for the notification's payload), real board window;
the speaker stands in for the audio device but takes time to "say" each sentence and
reports when it falls silent, as the real one does.
"""

from __future__ import annotations

import itertools
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.catalog import Catalog
from kiosk.chime import Chime
from kiosk.config import Settings
from kiosk.i18n import Translations
from kiosk.queue import QueueService, open_events
from kiosk.resources import resource
from kiosk.speech.tts import RecordingSpeaker, SpeakerCall
from kiosk.storage import Store
from kiosk.visit import Visit
from tests.keys import open_store

LOAD_MS = 5_000
SENTENCE_SECONDS = 0.3
BOARD_TEXTS = ("ja", "en", "vi", "ne", "pt-BR")


class SlowSpeaker(RecordingSpeaker):
    """Says each sentence in SENTENCE_SECONDS, one at a time, and notes when."""

    def __init__(self) -> None:
        super().__init__()
        self.spans: list[tuple[str, float, float]] = []  # language, start, end
        self._queue: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        self._worker: threading.Thread | None = None

    def say(self, text: str, language: str) -> None:
        self.calls.append(SpeakerCall("say", text, language))
        with self._lock:
            self._queue.append((text, language))
            start = self._worker is None
            if start:
                self._worker = threading.Thread(target=self._run, daemon=True)
        if start:
            self._notify(True)
            assert self._worker is not None
            self._worker.start()

    def _run(self) -> None:
        while True:
            with self._lock:
                if not self._queue:
                    self._worker = None
                    break
                _text, language = self._queue.pop(0)
            began = time.monotonic()
            time.sleep(SENTENCE_SECONDS)
            self.spans.append((language, began, time.monotonic()))
        self._notify(False)

    def _notify(self, busy: bool) -> None:
        for callback in list(self._watchers):
            callback(busy)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(f"sqlite:///{tmp_path / 'db' / 'kiosk.db'}", tmp_path / "k" / "key") as s:
        yield s


def _chime(log: Path) -> Chime:
    """The board's chime, played by a stand-in player that notes when it rang."""
    script = "import sys, time; open(sys.argv[1], 'a').write(f'{time.monotonic()}\\n')"
    return Chime(resource("sounds", "chime.wav"), [sys.executable, "-c", script, str(log)])


def _board(
    qtbot: Any, qapp: Any, service: QueueService, speaker: RecordingSpeaker, chime: Chime | None
) -> Any:
    from kiosk.ui.app import apply_theme
    from kiosk.ui.board.window import BoardWindow

    apply_theme(qapp)
    texts = {code: Translations.load(code) for code in BOARD_TEXTS}
    events = open_events(service.store)
    window = BoardWindow(Settings(), service, events, texts, speaker=speaker, chime=chime)
    qtbot.addWidget(window)
    window.resize(1920, 1080)
    window.show()
    qtbot.waitUntil(lambda: window.model.waiting != [], timeout=LOAD_MS)
    return window


def _visitor_ticket(store: Store, service: QueueService, language: str) -> int:
    reference = store.save_visit(Visit(language=language), kiosk_id="kiosk-1", status="completed")
    return service.issue("resident", visit_reference=reference).ticket.id


def _wait(qtbot: Any, condition: Callable[[], bool], seconds: float) -> None:
    qtbot.waitUntil(condition, timeout=int(seconds * 1000))


def test_a_call_is_said_in_japanese_english_and_the_visitors_language(qtbot, qapp, store, tmp_path):
    service = QueueService(store, Catalog.load(), Settings().counters)
    speaker = SlowSpeaker()
    chimes = tmp_path / "chimes.log"
    board = _board(qtbot, qapp, service, speaker, _chime(chimes))
    try:
        _visitor_ticket(store, service, "vi")
        _visitor_ticket(store, service, "ja")
        _visitor_ticket(store, service, "ne")
        for _ in range(3):  # three calls in quick succession, as at a busy opening hour
            service.call_next("resident")
        _wait(qtbot, lambda: len(speaker.spans) == 8, 15)
    finally:
        board.shutdown()
    said = [(c.language, c.text) for c in speaker.calls]
    assert [language for language, _ in said] == ["ja", "en", "vi", "ja", "en", "ja", "en", "ne"]
    assert said[2] == (
        "vi",
        Translations.load("vi").text("board.speech.call", letter="A", number=1, counter="2"),
    )
    assert "2" in said[-1][1] and "A" in said[-1][1]
    # No two sentences at once: each starts after the one before it ended.
    spans = sorted(speaker.spans, key=lambda span: span[1])
    assert all(after[1] >= before[2] for before, after in itertools.pairwise(spans))
    # Each call's chime rings once the call before it has been said in full.
    rang = [float(line) for line in chimes.read_text().split()]
    assert len(rang) == 3
    ends = [spans[2][2], spans[4][2]]  # the last sentence of the first and second calls
    assert rang[1] >= ends[0] - 0.05 and rang[2] >= ends[1] - 0.05, (rang, ends)


def test_a_ticket_without_a_visit_is_called_in_japanese_and_english(qtbot, qapp, store):
    service = QueueService(store, Catalog.load(), Settings().counters)
    speaker = SlowSpeaker()
    board = _board(qtbot, qapp, service, speaker, None)
    try:
        service.issue("resident")
        service.call_next("resident")
        _wait(qtbot, lambda: len(speaker.spans) == 2, 8)
    finally:
        board.shutdown()
    assert [c.language for c in speaker.calls] == ["ja", "en"]


def test_the_visitors_language_travels_with_the_queue_event(store):
    service = QueueService(store, Catalog.load(), Settings().counters)
    ticket = _visitor_ticket(store, service, "pt-BR")
    called = service.call_next("resident")
    assert called is not None and called.id == ticket
    events = [e for e in store.queue_events_after(0) if e.ticket_id == ticket]
    assert {e.language for e in events} == {"pt-BR"}


def test_the_notification_carries_the_visitors_language_on_postgresql(pg_url, tmp_path):
    with open_store(pg_url, tmp_path / "k" / "key") as store:
        service = QueueService(store, Catalog.load(), Settings().counters)
        events = open_events(store)
        heard: list[Any] = []
        events.subscribe(heard.append)
        try:
            ticket = _visitor_ticket(store, service, "zh-Hans")
            service.call_next("resident")
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and len(_of(heard, ticket)) < 2:
                time.sleep(0.05)
        finally:
            events.close()
    mine = _of(heard, ticket)
    assert [e.status for e in mine] == ["waiting", "called"]
    assert {e.language for e in mine} == {"zh-Hans"}


def _of(events: list[Any], ticket: int) -> list[Any]:
    return [e for e in events if e.ticket_id == ticket]


VOICED = ["ja", "ja-easy", "en", "zh-Hans", "ko", "vi", "ne", "id", "pt-BR"]


def test_a_call_is_heard_in_every_language_with_a_voice(tmp_path):
    """The real voices say the board's call sentence, audibly, in each language."""
    from kiosk.config import SpeechSettings
    from kiosk.speech.speaker import KioskSpeaker
    from tests.audio_checks import assert_speaks

    with KioskSpeaker(SpeechSettings(), player=[]) as speaker:
        for language in VOICED:
            texts = Translations.load(language)
            text = texts.text("board.speech.call", letter="A", number=12, counter="5")
            wav = tmp_path / f"call-{language}.wav"
            speaker.save(text, language, wav, timeout=120)
            assert_speaks(wav, text)
