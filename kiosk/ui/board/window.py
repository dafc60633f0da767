"""The waiting-room board window: numbers being called, numbers called before, waiting counts.

A thin view over ``kiosk.board.BoardModel``. Queue events arrive on the notifier's
thread and reach the GUI thread through a queued signal; the status and the recent
history are read on the TaskRunner's pool (at start, after events, and every few
seconds as a fallback), never on the GUI thread.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QVBoxLayout,
    QWidget,
)

from kiosk.board import (
    BOARD_LANGUAGES,
    BoardModel,
    Call,
    counter_text,
    recent_counter_text,
    todays_events,
    waiting_text,
)
from kiosk.chime import Chime
from kiosk.config import Settings
from kiosk.i18n import Translations
from kiosk.queue import CategoryStatus, QueueEvents, QueueService
from kiosk.resources import resource
from kiosk.services import Speaker
from kiosk.storage import QueueEvent
from kiosk.ui.board.announcer import Announcer
from kiosk.ui.board.staff_corner import staff_corner
from kiosk.ui.tasks import Reloads, TaskRunner, ThreadBridge

log = logging.getLogger(__name__)

REFRESH_MS = 5_000  # status and history reloaded this often even without events
EVENT_SETTLE_MS = 200  # events close together cause one reload
FLASH_MS = 6_000  # the newest call flashes this long
FLASH_STEP_MS = 500  # one flash a second: well under three a second


class BoardWindow(QMainWindow):
    def __init__(
        self,
        settings: Settings,
        service: QueueService,
        events: QueueEvents | None,
        texts: Mapping[str, Translations],
        *,
        speaker: Speaker | None = None,
        chime: Chime | None = None,
        runner: TaskRunner | None = None,
        refresh_ms: int = REFRESH_MS,
    ) -> None:
        super().__init__()
        self.setWindowTitle("Ward kiosk board")
        self.settings = settings
        self.service = service
        self.events = events
        self.languages = [code for code in BOARD_LANGUAGES if code in texts] or list(texts)[:1]
        self.texts = [texts[code] for code in self.languages]
        self.speaker = speaker
        self.chime = chime
        self.announcer = Announcer(settings, texts, speaker, chime)
        self.runner = runner or TaskRunner(self)
        self.model = BoardModel()
        self._loaded = False  # the first reload fills the lists without announcing
        self._reads = Reloads(self.runner, self._read, self._loaded_data, self._load_failed)
        self._closed = False
        self._flash_left = 0
        self.setStyleSheet(resource("ui", "board.qss").read_text(encoding="utf-8"))
        self._build()
        self._timers(refresh_ms)
        self._bridge = ThreadBridge(self)
        self._bridge.arrived.connect(self._on_event)
        if events is not None:
            events.subscribe(self._bridge.arrived.emit)
        self.show_model()
        self.reload()

    # -- construction -------------------------------------------------------------

    def _build(self) -> None:
        root = QWidget()
        root.setObjectName("board")
        outer = QVBoxLayout(root)
        outer.setContentsMargins(40, 24, 40, 32)
        outer.setSpacing(20)

        header = QHBoxLayout()
        self.heading = _label("heading", self._both("board.heading.now_calling")[0])
        self.heading_en = _label(
            "headingEn", "   ".join(self._both("board.heading.now_calling")[1:])
        )
        header.addWidget(self.heading, 0, Qt.AlignmentFlag.AlignBottom)
        header.addSpacing(32)
        header.addWidget(self.heading_en, 1, Qt.AlignmentFlag.AlignBottom)
        self.clock = _label("clock")
        header.addWidget(self.clock, 0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom)
        outer.addLayout(header)

        body = QHBoxLayout()
        body.setSpacing(32)
        outer.addLayout(body, 1)

        calling = QVBoxLayout()
        calling.setSpacing(16)
        body.addLayout(calling, 1)
        self.main = QFrame()
        self.main.setObjectName("callMain")
        main = QVBoxLayout(self.main)
        main.setContentsMargins(32, 16, 32, 24)
        main.setSpacing(0)
        self.main_mark = _label("callMark")
        self.main_code = _label("callCode")
        self.main_counter = _pair("callCounter")
        main.addWidget(self.main_mark, 0, Qt.AlignmentFlag.AlignLeft)
        main.addWidget(self.main_code, 1, Qt.AlignmentFlag.AlignCenter)
        main.addLayout(self.main_counter.layout)
        calling.addWidget(self.main, 3)
        self.rows: list[_CallRow] = []
        for _ in range(self.model.now_size - 1):
            row = _CallRow()
            self.rows.append(row)
            calling.addWidget(row.frame, 1)

        side = QVBoxLayout()
        side.setSpacing(16)
        body.addLayout(side, 1)
        recent_box = QFrame()
        recent_box.setObjectName("panel")
        recent = QVBoxLayout(recent_box)
        recent.setContentsMargins(24, 16, 24, 16)
        recent.addLayout(_pair("panelTitle", self._both("board.heading.recent")).layout)
        grid = QGridLayout()
        grid.setHorizontalSpacing(24)
        grid.setVerticalSpacing(6)
        self.recent_codes: list[QLabel] = []
        self.recent_counters: list[QLabel] = []
        for index in range(self.model.recent_size):
            code, counter = _label("recentCode"), _label("recentCounter")
            line, column = (
                index % (self.model.recent_size // 2),
                index // (self.model.recent_size // 2),
            )
            cell = QHBoxLayout()
            cell.addWidget(code)
            cell.addWidget(counter, 1)
            grid.addLayout(cell, line, column)
            self.recent_codes.append(code)
            self.recent_counters.append(counter)
        recent.addLayout(grid)
        recent.addStretch(1)
        side.addWidget(recent_box, 5)

        waiting_box = QFrame()
        waiting_box.setObjectName("panel")
        self.waiting_layout = QVBoxLayout(waiting_box)
        self.waiting_layout.setContentsMargins(24, 16, 24, 16)
        self.waiting_layout.addLayout(
            _Pair("panelTitle", self._both("board.heading.waiting"), side_by_side=True).layout
        )
        self.waiting_rows: dict[str, _WaitingRow] = {}
        self.waiting_grid = QGridLayout()
        self.waiting_grid.setVerticalSpacing(4)
        self.waiting_layout.addLayout(self.waiting_grid)
        self.waiting_layout.addStretch(1)
        side.addWidget(waiting_box, 5)
        # [board] show_staff_calls: floats in the bottom right corner, outside the layout
        self.staff_corner = staff_corner(self.settings, self.service.store, self.texts, self.runner)
        if self.staff_corner is not None:
            self.staff_corner.float_over(root)
        self.setCentralWidget(root)

    def _timers(self, refresh_ms: int) -> None:
        self.refresh_timer = QTimer(self)
        self.refresh_timer.setInterval(refresh_ms)
        self.refresh_timer.timeout.connect(self.reload)
        self.refresh_timer.start()
        self.settle_timer = QTimer(self)
        self.settle_timer.setSingleShot(True)
        self.settle_timer.setInterval(EVENT_SETTLE_MS)
        self.settle_timer.timeout.connect(self.reload)
        self.flash_timer = QTimer(self)
        self.flash_timer.setInterval(FLASH_STEP_MS)
        self.flash_timer.timeout.connect(self._flash_step)

    def _both(self, key: str, **values: object) -> list[str]:
        return [texts.text(key, **values) for texts in self.texts]

    # -- data ----------------------------------------------------------------------

    def reload(self) -> None:
        """Read the status and today's recent events on the pool (then show them)."""
        self._reads.reload()

    def _read(self) -> tuple[list[CategoryStatus], list[QueueEvent]]:  # on the pool
        return self.service.status(), todays_events(self.service.store)

    def _loaded_data(self, data: tuple[list[CategoryStatus], list[QueueEvent]]) -> None:
        status, events = data
        self.model.set_status(status)
        new = self.model.apply(events)
        if self._loaded:
            self._announce(new)
        self._loaded = True
        self.show_model()

    def _load_failed(self, error: Exception) -> None:
        log.warning("the board could not read the queue: %s", getattr(error, "code", error))

    def _on_event(self, event: QueueEvent) -> None:
        if self._closed:
            return
        new = self.model.apply([event])
        if new:
            self.show_model()
            self._announce(new)
        self.settle_timer.start()  # waiting counts change with every event

    # -- calls ---------------------------------------------------------------------

    def _announce(self, calls: Sequence[Call]) -> None:
        calls = list(calls)[-self.model.now_size :]
        if not calls:
            return
        self._flash_left = FLASH_MS // FLASH_STEP_MS
        self._set_flash(True)
        self.flash_timer.start()
        self.announcer.announce(calls)

    def _flash_step(self) -> None:
        self._flash_left -= 1
        if self._flash_left <= 0:
            self.flash_timer.stop()
            self._set_flash(False)
        else:
            self._set_flash(not self.flashing)

    @property
    def flashing(self) -> bool:
        return bool(self.main.property("flash"))

    @property
    def highlighted(self) -> bool:
        """The newest call is still being shown as new (flashing or between flashes)."""
        return self.flash_timer.isActive()

    def _set_flash(self, on: bool) -> None:
        self.main.setProperty("flash", on)
        for widget in [self.main, *self.main.findChildren(QWidget)]:
            widget.style().unpolish(widget)
            widget.style().polish(widget)

    # -- drawing -------------------------------------------------------------------

    def show_model(self) -> None:
        now = self.model.now_calling()
        if now:
            first = now[0]
            self.main_mark.setText("▶ " + "  ".join(self._both("board.call.new")))
            self.main_code.setText(first.code)
            self.main_counter.set(
                [counter_text(first, self.settings, texts) for texts in self.texts]
            )
        else:
            self.main_mark.setText("")
            self.main_code.setText("—")
            self.main_counter.set(self._both("board.call.nobody"))
        for row, call in zip(self.rows, [*now[1:], *[None] * len(self.rows)], strict=False):
            row.show_call(call, self.settings, self.texts)
        recent = self.model.recent()
        for index, (code, counter) in enumerate(
            zip(self.recent_codes, self.recent_counters, strict=True)
        ):
            call = recent[index] if index < len(recent) else None
            code.setText(call.code if call else "")
            counter.setText(recent_counter_text(call, self.settings, self.texts[0]) if call else "")
        self._render_waiting()
        self.clock.setText(datetime.now().astimezone().strftime("%H:%M"))

    def _render_waiting(self) -> None:
        for index, status in enumerate(self.model.waiting):
            row = self.waiting_rows.get(status.category)
            if row is None:
                row = self.waiting_rows[status.category] = _WaitingRow(
                    status.letter,
                    self._both(f"catalog.categories.{status.category}"),
                )
                row.add_to(self.waiting_grid, index)
            row.set(status, self.texts)

    # -- what the board shows (tests, screenshots) ---------------------------------

    def shown_calls(self) -> list[tuple[str, str]]:
        """(code, counter text in the first language) of each number being called."""
        result = []
        if self.main_code.text() not in ("", "—"):
            result.append((self.main_code.text(), self.main_counter.labels[0].text()))
        result += [(r.code.text(), r.counter.labels[0].text()) for r in self.rows if r.code.text()]
        return result

    def shown_recent(self) -> list[str]:
        return [label.text() for label in self.recent_codes if label.text()]

    def shown_waiting(self) -> dict[str, str]:
        return {cid: row.count.labels[0].text() for cid, row in self.waiting_rows.items()}

    # -- ending --------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Stop the subscription, timers, the chime and the workers: no thread outlives it."""
        if self._closed:
            return
        self._closed = True
        self._reads.close()
        self.announcer.close()
        if self.events is not None:
            self.events.close()
            self.events = None
        for timer in (self.refresh_timer, self.settle_timer, self.flash_timer):
            timer.stop()
        if self.staff_corner is not None:
            self.staff_corner.shutdown()
        self.runner.cancel_all()
        self.runner.wait()
        if self.chime is not None:
            self.chime.close()


