"""Read-aloud: speakers that queue texts and speak them without ever blocking the caller.

``Pyttsx3Speaker`` drives pyttsx3 in its own worker thread: the engine renders
each text to a WAV file there, and a player process (aplay, paplay, ...) plays
it, so ``stop()`` ends the audio at once by ending that process. The speaker
remembers the last text asked for (``last``, ``repeat()``) for the Repeat
button. ``RecordingSpeaker`` is the test double: it only records.
"""

from __future__ import annotations

import atexit
import enum
import gc
import json
import logging
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import wave
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from kiosk.config import SpeechSettings, VoiceSettings
from kiosk.i18n import Translations
from kiosk.speech.errors import SpeechError
from kiosk.speech.kana import to_kana, warm_up

log = logging.getLogger(__name__)

DEFAULT_VOICE = VoiceSettings()
RENDER_TIMEOUT = 30.0
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

    def close(self) -> None:
        """Stop, and end any thread the speaker runs; later calls are ignored."""


def pin_feedback(count: int, length: int, texts: Translations, *, deleted: bool = False) -> str:
    """What to say when a PIN digit is entered (or deleted): how many, never which."""
    if not 0 <= count <= length:
        raise ValueError(f"{count} digits of a {length}-digit PIN")
    key = "voice.pin.digit_deleted" if deleted else "voice.pin.digit_entered"
    return texts.text(key, count=count, length=length)


