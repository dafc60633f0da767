"""Reading the kiosk aloud: which screen, box or overlay is read, and when.

A mixin of the kiosk window (the voice itself is :class:`kiosk.ui.voice_guide.VoiceGuide`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer

from kiosk.context import KioskContext
from kiosk.i18n import Translations
from kiosk.services import Speaker
from kiosk.speech.tts import pin_feedback
from kiosk.ui.ask_overlay import AskOverlay
from kiosk.ui.idle import IdleWatcher
from kiosk.ui.idle_overlay import IdleOverlay
from kiosk.ui.narration import screen_speech
from kiosk.ui.screens.confirm import ConfirmScreen
from kiosk.ui.screens.pin import PIN_LENGTH, PinScreen
from kiosk.ui.screens.welcome import WelcomeScreen
from kiosk.ui.voice_guide import VoiceGuide
from kiosk.ui.widgets import ScreenFrame

if TYPE_CHECKING:
    from PySide6.QtWidgets import QStackedWidget, QWidget


class ReadingAloud:
    """The window's reading aloud; the window provides the attributes declared here."""

    context: KioskContext
    texts: Translations
    speaker: Speaker | None
    guide: VoiceGuide
    idle: IdleWatcher
    overlay: IdleOverlay
    restart_box: AskOverlay
    staff_box: AskOverlay
    stack: QStackedWidget
    welcome: WelcomeScreen
    pin: PinScreen
    confirm: ConfirmScreen
    _idle_wanted: bool
    _said_before_next: str

    if TYPE_CHECKING:

        @property
        def screens(self) -> list[ScreenFrame]: ...

        def current_screen(self) -> QWidget | None: ...

    @property
    def boxes(self) -> tuple[AskOverlay, ...]:
        return (self.restart_box, self.staff_box)

    def _connect_speech(self) -> None:
        guide = self.guide
        guide.busy_changed.connect(self._speech_busy)
        guide.started.connect(self._guide_started)
        guide.no_voice.connect(self._no_voice)
        self.welcome.voice_guide.setVisible(guide.available)
        self.welcome.voice_guide.clicked.connect(guide.start)
        if self.speaker is None:
            return
        self.idle.activity.connect(self.speaker.stop)  # any touch stops speech
        guide.attach(self.screens, self.read_aloud)
        self.pin.digit_count_changed.connect(self._say_digit_count)
        for screen in self.screens:
            screen.notice.shown.connect(guide.say)
        for box in self.boxes:
            box.shown.connect(self._box_shown)
        if not self.context.settings.speech.headphones:
            self.confirm.read_details.show()
            self.confirm.details_requested.connect(
                lambda: guide.say(self.confirm.details_speech(), asked=True)
            )

    def read_aloud(self) -> None:
        """Read the current screen (or the idle question over it) from the top."""
        box = next((b for b in self.boxes if b.isVisible()), None)
        if self.overlay.isVisible():
            self.guide.say(f"{self.overlay.title.text()}\n{self.overlay.body.text()}")
        elif box is not None:
            self.guide.say(box.speech())
        else:
            current = self.stack.currentWidget()
            if current is not None:
                prefix, self._said_before_next = self._said_before_next, ""
                personal = self.context.settings.speech.headphones
                text = screen_speech(current, personal=personal)
                self.guide.say("\n".join(filter(None, (prefix, text))))

    def _guide_started(self) -> None:
        if self.current_screen() is self.welcome:
            intro = self.texts.text("voice.guide_started")
            self.guide.say(f"{intro}\n{screen_speech(self.welcome)}")

    def _no_voice(self) -> None:
        """Said once, in writing: this language is shown, not read aloud. Shown once the
        touch that chose the language has also moved on to the next screen."""
        QTimer.singleShot(0, self._show_no_voice)

    def _show_no_voice(self) -> None:
        notice = getattr(self.current_screen(), "notice", None)
        if notice is not None:
            notice.show_message(self.texts.text("ui.common.no_voice"))

    def _speech_busy(self, busy: bool) -> None:
        """The idle countdown waits while the kiosk is reading to the visitor."""
        if busy:
            self.idle.disarm()
        else:
            self._arm_idle()

    def _arm_idle(self) -> None:
        if self._idle_wanted and not self.guide.busy and not self.overlay.isVisible():
            self.idle.arm()
        elif not self._idle_wanted:
            self.idle.disarm()

    def _box_shown(self) -> None:
        if self.guide.on:
            self.read_aloud()

    def _say_digit_count(self, count: int, deleted: bool) -> None:
        # Never the digit itself: only how many have been typed.
        self.guide.say(pin_feedback(count, PIN_LENGTH, self.texts, deleted=deleted))
