"""Read-aloud: speakers that queue texts and speak them without ever blocking the caller.

``KioskSpeaker`` speaks in its own worker thread. A text is cut into phrases
(``phrases.py``); each is rendered to a WAV file by the language's engine
(``voices.py``: Open JTalk for Japanese, pyttsx3 for the rest) while the phrase
before it plays in a player process (aplay, paplay, ...), so the first words
are heard as soon as the first phrase is ready, and ``stop()`` ends the audio
at once by ending that process. The speaker remembers the last text asked for
(``last``, ``repeat()``) for the Repeat button. ``RecordingSpeaker`` is the
test double: it only records.
"""

from __future__ import annotations

import enum
import logging
import shutil
import wave
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from kiosk.config import VoiceSettings
from kiosk.i18n import Translations
from kiosk.speech.errors import SpeechError
from kiosk.speech.voices import voice_in

log = logging.getLogger(__name__)

# Players tried in order; each is given the WAV file as its last argument.
PLAYERS: tuple[tuple[str, ...], ...] = (
    ("aplay", "-q"),
    ("paplay",),
    ("pw-play",),
    ("play", "-q"),
    ("afplay",),
)
# A player that has not finished this long after the audio should have is stuck.
PLAYER_GRACE_SECONDS = 10.0


class SpeakError(SpeechError):
    """Text could not be turned into sound or the sound could not be played."""

    code = "speak_failed"


@dataclass(frozen=True)
class Utterance:
    text: str
    language: str


class SpeakerState(enum.Enum):
    IDLE = "idle"
    SPEAKING = "speaking"
    FAILED = "failed"
    """The last utterance could not be spoken; the next one is tried anyway."""


class Speaker(Protocol):
    """What the UI speaks through. Every method returns at once."""

    @property
    def last(self) -> Utterance | None:
        """The text most recently asked for (being or already spoken), for Repeat."""

    def say(self, text: str, language: str) -> None:
        """Queue ``text`` in ``language`` (a code such as ``ja``) after what is queued."""

    def repeat(self) -> None:
        """Say ``last`` again, if there is one."""

    def stop(self) -> None:
        """Silence the current utterance and drop the queue (a touch on the screen)."""

    def set_volume(self, volume: float) -> None:
        """Volume 0.0-1.0 for every later utterance, whatever its language."""

    def reset_volume(self) -> None:
        """Back to each language's configured volume (after each visitor)."""

    def speaks(self, language: str) -> bool:
        """False once the speaker knows no voice speaks ``language`` (it checks while
        warming up, and at the first text in it); True otherwise."""

    def watch(self, callback: Callable[[bool], None]) -> None:
        """Call ``callback(True)`` when the speaker gets something to say and
        ``callback(False)`` when all of it is said or stopped (from any thread)."""

    def close(self) -> None:
        """Stop, and end any thread the speaker runs; later calls are ignored."""


def pin_feedback(count: int, length: int, texts: Translations, *, deleted: bool = False) -> str:
    """What to say when a PIN digit is entered (or deleted): how many, never which."""
    if not 0 <= count <= length:
        raise ValueError(f"{count} digits of a {length}-digit PIN")
    key = "voice.pin.digit_deleted" if deleted else "voice.pin.digit_entered"
    return texts.text(key, count=count, length=length)


def clamp_volume(volume: float) -> float:
    return min(1.0, max(0.0, float(volume)))


@dataclass(frozen=True)
class SpeakerCall:
    """One call on a ``RecordingSpeaker``: ``action`` is the method's name."""

    action: str
    text: str = ""
    language: str = ""
    volume: float | None = None


@dataclass
class RecordingSpeaker:
    """Records every call instead of speaking; ``say`` after ``close`` is ignored as for real."""

    voices: dict[str, VoiceSettings] = field(default_factory=dict)
    calls: list[SpeakerCall] = field(default_factory=list)
    volume: float | None = None
    """The visitor's volume, None while the language default applies."""
    closed: bool = False
    missing: set[str] = field(default_factory=set)
    """Languages it acts as if no voice spoke: ``say`` in them is recorded but unheard."""
    _last: Utterance | None = None
    _watchers: list[Callable[[bool], None]] = field(default_factory=list)

    def speaks(self, language: str) -> bool:
        return language not in self.missing

    @property
    def last(self) -> Utterance | None:
        return self._last

    @property
    def said(self) -> list[Utterance]:
        return [Utterance(c.text, c.language) for c in self.calls if c.action == "say"]

    def texts(self, language: str | None = None) -> list[str]:
        return [u.text for u in self.said if language is None or u.language == language]

    def volume_for(self, language: str) -> float:
        return self.volume if self.volume is not None else voice_in(self.voices, language).volume

    def say(self, text: str, language: str) -> None:
        if self.closed or not text.strip():
            return
        self._last = Utterance(text, language)
        self.calls.append(SpeakerCall("say", text, language))
        for callback in list(self._watchers):  # said and done at once
            callback(True)
            callback(False)

    def repeat(self) -> None:
        if self._last is not None:
            self.say(self._last.text, self._last.language)

    def stop(self) -> None:
        self.calls.append(SpeakerCall("stop"))

    def set_volume(self, volume: float) -> None:
        self.volume = clamp_volume(volume)
        self.calls.append(SpeakerCall("set_volume", volume=self.volume))

    def reset_volume(self) -> None:
        self.volume = None
        self.calls.append(SpeakerCall("reset_volume"))

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Nothing is ever playing: the recording is done as soon as it is asked for."""
        return True

    def watch(self, callback: Callable[[bool], None]) -> None:
        self._watchers.append(callback)

    def close(self) -> None:
        self.closed = True
        self.calls.append(SpeakerCall("close"))


def find_player() -> list[str] | None:
    """The first audio player installed, as a command without the file."""
    for name, *args in PLAYERS:
        path = shutil.which(name)
        if path:
            return [path, *args]
    return None


def wav_seconds(path: Path) -> float:
    """Length of a WAV file; SpeakError if it is not one or holds no sound."""
    seconds = audio_seconds(path)
    if not seconds:
        raise SpeakError(f"{path} holds no sound")
    return seconds


def audio_seconds(path: Path) -> float:
    """Length of a WAV file, 0 when it holds no frames; SpeakError if it is not one."""
    try:
        with wave.open(str(path), "rb") as f:
            frames, rate = f.getnframes(), f.getframerate()
    except (OSError, EOFError, wave.Error) as e:
        raise SpeakError(f"{path} is not a WAV file: {e}") from e
    return frames / rate if rate else 0.0