def _clamp(volume: float) -> float:
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
    _last: Utterance | None = None

    @property
    def last(self) -> Utterance | None:
        return self._last

    @property
    def said(self) -> list[Utterance]:
        return [Utterance(c.text, c.language) for c in self.calls if c.action == "say"]

    def texts(self, language: str | None = None) -> list[str]:
        return [u.text for u in self.said if language is None or u.language == language]

    def volume_for(self, language: str) -> float:
        return self.volume if self.volume is not None else _voice(self.voices, language).volume

    def say(self, text: str, language: str) -> None:
        if self.closed or not text.strip():
            return
        self._last = Utterance(text, language)
        self.calls.append(SpeakerCall("say", text, language))

    def repeat(self) -> None:
        if self._last is not None:
            self.say(self._last.text, self._last.language)

    def stop(self) -> None:
        self.calls.append(SpeakerCall("stop"))

    def set_volume(self, volume: float) -> None:
        self.volume = _clamp(volume)
        self.calls.append(SpeakerCall("set_volume", volume=self.volume))

    def reset_volume(self) -> None:
        self.volume = None
        self.calls.append(SpeakerCall("reset_volume"))

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Nothing is ever playing: the recording is done as soon as it is asked for."""
        return True

    def close(self) -> None:
        self.closed = True
        self.calls.append(SpeakerCall("close"))


def _voice(voices: dict[str, VoiceSettings], language: str) -> VoiceSettings:
    return voices.get(language) or voices.get(_base(language)) or DEFAULT_VOICE


def _base(language: str) -> str:
    return language.replace("_", "-").split("-")[0].lower()


def find_player() -> list[str] | None:
    """The first audio player installed, as a command without the file."""
    for name, *args in PLAYERS:
        path = shutil.which(name)
        if path:
            return [path, *args]
    return None


def wav_seconds(path: Path) -> float:
    """Length of a WAV file; SpeakError if it is not one or holds no sound."""
    try:
        with wave.open(str(path), "rb") as f:
            frames, rate = f.getnframes(), f.getframerate()
    except (OSError, EOFError, wave.Error) as e:
        raise SpeakError(f"{path} is not a WAV file: {e}") from e
    if frames == 0 or rate == 0:
        raise SpeakError(f"{path} holds no sound")
    return frames / rate


@dataclass
class _Job:
    utterance: Utterance
    volume: float
    generation: int
    out: Path | None = None
    """Write here instead of playing (``save``); such jobs are not dropped by stop()."""
    done: Future[float] | None = None


class Pyttsx3Speaker:
    """pyttsx3 in a worker thread that owns the engine; safe to call from any thread.

    A failure (no audio device, no voice) is logged, puts the speaker in
    ``SpeakerState.FAILED`` and calls ``on_failed(message)`` in the worker
    thread; the speaker keeps taking texts.
    """

    def __init__(
        self,
        settings: SpeechSettings | None = None,
        *,
        driver: str | None = None,
        player: Sequence[str] | None = None,
        on_failed: Callable[[str], None] | None = None,
    ) -> None:
        self._voices = dict((settings or SpeechSettings()).voices)
        self._driver = driver
        self._player = list(player) if player is not None else find_player()
        self._on_failed = on_failed
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._jobs: queue.Queue[_Job | None] = queue.Queue()
        self._generation = 0
        self._pending = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._volume: float | None = None
        self._last: Utterance | None = None
        self._state = SpeakerState.IDLE
        self._closed = False
        self.last_error: str | None = None
        self._tmp = tempfile.TemporaryDirectory(prefix="ward-kiosk-tts-")
        self._thread = threading.Thread(target=self._run, name="tts-worker", daemon=True)
        self._thread.start()

    # The caller's side: quick, under the lock, never waiting for the engine.

    @property
    def last(self) -> Utterance | None:
        return self._last

    @property
    def state(self) -> SpeakerState:
        return self._state

    @property
    def thread(self) -> threading.Thread:
        return self._thread

    def volume_for(self, language: str) -> float:
        """The volume the next utterance in ``language`` gets."""
        with self._lock:
            return self._volume_for(language)

    def _volume_for(self, language: str) -> float:
        return self._volume if self._volume is not None else _voice(self._voices, language).volume

    def say(self, text: str, language: str) -> None:
        if text.strip():
            self._enqueue(Utterance(text, language))

    def repeat(self) -> None:
        if self._last is not None:
            self._enqueue(self._last)

    def save(self, text: str, language: str, path: Path, timeout: float = 60.0) -> float:
        """Write ``text`` as a WAV file instead of playing it; returns its length in seconds.

        Blocks until written (for the command line, not the UI); SpeakError on failure.
        """
        done: Future[float] = Future()
        if not self._enqueue(Utterance(text, language), out=path, done=done):
            raise SpeakError("the speaker is closed")
        return done.result(timeout)

    def _enqueue(
        self, utterance: Utterance, out: Path | None = None, done: Future[float] | None = None
    ) -> bool:
        with self._lock:
            if self._closed:
                log.warning("speaker is closed; not saying a %s text", utterance.language)
                return False
            if out is None:
                self._last = utterance
            job = _Job(utterance, self._volume_for(utterance.language), self._generation, out, done)
            self._pending += 1
        self._jobs.put(job)
        return True

    def stop(self) -> None:
        with self._lock:
            self._generation += 1
            if self._process is not None:
                self._process.kill()

    def set_volume(self, volume: float) -> None:
        with self._lock:
            self._volume = _clamp(volume)

    def reset_volume(self) -> None:
        with self._lock:
            self._volume = None

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until everything queued is spoken or dropped; False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def close(self, timeout: float = 10.0) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self.stop()
        self._jobs.put(None)
        self._thread.join(timeout)
        if self._thread.is_alive():
            log.error("the speech worker did not end within %.0f s", timeout)
        else:
            self._tmp.cleanup()

    def __enter__(self) -> Pyttsx3Speaker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # The worker's side: the only code that touches the engine.

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            try:
                if not self._stale(job):
                    with _ENGINES.engine(self._driver) as engine:
                        self._render(engine, job)
                    self._deliver(job)
                    self._set_state(SpeakerState.IDLE)
            except Exception as e:  # noqa: BLE001 - nothing may end the worker or reach the UI
                self._fail(job, e)
            finally:
                self._finish()

    def _stale(self, job: _Job) -> bool:
        return job.out is None and job.generation != self._generation

    def _wav(self, job: _Job) -> Path:
        return job.out or Path(self._tmp.name) / "utterance.wav"

    def _render(self, engine: _Engine, job: _Job) -> None:
        voice = _voice(self._voices, job.utterance.language)
        engine.render(job.utterance, voice, job.volume, self._wav(job))

    def _deliver(self, job: _Job) -> None:
        wav = self._wav(job)
        seconds = wav_seconds(wav)
        if job.done is not None:
            job.done.set_result(seconds)
        else:
            self._play(job, wav, seconds)

    def _play(self, job: _Job, wav: Path, seconds: float) -> None:
        if not self._player:
            raise SpeakError("no audio player found (install alsa-utils for aplay)")
        with self._lock:
            if self._stale(job):
                return
            self._state = SpeakerState.SPEAKING
            process = self._process = subprocess.Popen(  # noqa: S603 - fixed player, our file
                [*self._player, str(wav)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
            )
        try:
            _, err = process.communicate(timeout=seconds + PLAYER_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            raise SpeakError(f"{self._player[0]} did not finish playing") from None
        finally:
            with self._lock:
                self._process = None
        if process.returncode != 0 and not self._stale(job):
            lines = err.decode(errors="replace").strip().splitlines()
            message = lines[-1] if lines else f"exit status {process.returncode}"
            raise SpeakError(f"{Path(self._player[0]).name} could not play: {message}")

    def _set_state(self, state: SpeakerState) -> None:
        with self._lock:
            self._state = state

    def _fail(self, job: _Job, error: Exception) -> None:
        message = str(error) or type(error).__name__
        if job.done is not None:
            failure = error if isinstance(error, SpeakError) else SpeakError(message)
            job.done.set_exception(failure)
            return
        # The text may hold personal data (names read back): the log names only the language.
        log.warning("could not speak a %s text: %s", job.utterance.language, message)
        with self._lock:
            self._state = SpeakerState.FAILED
            self.last_error = message
        if self._on_failed is not None:
            try:
                self._on_failed(message)
            except Exception:
                log.exception("the on_failed callback failed")

    def _finish(self) -> None:
        with self._idle:
            self._pending -= 1
            self._idle.notify_all()


class _Engines:
    """The process's pyttsx3 engines, one render at a time.

    espeak-ng keeps one voice, rate, volume and audio callback per process, and
    each new pyttsx3 engine resets them: two speakers with their own engines
    would take each other's settings and audio. So a process has one engine per
    driver (per thread on Windows, where SAPI5 objects belong to their thread).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._engines: dict[tuple[str | None, int], _Engine] = {}
        # pyttsx3's clean-up fails once the interpreter has begun tearing modules down.
        atexit.register(self.clear)

    def clear(self) -> None:
        with self._lock:
            self._engines.clear()
            gc.collect()

    @contextmanager
    def engine(self, driver: str | None) -> Iterator[_Engine]:
        thread = threading.get_ident() if sys.platform == "win32" else 0
        with self._lock:
            engine = self._engines.get((driver, thread))
            if engine is None or engine.broken:
                self._engines.pop((driver, thread), None)
                gc.collect()  # the old engine must unhook espeak before a new one hooks it
                engine = self._engines[(driver, thread)] = _Engine(driver)
            yield engine


