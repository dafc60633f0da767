"""Which engine speaks which language, with which settings.

Japanese is spoken by Open JTalk where it is installed (``openjtalk.py``); every
other language, and Japanese where Open JTalk is missing, by pyttsx3
(``pyttsx3_voice.py``: SAPI5 on Windows, espeak-ng elsewhere).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from kiosk.config import SpeechSettings, VoiceSettings
from kiosk.speech import openjtalk
from kiosk.speech.pyttsx3_voice import Pyttsx3Voice, base_language

DEFAULT_VOICE = VoiceSettings()


class VoiceEngine(Protocol):
    """Turns text into a WAV file. Blocking: the speaker calls it from its worker thread."""

    @property
    def name(self) -> str:
        """The engine, e.g. "openjtalk", "espeak", "sapi5"."""

    def voice_name(self, language: str) -> str:
        """The voice it speaks ``language`` with."""

    def warm_up(self) -> None:
        """Load what the first render would otherwise wait for."""

    def render(
        self, text: str, language: str, voice: VoiceSettings, volume: float, out: Path
    ) -> None:
        """Write ``text`` to ``out`` (16-bit mono WAV); SpeechError when it cannot."""

    def close(self) -> None:
        """End any process the engine runs."""


def voice_settings(settings: SpeechSettings, language: str) -> VoiceSettings:
    return voice_in(settings.voices, language)


def voice_in(voices: Mapping[str, VoiceSettings], language: str) -> VoiceSettings:
    """The settings for ``language`` ("ja-JP" falls back to "ja"), else the defaults."""
    return voices.get(language) or voices.get(base_language(language)) or DEFAULT_VOICE


def engine_name_for(settings: SpeechSettings, language: str) -> str:
    """ "openjtalk" or "pyttsx3": the engine configured (or chosen by "auto") for ``language``."""
    wanted = voice_settings(settings, language).engine
    if wanted != "auto":
        return wanted
    japanese = base_language(language) == "ja"
    return "openjtalk" if japanese and openjtalk.available() else "pyttsx3"


class Voices:
    """The engines of one speaker, made on first use and closed with it."""

    def __init__(self, settings: SpeechSettings | None = None, driver: str | None = None) -> None:
        self.settings = settings or SpeechSettings()
        self._driver = driver
        self._lock = threading.Lock()
        self._engines: dict[str, VoiceEngine] = {}

    def voice(self, language: str) -> VoiceSettings:
        return voice_settings(self.settings, language)

    def engine(self, language: str) -> VoiceEngine:
        name = engine_name_for(self.settings, language)
        with self._lock:
            engine = self._engines.get(name)
            if engine is None:
                engine = self._engines[name] = self._make(name)
            return engine

    def _make(self, name: str) -> VoiceEngine:
        if name == "openjtalk":
            return openjtalk.OpenJTalkEngine()
        return Pyttsx3Voice(self._driver)

    def close(self) -> None:
        with self._lock:
            engines, self._engines = list(self._engines.values()), {}
        for engine in engines:
            engine.close()
