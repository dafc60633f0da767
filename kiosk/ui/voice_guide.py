"""Spoken guidance for one visit: off until the visitor asks, then every screen is read.

Nothing plays on its own: a passer-by hears nothing, and a visitor who needs
the voice touches "音声案内 / Voice guide" on the welcome screen (or any key of
a keypad), or "Read aloud" on any screen. From then on each screen is read as
it appears, until the visit ends. The volume buttons move through a few fixed
steps and say the new level in that level's loudness; the next visitor starts
at the configured volume again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, Qt, Signal

from kiosk.i18n import Translations
from kiosk.services import Speaker
from kiosk.ui.widgets import ScreenFrame

VOLUME_STEPS = (0.3, 0.55, 0.8, 1.0)
"""The volumes the − and + buttons step through (four steps)."""


class VoiceGuide(QObject):
    """Whether this visit is spoken, the speech buttons on every screen, and the volume."""

    busy_changed = Signal(bool)
    """The speaker has started (True) or finished (False) saying something; GUI thread."""
    started = Signal()
    """The visitor asked for spoken guidance."""
    no_voice = Signal()
    """Guidance was asked for in a language no installed voice speaks (once a visit)."""

    def __init__(
        self,
        speaker: Speaker | None,
        texts: Callable[[], Translations],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.speaker = speaker
        self._texts = texts
        self.on = False
        self.busy = False
        self._told_no_voice = False
        self._screens: Sequence[ScreenFrame] = ()
        self._busy_bridge = _BusyBridge(self)
        self._busy_bridge.changed.connect(self._busy, Qt.ConnectionType.QueuedConnection)
        if speaker is not None:
            speaker.watch(self._busy_bridge.changed.emit)

    @property
    def available(self) -> bool:
        return self.speaker is not None

    def attach(self, screens: Sequence[ScreenFrame], read: Callable[[], None]) -> None:
        """Show the speech buttons on ``screens``; their Read button calls ``read``."""
        self._screens = screens
        if self.speaker is None:
            return
        for screen in screens:
            for button in (screen.repeat, screen.volume_down, screen.volume_up):
                button.show()
            screen.repeat.clicked.connect(lambda: self._read_pressed(read))
            screen.volume_down.clicked.connect(lambda: self.step_volume(-1))
            screen.volume_up.clicked.connect(lambda: self.step_volume(+1))

    def _read_pressed(self, read: Callable[[], None]) -> None:
        if not self.on:
            self.start()
        read()

    def start(self) -> None:
        """Spoken guidance for the rest of this visit."""
        if self.speaker is None or self.on:
            return
        self.on = True
        self.relabel()
        self.started.emit()

    def relabel(self) -> None:
        texts = self._texts()
        read = texts.text("ui.common.repeat" if self.on else "ui.common.read_aloud")
        for screen in self._screens:
            screen.repeat.setText(read)
            screen.volume_down.setText(texts.text("ui.common.volume_down"))
            screen.volume_down.setAccessibleName(texts.text("ui.common.volume_down_name"))
            screen.volume_up.setText(texts.text("ui.common.volume_up"))
            screen.volume_up.setAccessibleName(texts.text("ui.common.volume_up_name"))

    def say(self, text: str, *, asked: bool = False) -> None:
        """Say ``text`` over whatever is being said; only while guidance is on, unless ``asked``."""
        if self.speaker is not None and text and (self.on or asked):
            language = self._texts().language
            if not self.speaker.speaks(language):
                if not self._told_no_voice:
                    self._told_no_voice = True
                    self.no_voice.emit()
                return
            self.speaker.stop()
            self.speaker.say(text, language)

    def step_volume(self, direction: int) -> None:
        """One step louder (+1) or quieter (-1), and say the new level at that loudness."""
        if self.speaker is None:
            return
        language = self._texts().language
        level = next_level(self.speaker.volume_for(language), direction)
        self.speaker.set_volume(VOLUME_STEPS[level])
        self.start()
        text = self._texts().text("voice.volume", level=level + 1, levels=len(VOLUME_STEPS))
        self.say(text)

    def reset(self) -> None:
        """The visitor has gone: silence, guidance off, the configured volume again."""
        self.on = False
        self._told_no_voice = False
        if self.speaker is not None:
            self.speaker.stop()
            self.speaker.reset_volume()
        self.relabel()

    def _busy(self, busy: bool) -> None:
        self.busy = busy
        self.busy_changed.emit(busy)


def next_level(volume: float, direction: int) -> int:
    """The index in VOLUME_STEPS one step from ``volume`` (which need not be a step)."""
    if direction > 0:
        louder = [i for i, step in enumerate(VOLUME_STEPS) if step > volume + 1e-6]
        return louder[0] if louder else len(VOLUME_STEPS) - 1
    quieter = [i for i, step in enumerate(VOLUME_STEPS) if step < volume - 1e-6]
    return quieter[-1] if quieter else 0


class _BusyBridge(QObject):
    """Carries the speaker's busy reports from its thread to the GUI thread."""

    changed = Signal(bool)
