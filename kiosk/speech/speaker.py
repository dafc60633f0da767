"""The kiosk's speaker: phrases rendered in a worker thread and played as they are ready."""

from __future__ import annotations

import logging
import os
import queue
import subprocess
import tempfile
import threading
import wave
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from kiosk.config import SpeechSettings
from kiosk.speech.errors import NoVoiceError
from kiosk.speech.phrases import phrase_language, split_phrases
from kiosk.speech.tts import (
    PLAYER_GRACE_SECONDS,
    SpeakError,
    SpeakerState,
    Utterance,
    audio_seconds,
    clamp_volume,
    find_player,
    wav_seconds,
)
from kiosk.speech.voices import Voices

log = logging.getLogger(__name__)

AudioCallback = Callable[[Utterance, int], None]
"""Called with the utterance and the phrase's index as each phrase starts playing."""


@dataclass
class _Job:
    utterance: Utterance
    volume: float
    generation: int
    out: Path | None = None
    """Write here instead of playing (``save``); such jobs are not dropped by stop()."""
    done: Future[float] | None = None
    warm_up: bool = False


def memory_folder() -> str | None:
    """A folder in RAM (tmpfs) for rendered speech: the user's runtime folder or /dev/shm.

    None (the system's temporary folder) where neither exists, e.g. on Windows.
    """
    for candidate in (os.environ.get("XDG_RUNTIME_DIR"), "/dev/shm"):  # noqa: S108 - tmpfs
        if candidate and os.path.isdir(candidate) and os.access(candidate, os.W_OK | os.X_OK):
            return candidate
    return None


