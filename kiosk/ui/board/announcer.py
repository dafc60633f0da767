"""The board's calls, one after the other: a chime, then the call in Japanese, English and
the language the visitor chose at the kiosk.

A call waits until the one before it has been said in full, so two calls never sound
over each other (nor a chime over a call); the speaker reports when it falls silent,
from its own thread, through a queued signal.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Mapping, Sequence

from PySide6.QtCore import QObject, QTimer

from kiosk.board import BOARD_LANGUAGES, Call, call_speech
from kiosk.chime import Chime
from kiosk.config import Settings
from kiosk.i18n import Translations
from kiosk.services import Speaker
from kiosk.ui.tasks import ThreadBridge

log = logging.getLogger(__name__)

CHIME_MS = 1_700  # speech starts once the chime has rung
SILENT_GAP_MS = 2_500  # with no speaker, chimes of calls close together stay apart
WATCHDOG_MS = 60_000  # far longer than three sentences take


def call_languages(call: Call, texts: Mapping[str, Translations]) -> list[str]:
    """The languages a call is said in: the board's own, then the visitor's if it is another."""
    languages = [code for code in BOARD_LANGUAGES if code in texts]
    if call.language and call.language in texts and call.language not in languages:
        languages.append(call.language)
    return languages


def call_texts(
    call: Call, settings: Settings, texts: Mapping[str, Translations]
) -> list[tuple[str, str]]:
    """(text, language) of each sentence of one call, in the order they are said."""
    return [
        (call_speech(call, settings, texts[code]), code) for code in call_languages(call, texts)
    ]


class Announcer(QObject):
    """Queues calls and says each in full before the next (chime, then its sentences)."""

    def __init__(
        self,
        settings: Settings,
        texts: Mapping[str, Translations],
        speaker: Speaker | None,
        chime: Chime | None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.texts = texts
        self.speaker = speaker
        self.chime = chime
        self.waiting: deque[list[tuple[str, str]]] = deque()
        self.busy = False
        self._closed = False
        self._sentences: list[tuple[str, str]] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._speak)
        # Goes on to the next call if the speaker never reports silence (it failed, closed).
        self._watchdog = QTimer(self)
        self._watchdog.setSingleShot(True)
        self._watchdog.timeout.connect(self._done)
        self._bridge = ThreadBridge(self)
        self._bridge.arrived.connect(self._speaker_busy)
        if speaker is not None:
            speaker.watch(self._bridge.arrived.emit)

    def announce(self, calls: Sequence[Call]) -> None:
        for call in calls:
            self.waiting.append(call_texts(call, self.settings, self.texts))
        self._next()

    def close(self) -> None:
        self._closed = True
        self._timer.stop()
        self._watchdog.stop()
        self.waiting.clear()

    def _next(self) -> None:
        if self.busy or self._closed or not self.waiting:
            return
        self.busy = True
        self._sentences = self.waiting.popleft()
        rang = self.chime.play() if self.chime is not None else False
        self._timer.start(CHIME_MS if rang else 0)

    def _speak(self) -> None:
        sentences, self._sentences = self._sentences, []
        if self.speaker is None or self._closed:
            self._watchdog.start(SILENT_GAP_MS if self.chime is not None else 0)
            return
        self._watchdog.start(WATCHDOG_MS)
        for text, language in sentences:
            self.speaker.say(text, language)

    def _speaker_busy(self, busy: object) -> None:
        if not busy and self.busy and not self._timer.isActive():
            self._done()

    def _done(self) -> None:
        self._watchdog.stop()
        self.busy = False
        self._next()
