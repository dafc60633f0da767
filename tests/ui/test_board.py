"""The waiting-room board: real SQLite queue, real event polling, the window on screen.

Tickets are issued and called through ``QueueService`` as the counters do; the board
must show them within a second, announce them (chime, Japanese and English speech),
and keep the waiting counts. One test takes a screenshot of the real window under
Xvfb at 1920x1080 (``artifacts/screens/board-*.png``).

    python -m tests.ui.test_board OUTDIR WORKDIR   # the screenshot run (under X)
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from kiosk.board import (
    CHIME_SECONDS,
    BoardModel,
    todays_events,
    write_chime,
)
from kiosk.catalog import Catalog
from kiosk.chime import Chime
from kiosk.config import Settings
from kiosk.i18n import Translations
from kiosk.queue import QueueService, open_events
from kiosk.resources import resource
from kiosk.speech.tts import RecordingSpeaker, wav_seconds
from kiosk.storage import QueueEvent, Store
from tests.keys import open_store
from tests.ui.xvfb import run_module_on, xvfb

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "artifacts" / "screens"
CALL_MS = 1_000  # a call is on the board within a second
LOAD_MS = 5_000


def _player(marker: Path) -> list[str]:
    """A stand-in audio player: writes the file it was given to ``marker``."""
    script = "import pathlib, sys; pathlib.Path(sys.argv[1]).write_text(sys.argv[2])"
    return [sys.executable, "-c", script, str(marker)]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(f"sqlite:///{tmp_path / 'db' / 'kiosk.db'}", tmp_path / "k" / "key") as s:
        yield s


@pytest.fixture
def service(store: Store) -> QueueService:
    return QueueService(store, Catalog.load(), Settings().counters)


@pytest.fixture
def speaker() -> RecordingSpeaker:
    return RecordingSpeaker()


@pytest.fixture
def board(
    qtbot: Any, qapp: Any, service: QueueService, speaker: RecordingSpeaker, tmp_path: Path
) -> Iterator[Any]:
    from kiosk.ui.app import apply_theme
    from kiosk.ui.board.window import BoardWindow

    apply_theme(qapp)
    chime = Chime(resource("sounds", "chime.wav"), _player(tmp_path / "chimed"))
    texts = {code: Translations.load(code) for code in ("ja", "en")}
    window = BoardWindow(
        Settings(), service, open_events(service.store), texts, speaker=speaker, chime=chime
    )
    qtbot.addWidget(window)
    window.resize(1920, 1080)
    window.show()
    try:
        qtbot.waitUntil(lambda: window.model.waiting != [], timeout=LOAD_MS)
        yield window
    finally:
        window.shutdown()
        assert window.runner.wait(5_000), "a worker thread outlived the test"
        assert not [t for t in threading.enumerate() if t.name == "queue-poll"], "poller leaked"


def _issue(service: QueueService, category: str, n: int) -> list[int]:
    return [service.issue(category).ticket.id for _ in range(n)]


# -- the window -----------------------------------------------------------------------


def test_a_call_is_on_the_board_within_a_second(board, service, qtbot, tmp_path, speaker):
    _issue(service, "resident", 2)
    ticket = service.call_next("resident")
    assert ticket is not None and ticket.code == "A-001"
    qtbot.waitUntil(lambda: board.shown_calls()[:1] == [("A-001", "2番窓口へ")], timeout=CALL_MS)
    assert board.main_counter.labels[1].text() == "Counter 2"
    hint = board.centralWidget().minimumSizeHint()  # everything fits a 1920x1080 screen
    assert hint.width() <= 1920 and hint.height() <= 1080, hint
    assert board.highlighted and board.flashing  # the new call flashes
    # chime first, then the call in Japanese and English
    # The fake player creates the file, then writes: wait for what it wrote.
    qtbot.waitUntil(
        lambda: (tmp_path / "chimed").exists() and (tmp_path / "chimed").read_text() != "",
        timeout=CALL_MS,
    )
    assert (tmp_path / "chimed").read_text() == str(resource("sounds", "chime.wav"))
    qtbot.waitUntil(lambda: len(speaker.said) == 2, timeout=3_000)
    assert speaker.texts("ja") == ["受付番号 A の 1 番の方、2番窓口へお越しください"]
    assert speaker.texts("en") == ["Number A 1, please go to counter 2"]


def test_numbers_called_before_are_listed_newest_first(board, service, qtbot):
    ids = _issue(service, "resident", 6)
    for _ in range(6):
        service.call_next("resident")
    newest = ["A-006", "A-005", "A-004"]
    qtbot.waitUntil(lambda: [c for c, _ in board.shown_calls()] == newest, timeout=CALL_MS)
    assert board.shown_recent() == ["A-003", "A-002", "A-001"]
    # the visitor of A-006 reached the counter: it joins the list called before
    service.start(ids[5], "resident")
    qtbot.waitUntil(lambda: board.shown_recent() == ["A-006", "A-002", "A-001"], timeout=CALL_MS)
    assert [c for c, _ in board.shown_calls()] == ["A-005", "A-004", "A-003"]
    assert board.recent_counters[0].text() == "→ 2"


def test_calling_again_announces_again_and_moves_to_the_top(board, service, qtbot, speaker):
    first, _ = _issue(service, "resident", 2)
    service.call_next("resident")
    service.call_next("resident")
    qtbot.waitUntil(lambda: len(board.shown_calls()) == 2, timeout=CALL_MS)
    service.call_again(first, "resident")
    qtbot.waitUntil(lambda: board.shown_calls()[0][0] == "A-001", timeout=CALL_MS)
    # each call rings the chime (1.7 s) before it is said, one call after the other
    qtbot.waitUntil(lambda: len(speaker.texts("ja")) == 3, timeout=10_000)
    assert "A の 1 番" in speaker.texts("ja")[-1]


def test_waiting_counts_follow_the_queue(board, service, qtbot):
    assert board.shown_waiting()["insurance"] == "0人"
    _issue(service, "insurance", 3)
    qtbot.waitUntil(lambda: board.shown_waiting()["insurance"] == "3人", timeout=CALL_MS + 500)
    assert board.waiting_rows["insurance"].count.labels[1].text() == "3 waiting"
    service.call_next("insurance")
    qtbot.waitUntil(lambda: board.shown_waiting()["insurance"] == "2人", timeout=CALL_MS + 500)


def test_the_board_starts_with_todays_calls_without_announcing_them(qtbot, qapp, service, tmp_path):
    from kiosk.ui.board.window import BoardWindow

    _issue(service, "resident", 3)
    service.call_next("resident")
    service.call_next("resident")
    speaker = RecordingSpeaker()
    texts = {code: Translations.load(code) for code in ("ja", "en")}
    window = BoardWindow(Settings(), service, None, texts, speaker=speaker, refresh_ms=200)
    qtbot.addWidget(window)
    try:
        qtbot.waitUntil(lambda: len(window.shown_calls()) == 2, timeout=LOAD_MS)
        assert [c for c, _ in window.shown_calls()] == ["A-002", "A-001"]
        assert window.shown_waiting()["resident"] == "1人"
        # without events, the periodic reload still finds a new call, and announces it
        service.call_next("resident")
        qtbot.waitUntil(lambda: window.shown_calls()[0][0] == "A-003", timeout=2_000)
        qtbot.waitUntil(lambda: len(speaker.said) == 2, timeout=2_000)
    finally:
        window.shutdown()
        assert window.runner.wait(5_000)


def test_the_board_command_is_mounted():
    from click.testing import CliRunner

    from kiosk.cli import main

    result = CliRunner().invoke(main, ["board", "--help"])
    assert result.exit_code == 0
    assert "--windowed" in result.output and "--config" in result.output


# -- the model, the chime --------------------------------------------------------------


def _event(event_id: int, ticket: int, status: str, counter: str | None = "resident") -> QueueEvent:
    return QueueEvent(
        event_id, ticket, f"A-{ticket:03d}", "resident", status, counter, "", datetime.now()
    )


def test_the_model_announces_each_call_once_whatever_the_order():
    model = BoardModel()
    assert [c.code for c in model.apply([_event(5, 3, "called")])] == ["A-003"]
    # history read afterwards overlaps: nothing older is announced, nothing twice
    history = [_event(1, 1, "waiting"), _event(2, 1, "called"), _event(5, 3, "called")]
    assert model.apply(history) == []
    assert [c.code for c in model.now_calling()] == ["A-003", "A-001"]
    model.apply([_event(6, 1, "no_show")])
    assert [c.code for c in model.now_calling()] == ["A-003"]
    assert [c.code for c in model.recent()] == ["A-001"]


def test_todays_events_reads_the_latest_history(service):
    _issue(service, "resident", 2)
    service.call_next("resident")
    events = todays_events(service.store)
    assert [e.status for e in events] == ["waiting", "waiting", "called"]


def test_the_chime_is_short_and_is_the_generated_one(tmp_path):
    shipped = resource("sounds", "chime.wav")
    assert wav_seconds(shipped) == pytest.approx(CHIME_SECONDS, abs=0.01)
    assert CHIME_SECONDS < 3  # no sound plays on its own for longer than 3 s
    assert write_chime(tmp_path / "chime.wav").read_bytes() == shipped.read_bytes()


def test_a_chime_that_cannot_play_is_logged_not_raised(tmp_path, caplog):
    assert not Chime(tmp_path / "chime.wav", ["/nonexistent/player"]).play()
    assert not Chime(tmp_path / "chime.wav", None).play()
    assert "chime" in caplog.text


# -- the real window under Xvfb ---------------------------------------------------------


@pytest.fixture
def xvfb_full_hd() -> Iterator[str]:
    with xvfb("1920x1080x24") as display:
        yield display


@pytest.mark.xvfb
def test_board_screenshot_under_xvfb(xvfb_full_hd, tmp_path):
    OUT.mkdir(parents=True, exist_ok=True)
    shots = run_module_on(xvfb_full_hd, "tests.ui.test_board", str(OUT), str(tmp_path), timeout=90)
    assert shots == ["board-calling.png", "board-after.png"]
    from PySide6.QtGui import QImage

    for name in shots:
        image = QImage(str(OUT / name))
        assert (image.width(), image.height()) == (1920, 1080)
        colours = {image.pixel(x, y) for x in range(0, 1920, 40) for y in range(0, 1080, 40)}
        assert len(colours) > 3, f"{name} looks blank"


def _tour(outdir: Path, workdir: Path) -> None:
    """Fill a queue, open the board full screen, call numbers, save screenshots."""
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtTest import QTest

    from kiosk.ui.app import application
    from kiosk.ui.board.window import BoardWindow

    app = application()
    with open_store(f"sqlite:///{workdir / 'board.db'}", workdir / "key") as store:
        service = QueueService(store, Catalog.load(), Settings().counters)
        for category, n in (("resident", 9), ("insurance", 4), ("children", 2)):
            _issue(service, category, n)
        for counter in ("resident", "insurance", "resident", "children", "resident") * 2:
            service.call_next(counter)
        texts = {code: Translations.load(code) for code in ("ja", "en")}
        window = BoardWindow(Settings(), service, open_events(store), texts)
        window.setGeometry(app.primaryScreen().geometry())
        window.showFullScreen()

        def wait(condition: Any) -> None:
            deadline = time.monotonic() + 10
            while not condition():
                if time.monotonic() > deadline:
                    raise SystemExit("timed out")
                QTest.qWait(20)

        def shot(name: str) -> None:
            QTest.qWait(300)
            if window.geometry() != app.primaryScreen().geometry():
                raise SystemExit(f"the board does not fit the screen: {window.geometry()}")
            QGuiApplication.primaryScreen().grabWindow(0).save(str(outdir / name))
            sys.stdout.write(name + "\n")

        wait(lambda: len(window.shown_calls()) == 3)
        service.call_next("resident")
        wait(lambda: window.flashing)
        shot("board-calling.png")
        wait(lambda: not window.highlighted)
        shot("board-after.png")
        window.shutdown()
        window.close()


if __name__ == "__main__":
    _tour(Path(sys.argv[1]), Path(sys.argv[2]))
