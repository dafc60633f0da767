"""Start the kiosk window: the Qt application, its look, and the devices."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from kiosk.assembly import Devices, assemble
from kiosk.chime import Chime
from kiosk.context import KioskContext
from kiosk.forms.font_stacks import JAPANESE
from kiosk.resources import resource
from kiosk.speech.audio import microphone_problem
from kiosk.speech.listener import Listener
from kiosk.speech.speaker import KioskSpeaker
from kiosk.speech.tts import find_player
from kiosk.ui.fonts import families
from kiosk.ui.heartbeat import Heartbeat
from kiosk.ui.service import ServiceNotifications, quit_on_sigterm
from kiosk.ui.style import (
    REFERENCE_PX_PER_MM,
    primary_screen_px_per_mm,
    px,
    set_px_per_mm,
    stylesheet,
)
from kiosk.ui.window import KioskWindow

log = logging.getLogger(__name__)

BASE_PIXEL_SIZE = 28
"""On the reference screen (19", 1280×1024); scaled to the screen's px/mm."""
WINDOWED_SIZE = (1280, 1024)  # the smallest kiosk screen we support
PURGE_INTERVAL_MS = 60 * 60 * 1000


def application() -> QApplication:
    """The QApplication, created once, with the kiosk's font and style sheet."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv[:1])
    apply_theme(app)
    return app


def apply_theme(app: QApplication, px_per_mm: float = REFERENCE_PX_PER_MM) -> None:
    """The kiosk's font and style sheet, its sizes scaled to ``px_per_mm`` (default: the
    reference screen's, so the pixel sizes of resources/ui/kiosk.qss as they are)."""
    set_px_per_mm(px_per_mm)
    # Every font of resources/fonts/; Japanese first (IPAex Gothic) until a visitor picks a
    # language (kiosk.ui.fonts.apply_language_font), then that language's stack.
    names = families(JAPANESE)
    font = QFont(names[0]) if names else QFont()
    font.setPixelSize(px(BASE_PIXEL_SIZE))
    app.setFont(font)
    app.setStyleSheet(stylesheet())


def run_kiosk(
    context: KioskContext,
    *,
    windowed: bool,
    on_shown: Callable[[float], None] | None = None,
    quit_when_shown: bool = False,
) -> int:
    """Show the kiosk until it is closed; returns the exit code."""
    started = time.perf_counter()
    app = application()
    diagonal = context.settings.kiosk.screen_diagonal_inches
    apply_theme(app, primary_screen_px_per_mm(diagonal))  # millimetres of this screen
    devices = assemble(context)
    speech = context.settings.speech
    speaker = KioskSpeaker(speech) if speech.read_aloud else None
    if speaker is not None:
        speaker.warm_up(context.languages)  # Open JTalk loads its dictionaries once, now
    listener = _listener(context)
    window = KioskWindow(
        context,
        devices.card,
        devices.checkout,
        watch_readers=devices.watch_readers,
        speaker=speaker,
        listener=listener,
        chime=Chime(resource("sounds", "chime.wav"), find_player()),
    )

    window.runner.submit(devices.checkout.warm_up, _purged, _purge_failed)
    # Kiosks run for days: delete expired card data every hour, not only at start.
    purge = QTimer(window)
    purge.setInterval(PURGE_INTERVAL_MS)
    purge.timeout.connect(
        lambda: window.runner.submit(devices.checkout.purge_expired, _purged, _purge_failed)
    )
    purge.start()
    heartbeat = Heartbeat(
        lambda: _send_heartbeat(devices, context),
        context.settings.kiosk.heartbeat_seconds * 1000,
        parent=window,
    )
    service = ServiceNotifications(window)
    if windowed or not context.settings.kiosk.fullscreen:
        window.resize(*WINDOWED_SIZE)
        window.show()
    else:
        # Kiosk PCs often run without a window manager, which alone would honour
        # showFullScreen(): size the window to the screen ourselves as well.
        window.setGeometry(app.primaryScreen().geometry())
        window.showFullScreen()
        # Visitors cannot close it (Alt+F4, the compositor); staff stop the service.
        window.lock_close()
    previous_sigterm = quit_on_sigterm(app, window)

    def shown() -> None:
        if on_shown is not None:
            on_shown(time.perf_counter() - started)
        # Speech models take seconds and a core to load: only once the kiosk is on screen.
        if listener is not None:
            window.runner.submit(listener.load_all, _models_loaded, _models_failed)
        heartbeat.start()
        service.shown("welcome screen shown")
        if quit_when_shown:
            window.allow_close()
            window.close()

    QTimer.singleShot(0, shown)
    try:
        return app.exec()
    finally:
        service.stopping()
        previous_sigterm.restore()
        heartbeat.stop()  # before the database closes under it
        window.shutdown()
        if speaker is not None:
            speaker.close()
        devices.close()


def _listener(context: KioskContext) -> Listener | None:
    """The microphone's listener, or None (and no Speak button) when there is no microphone."""
    problem = microphone_problem()
    if problem is not None:
        log.warning("answering by voice is off: %s (see ward-kiosk doctor)", problem)
        return None
    return Listener(context.settings)


def _send_heartbeat(devices: Devices, context: KioskContext) -> None:
    from kiosk.health import send_heartbeat  # not at start: it needs the database libraries

    send_heartbeat(devices.checkout.store, context.settings)


def _models_loaded(failed: dict[str, str]) -> None:
    for language, code in failed.items():
        log.warning("no speech recognition in %s: %s", language, code)


def _models_failed(error: Exception) -> None:
    log.warning("speech models could not be loaded: %s", error)


def _purged(count: int) -> None:
    if count:
        log.info("deleted the card data of %d visits past the retention period", count)


def _purge_failed(error: Exception) -> None:
    log.warning("could not delete expired card data: %s", getattr(error, "code", error))