class KioskSpeaker:
    """Speaks in a worker thread that owns the engines; safe to call from any thread.

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
        on_audio: AudioCallback | None = None,
    ) -> None:
        self._voices = Voices(settings, driver)
        self._player = list(player) if player is not None else find_player()
        self._on_failed = on_failed
        self._on_audio = on_audio
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._jobs: queue.Queue[_Job | None] = queue.Queue()
        self._watchers: list[Callable[[bool], None]] = []
        self._generation = 0
        self._pending = 0
        self._audible = 0  # pending jobs that are more than a warm-up: the watchers' "busy"
        self._process: subprocess.Popen[bytes] | None = None
        self._volume: float | None = None
        self._last: Utterance | None = None
        self._state = SpeakerState.IDLE
        self._missing: set[str] = set()  # languages no installed voice speaks
        self._closed = False
        self.last_error: str | None = None
        # Phrases may hold a visitor's name: rendered in RAM, never on disk.
        self._tmp = tempfile.TemporaryDirectory(prefix="ward-kiosk-tts-", dir=memory_folder())
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
        return self._volume if self._volume is not None else self._voices.voice(language).volume

    def speaks(self, language: str) -> bool:
        with self._lock:
            return language not in self._missing

    def say(self, text: str, language: str) -> None:
        if text.strip():
            self._enqueue(Utterance(text, language))

    def repeat(self) -> None:
        if self._last is not None:
            self._enqueue(self._last)

    def warm_up(self, languages: Sequence[str]) -> None:
        """Start each language's engine in the background, before the first visitor."""
        for language in languages:
            self._enqueue(Utterance("", language), warm_up=True)

    def save(self, text: str, language: str, path: Path, timeout: float = 60.0) -> float:
        """Write ``text`` as a WAV file instead of playing it; returns its length in seconds.

        Blocks until written (for the command line, not the UI); SpeakError on failure.
        """
        done: Future[float] = Future()
        if not self._enqueue(Utterance(text, language), out=path, done=done):
            raise SpeakError("the speaker is closed")
        return done.result(timeout)

    def watch(self, callback: Callable[[bool], None]) -> None:
        with self._lock:
            self._watchers.append(callback)

    def _enqueue(
        self,
        utterance: Utterance,
        out: Path | None = None,
        done: Future[float] | None = None,
        *,
        warm_up: bool = False,
    ) -> bool:
        with self._lock:
            if self._closed:
                log.warning("speaker is closed; not saying a %s text", utterance.language)
                return False
            if out is None and not warm_up:
                self._last = utterance
            volume = self._volume_for(utterance.language)
            job = _Job(utterance, volume, self._generation, out, done, warm_up)
            self._pending += 1
            self._audible += not warm_up
            began = self._audible == 1 and not warm_up
        self._jobs.put(job)
        if began:
            self._notify(True)
        return True

    def stop(self) -> None:
        with self._lock:
            self._generation += 1
            if self._process is not None:
                self._process.kill()

    def set_volume(self, volume: float) -> None:
        with self._lock:
            self._volume = clamp_volume(volume)

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
            self._voices.close()
            self._tmp.cleanup()

    def __enter__(self) -> KioskSpeaker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # The worker's side: the only code that touches the engines.

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            try:
                if job.warm_up:
                    self._warm_up(job.utterance.language)
                elif job.out is not None:
                    self._save(job, job.out)
                elif not self._stale(job):
                    self._speak(job)
                    self._set_state(SpeakerState.IDLE)
            except Exception as e:  # noqa: BLE001 - nothing may end the worker or reach the UI
                self._fail(job, e)
            finally:
                self._finish(job)

    def _warm_up(self, language: str) -> None:
        engine = self._voices.engine(language)
        engine.warm_up()
        if not engine.voice_name(language):
            log.warning("no installed voice speaks %s: its texts are shown, not read", language)
            with self._lock:
                self._missing.add(language)

    def _stale(self, job: _Job) -> bool:
        return job.out is None and job.generation != self._generation

    def _render(self, job: _Job, text: str, wav: Path) -> float:
        """Render one phrase; its seconds, 0 when the engine found nothing to say in it."""
        language = phrase_language(text, job.utterance.language)
        engine = self._voices.engine(language)
        engine.render(text, language, self._voices.voice(language), job.volume, wav)
        return audio_seconds(wav)

    def _speak(self, job: _Job) -> None:
        """Say the utterance; its audio (a name, read into headphones) leaves no file behind."""
        try:
            self._play_phrases(job)
        finally:
            for wav in Path(self._tmp.name).glob("*.wav"):
                wav.unlink(missing_ok=True)

    def _play_phrases(self, job: _Job) -> None:
        """Render each phrase while the one before it plays."""
        if not self._player:
            raise SpeakError("no audio player found (install alsa-utils for aplay)")
        playing: tuple[subprocess.Popen[bytes], float] | None = None
        for index, phrase in enumerate(split_phrases(job.utterance.text, job.utterance.language)):
            wav = Path(self._tmp.name) / f"phrase-{index % 2}.wav"
            seconds = self._render(job, phrase, wav)
            if not seconds:
                continue  # e.g. a lone symbol: nothing to hear
            if playing is not None:
                self._wait(job, *playing)
            started = self._start_player(job, wav)
            if started is None:
                return
            playing = (started, seconds)
            if self._on_audio is not None:
                self._on_audio(job.utterance, index)
        if playing is not None:
            self._wait(job, *playing)

    def _start_player(self, job: _Job, wav: Path) -> subprocess.Popen[bytes] | None:
        assert self._player  # noqa: S101 - checked by _speak
        with self._lock:
            if self._stale(job):
                return None
            self._state = SpeakerState.SPEAKING
            self._process = subprocess.Popen(  # noqa: S603 - fixed player, our file
                [*self._player, str(wav)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
            )
            return self._process

    def _wait(self, job: _Job, process: subprocess.Popen[bytes], seconds: float) -> None:
        assert self._player  # noqa: S101 - checked by _speak
        try:
            _, err = process.communicate(timeout=seconds + PLAYER_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            raise SpeakError(f"{self._player[0]} did not finish playing") from None
        finally:
            with self._lock:
                if self._process is process:
                    self._process = None
        if process.returncode != 0 and not self._stale(job):
            lines = err.decode(errors="replace").strip().splitlines()
            message = lines[-1] if lines else f"exit status {process.returncode}"
            raise SpeakError(f"{Path(self._player[0]).name} could not play: {message}")

    def _save(self, job: _Job, out: Path) -> None:
        """Render every phrase and join them into one WAV file."""
        phrases = split_phrases(job.utterance.text, job.utterance.language)
        if not phrases:
            raise SpeakError("there is nothing to say in that text")
        parts = []
        try:
            for index, phrase in enumerate(phrases):
                wav = Path(self._tmp.name) / f"save-{index}.wav"
                if self._render(job, phrase, wav):
                    parts.append(wav)
            if not parts:
                raise SpeakError("the engine made no sound of that text")
            seconds = join_wavs(parts, out)
        finally:
            for wav in Path(self._tmp.name).glob("save-*.wav"):
                wav.unlink(missing_ok=True)
        assert job.done is not None  # noqa: S101 - save() always gives one
        job.done.set_result(seconds)

    def _set_state(self, state: SpeakerState) -> None:
        with self._lock:
            self._state = state

    def _fail(self, job: _Job, error: Exception) -> None:
        message = str(error) or type(error).__name__
        if isinstance(error, NoVoiceError):
            with self._lock:
                self._missing.add(error.language)
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

    def _finish(self, job: _Job) -> None:
        with self._idle:
            self._pending -= 1
            self._audible -= not job.warm_up
            ended = self._audible == 0 and not job.warm_up
            self._idle.notify_all()
        if ended:
            self._notify(False)

    def _notify(self, busy: bool) -> None:
        with self._lock:
            watchers = list(self._watchers)
        for callback in watchers:
            try:
                callback(busy)
            except Exception:
                log.exception("a speech watcher failed")


def join_wavs(parts: Sequence[Path], out: Path) -> float:
    """Write the 16-bit mono WAV files ``parts`` one after another to ``out``; its seconds.

    Phrases said by different engines come at different rates: each is resampled
    to the first one's.
    """
    with wave.open(str(parts[0]), "rb") as first:
        params = first.getparams()
    with wave.open(str(out), "wb") as joined:
        joined.setparams(params)
        for part in parts:
            with wave.open(str(part), "rb") as f:
                frames = f.readframes(f.getnframes())
                if f.getframerate() != params.framerate:
                    frames = resample(frames, f.getframerate(), params.framerate)
            joined.writeframes(frames)
    return wav_seconds(out)


def resample(frames: bytes, rate: int, target: int) -> bytes:
    """16-bit mono samples at ``rate`` as samples at ``target`` (linear interpolation)."""
    import numpy as np

    samples = np.frombuffer(frames, dtype="<i2").astype(np.float64)
    count = round(len(samples) * target / rate)
    positions = np.linspace(0, len(samples) - 1, count)
    resampled = np.interp(positions, np.arange(len(samples)), samples)
    return bytes(np.round(resampled).astype("<i2").tobytes())