class _Engine:
    """One pyttsx3 engine; used only under the _Engines lock."""

    def __init__(self, driver: str | None) -> None:
        import pyttsx3

        self._engine: Any = pyttsx3.Engine(driver)
        self.driver = str(self._engine.driver_name)
        self.broken = False
        errors: list[str] = []
        self._errors = errors
        # A closure, not a bound method: a cycle through the engine would delay its
        # clean-up, which unhooks espeak's callback, until a later engine had hooked it.
        self._engine.connect("error", lambda **event: errors.append(str(event.get("exception"))))
        self._voice_ids: dict[str, str] = {}
        if self.driver == "espeak":
            warm_up()

    def render(self, utterance: Utterance, voice: VoiceSettings, volume: float, wav: Path) -> None:
        """Write the utterance to ``wav`` with the language's voice and rate."""
        wav.unlink(missing_ok=True)
        voice_id = voice.voice or self.voice_id(utterance.language)
        if self.driver == "espeak":
            job = {"text": self.prepare(utterance), "voice": voice_id, "rate": voice.rate}
            _render_apart(job | {"volume": volume, "out": str(wav), "driver": self.driver})
            return
        self._errors.clear()
        self._engine.setProperty("voice", voice_id)
        self._engine.setProperty("rate", voice.rate)
        self._engine.setProperty("volume", volume)
        self._engine.save_to_file(self.prepare(utterance), str(wav))
        try:
            self._engine.runAndWait()
        except Exception:
            self.broken = True  # pyttsx3 leaves its loop marked running: unusable
            raise
        if self._errors:
            raise SpeakError(f"{self.driver}: {self._errors[0]}")

    def prepare(self, utterance: Utterance) -> str:
        # Only espeak-ng needs kana; Windows' Japanese voices read kanji themselves.
        if self.driver == "espeak" and _base(utterance.language) == "ja":
            return to_kana(utterance.text)
        return utterance.text

    def voice_id(self, language: str) -> str:
        """An installed voice for the language, else the code itself (espeak takes it)."""
        if language not in self._voice_ids:
            self._voice_ids[language] = self._find_voice(language)
        return self._voice_ids[language]

    def _find_voice(self, language: str) -> str:
        voices = [
            (str(v.id), [str(c) for c in v.languages or []])
            for v in self._engine.getProperty("voices")
        ]
        found = voice_for(language, voices)
        if found is None:
            log.warning("no %s voice found; asking the engine for %r", language, _base(language))
        return found or _base(language)


def voice_for(language: str, voices: Sequence[tuple[str, Sequence[str]]]) -> str | None:
    """The voice for ``language`` among (id, language codes) pairs, or None.

    An exact code or file name wins; else the first voice of the same base language.
    """
    wanted = language.lower().replace("_", "-")
    base = wanted.split("-")[0]
    fallback = None
    for voice_id, codes in voices:
        if voice_id.startswith("mb/"):
            continue  # mbrola voices need packages the kiosk does not install
        normal = [code.lower().replace("_", "-") for code in codes]
        if wanted in normal or voice_id.lower().rsplit("/", 1)[-1] == wanted:
            return voice_id
        if fallback is None and any(code.split("-")[0] == base for code in normal):
            fallback = voice_id
    return fallback


def _render_apart(job: dict[str, object]) -> None:
    """Render in a fresh process (see kiosk/speech/render.py for why)."""
    command = [sys.executable, "-m", "kiosk.speech.render"]
    try:
        done = subprocess.run(  # noqa: S603 - this Python, our module
            command, input=json.dumps(job).encode(), capture_output=True, timeout=RENDER_TIMEOUT
        )
    except subprocess.TimeoutExpired:
        raise SpeakError("the speech engine did not finish in time") from None
    if done.returncode != 0:
        lines = done.stderr.decode(errors="replace").strip().splitlines()
        raise SpeakError(f"espeak: {lines[-1] if lines else 'no audio'}")


_ENGINES = _Engines()
