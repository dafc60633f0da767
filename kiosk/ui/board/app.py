"""Start the waiting-room board: the Qt application, the queue, the chime and the voice."""

from __future__ import annotations

import logging

from PySide6.QtCore import QTimer

from kiosk.board import BOARD_LANGUAGES
from kiosk.chime import Chime
from kiosk.context import KioskContext
from kiosk.i18n import Translations
from kiosk.queue import QueueService, open_events
from kiosk.resources import resource
from kiosk.speech.speaker import KioskSpeaker
from kiosk.speech.tts import find_player
from kiosk.ui.app import application
from kiosk.ui.board.window import BoardWindow
from kiosk.ui.service import ServiceNotifications, quit_on_sigterm
from kiosk.ward_keys import open_store

log = logging.getLogger(__name__)

WINDOWED_SIZE = (1920, 1080)  # the waiting-room screen the board is laid out for


def run_board(context: KioskContext, *, windowed: bool, silent: bool = False) -> int:
    """Show the board until it is closed; returns the exit code."""
    app = application()
    settings = context.settings
    # Shown in Japanese and English; a call is also said in the visitor's language.
    codes = dict.fromkeys([*BOARD_LANGUAGES, *settings.kiosk.languages])
    texts = {code: context.texts.get(code) or Translations.load(code) for code in codes}
    store = open_store(settings, "board")  # the board holds no ward key
    events = None
    speaker = None
    try:
        events = open_events(store)
        service = QueueService(
            store, context.catalog, settings.counters, max_passes=settings.queue.max_passes
        )
        speaker = None if silent else KioskSpeaker(settings.speech)
        chime = None if silent else Chime(resource("sounds", "chime.wav"), find_player())
        window = BoardWindow(settings, service, events, texts, speaker=speaker, chime=chime)
        events = None  # the window closes it
        if windowed:
            window.resize(*WINDOWED_SIZE)
            window.show()
        else:
            window.setGeometry(app.primaryScreen().geometry())
            window.showFullScreen()
        notifications = ServiceNotifications(window)
        QTimer.singleShot(0, lambda: notifications.shown("board shown"))
        previous_sigterm = quit_on_sigterm(app, window)
        try:
            return app.exec()
        finally:
            notifications.stopping()
            previous_sigterm.restore()
            window.shutdown()
    finally:
        if events is not None:
            events.close()
        if speaker is not None:
            speaker.close()
        store.close()