def _label(role: str, text: str = "") -> QLabel:
    widget = QLabel(text)
    widget.setObjectName(role)
    widget.setTextFormat(Qt.TextFormat.PlainText)
    return widget


class _Pair:
    """One text in each board language, the first above the others (or beside them, for
    short titles: the height the English needs at 5 m is found there)."""

    def __init__(
        self, role: str, texts: Sequence[str] = (), count: int = 2, *, side_by_side: bool = False
    ) -> None:
        self.layout = QHBoxLayout() if side_by_side else QVBoxLayout()
        self.layout.setSpacing(32 if side_by_side else 0)
        self.labels = [_label(role if i == 0 else f"{role}En") for i in range(count)]
        for widget in self.labels:
            widget.setWordWrap(not side_by_side)  # a long text wraps, not widening the window
            if side_by_side:
                self.layout.addWidget(widget, 0, Qt.AlignmentFlag.AlignBaseline)
            else:
                self.layout.addWidget(widget)
        if side_by_side:
            self.layout.addStretch(1)
        self.set(texts)

    def set(self, texts: Sequence[str]) -> None:
        for index, widget in enumerate(self.labels):
            text = texts[index] if index < len(texts) else ""
            widget.setText(text)
            widget.setVisible(bool(text))

    def align(self, alignment: Any) -> None:
        for widget in self.labels:
            widget.setAlignment(alignment)


