"""Voices through pyttsx3: espeak-ng on Linux, SAPI5 on Windows (every language but Japanese).

espeak-ng keeps one voice, rate, volume and audio callback per process, and
each new pyttsx3 engine resets them, so the process has one engine per driver
(per thread on Windows, where SAPI5 objects belong to their thread). With
espeak, each phrase is rendered in a fresh process (kiosk/speech/render.py says why).
"""

from __future__ import annotations

import atexit
import gc
import json
import logging
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kiosk.config import VoiceSettings
from kiosk.speech.errors import NoVoiceError, SpeechError
from kiosk.speech.kana import to_kana, warm_up

log = logging.getLogger(__name__)

RENDER_TIMEOUT = 30.0
ESPEAK_PITCH_PER_SEMITONE = 4
"""espeak's pitch runs 0-100 around 50; about four steps make a semitone."""


class Pyttsx3Error(SpeechError):
    code = "speak_failed"


def base_language(language: str) -> str:
    return language.replace("_", "-").split("-")[0].lower()


class Pyttsx3Voice:
    """Renders text to WAV files with the process's pyttsx3 engine."""

    def __init__(self, driver: str | None = None) -> None:
        self._driver = driver

    @property
    def name(self) -> str:
        with _ENGINES.engine(self._driver) as engine:
            return engine.driver

    def voice_name(self, language: str) -> str:
        with _ENGINES.engine(self._driver) as engine:
            return engine.voice_id(language)

    def warm_up(self) -> None:
        with _ENGINES.engine(self._driver):
            pass

    def render(
        self, text: str, language: str, voice: VoiceSettings, volume: float, out: Path
    ) -> None:
        with _ENGINES.engine(self._driver) as engine:
            engine.render(text, language, voice, volume, out)

    def close(self) -> None:
        """The engine is shared by the process; nothing of this voice's own to end."""


class _Engines:
    """The process's pyttsx3 engines, one render at a time."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
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

    def render(
        self, text: str, language: str, voice: VoiceSettings, volume: float, wav: Path
    ) -> None:
        """Write ``text`` to ``wav`` with the language's voice, rate and pitch."""
        wav.unlink(missing_ok=True)
        voice_id = voice.voice or self.voice_id(language)
        if not voice_id:
            raise NoVoiceError(language)
        text = self.prepare(text, language)
        if self.driver == "espeak":
            pitch = round(50 + voice.pitch * ESPEAK_PITCH_PER_SEMITONE)
            job = {"text": text, "voice": voice_id, "rate": voice.rate, "volume": volume}
            _render_apart(job | {"pitch": pitch, "out": str(wav), "driver": self.driver})
            return
        self._errors.clear()
        self._engine.setProperty("voice", voice_id)
        self._engine.setProperty("rate", voice.rate)
        self._engine.setProperty("volume", volume)
        self._engine.save_to_file(text, str(wav))
        try:
            self._engine.runAndWait()
        except Exception:
            self.broken = True  # pyttsx3 leaves its loop marked running: unusable
            raise
        if self._errors:
            raise Pyttsx3Error(f"{self.driver}: {self._errors[0]}")

    def prepare(self, text: str, language: str) -> str:
        # Only espeak-ng needs kana; Windows' Japanese voices read kanji themselves.
        if self.driver == "espeak" and base_language(language) == "ja":
            return to_kana(text)
        return text

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
            log.warning("no installed %s voice (the engine has %d voices)", language, len(voices))
        return found or ""


# Written-language codes whose voices engines list under the spoken language's code:
# espeak-ng's Mandarin voice is "cmn" (written Chinese is "zh"), Filipino is Tagalog-based.
SPOKEN_AS: dict[str, tuple[str, ...]] = {"zh": ("cmn",), "fil": ("tl",)}


def voice_for(language: str, voices: Sequence[tuple[str, Sequence[str]]]) -> str | None:
    """The voice for ``language`` among (id, language codes) pairs, or None.

    An exact code or file name wins; else the first voice of the same base language.
    """
    wanted = language.lower().replace("_", "-")
    bases = {wanted.split("-")[0], *SPOKEN_AS.get(wanted.split("-")[0], ())}
    fallback = None
    for voice_id, codes in voices:
        if voice_id.startswith("mb/"):
            continue  # mbrola voices need packages the kiosk does not install
        normal = [code.lower().replace("_", "-") for code in codes]
        if wanted in normal or voice_id.lower().rsplit("/", 1)[-1] == wanted:
            return voice_id
        if fallback is None and any(code.split("-")[0] in bases for code in normal):
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
        raise Pyttsx3Error("the speech engine did not finish in time") from None
    if done.returncode != 0:
        lines = done.stderr.decode(errors="replace").strip().splitlines()
        raise Pyttsx3Error(f"espeak: {lines[-1] if lines else 'no audio'}")


_ENGINES = _Engines()
