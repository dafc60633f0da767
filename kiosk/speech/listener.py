"""Listening for a screen's answer: models loaded in the background, one source per answer."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from kiosk.config import Settings
from kiosk.speech.audio import AudioSource, MicrophoneSource
from kiosk.speech.errors import ModelError
from kiosk.speech.grammar import all_phrases
from kiosk.speech.models import load_model, model_sources
from kiosk.speech.recognizer import Recognition, SpeechRecognizer, missing_words, never

log = logging.getLogger(__name__)

SourceFactory = Callable[[], AudioSource]


class Listener:
    """Hears one answer among given choices, in languages that have a speech model.

    ``load_all()`` loads every configured model (seconds each): run it on a worker
    at start. Until a language's model is loaded, ``available`` says False and the
    Speak button stays hidden. ``source`` makes the audio source for each answer:
    the microphone in the kiosk, WAV files in tests.
    """

    def __init__(self, settings: Settings, source: SourceFactory = MicrophoneSource) -> None:
        self._paths = {lang: path for lang, (path, _kind) in model_sources(settings).items()}
        self._source = source
        self._recognizers: dict[str, SpeechRecognizer] = {}
        self._lock = threading.Lock()

    @property
    def languages(self) -> list[str]:
        """Languages that have a model (loaded or not)."""
        return sorted(self._paths)

    def load_all(self) -> dict[str, str]:
        """Load every model; returns the languages that failed, with their error codes."""
        failed = {}
        for language in self.languages:
            try:
                self._load(language)
            except ModelError as e:
                log.warning("speech model for %s not loaded: %s", language, e)
                failed[language] = e.code
        return failed

    def available(self, language: str) -> bool:
        with self._lock:
            return language in self._recognizers

    def listen(
        self,
        language: str,
        choices: Mapping[str, Sequence[str]],
        stop: Callable[[], bool] = never,
    ) -> Recognition:
        """Blocking: open the source, hear one utterance, match it to a choice or reject it.

        ``stop()`` is asked between audio chunks; when it turns true (the screen
        changed) listening ends at once, with no choice.
        """
        recognizer = self._recognizer(language)
        return recognizer.for_choices(choices).recognize(self._source(), stop)

    def _recognizer(self, language: str) -> SpeechRecognizer:
        with self._lock:
            recognizer = self._recognizers.get(language)
        if recognizer is None:
            raise ModelError(f"no speech model loaded for {language!r}", "model_missing")
        return recognizer

    def _load(self, language: str) -> None:
        model: Any = load_model(self._paths[language])
        missing = sorted(missing_words(model, all_phrases(language)))
        if missing:
            log.warning(
                "the %s speech model lacks the words %s of speech.toml; they cannot be heard"
                " (see ward-kiosk doctor)",
                language,
                " ".join(missing),
            )
        with self._lock:
            self._recognizers[language] = SpeechRecognizer(model, language)