def _pair(role: str, texts: Sequence[str] = ()) -> _Pair:
    return _Pair(role, texts)


class _CallRow:
    """A number being called besides the newest: code, then the counter in both languages."""

    def __init__(self) -> None:
        self.frame = QFrame()
        self.frame.setObjectName("callRow")
        layout = QHBoxLayout(self.frame)
        layout.setContentsMargins(32, 4, 32, 4)
        layout.setSpacing(40)
        self.code = _label("rowCode")
        self.counter = _pair("rowCounter")
        layout.addWidget(self.code, 0)
        layout.addLayout(self.counter.layout, 1)

    def show_call(
        self, call: Call | None, settings: Settings, texts: Sequence[Translations]
    ) -> None:
        self.code.setText(call.code if call else "")
        self.counter.set([counter_text(call, settings, t) for t in texts] if call else [])
        self.frame.setProperty("empty", call is None)
        self.frame.style().unpolish(self.frame)
        self.frame.style().polish(self.frame)


class _WaitingRow:
    def __init__(self, letter: str, names: Sequence[str]) -> None:
        self.letter = _label("waitLetter", letter)
        self.letter.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.name = _pair("waitName", names)
        self.count = _pair("waitCount")
        self.count.align(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

    def add_to(self, grid: QGridLayout, row: int) -> None:
        grid.addWidget(self.letter, row, 0)
        grid.addLayout(self.name.layout, row, 1)
        grid.addLayout(self.count.layout, row, 2)
        grid.setColumnStretch(1, 1)

    def set(self, status: CategoryStatus, texts: Sequence[Translations]) -> None:
        self.count.set([waiting_text(status, t) for t in texts])
