"""Whether each offered language's voice speaks now: ``speech voices`` and ``doctor``."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from kiosk.config import SpeechSettings
from kiosk.i18n import TranslationError, Translations
from kiosk.speech.errors import NoVoiceError, SpeechError
from kiosk.speech.tts import wav_seconds
from kiosk.speech.voices import Voices

TEST_PHRASE_KEY = "voice.test_phrase"


@dataclass(frozen=True)
class VoiceReport:
    """One offered language's voice, and whether it speaks right now."""

    language: str
    engine: str
    voice: str
    works: bool
    seconds: float | None
    """Length of the test phrase as rendered; None when it was not."""
    error: str | None = None
    missing: bool = False
    """No installed voice speaks the language: the kiosk shows its texts only."""

    @property
    def state(self) -> str:
        if self.works:
            return f"ok ({self.seconds} s)"
        if self.missing:
            return "MISSING: no voice for this language here; the kiosk shows text only"
        return f"FAILS: {self.error}"


def voice_reports(settings: SpeechSettings, languages: list[str]) -> list[VoiceReport]:
    """Render each language's test phrase with the engine the kiosk would use."""
    voices = Voices(settings)
    try:
        with tempfile.TemporaryDirectory(prefix="ward-kiosk-voices-") as tmp:
            return [_report(voices, language, Path(tmp)) for language in languages]
    finally:
        voices.close()


def _report(voices: Voices, language: str, folder: Path) -> VoiceReport:
    engine_name, voice_name = "?", "?"
    try:
        engine = voices.engine(language)
        engine_name, voice_name = engine.name, engine.voice_name(language)
        if not voice_name:
            raise NoVoiceError(language)
        wav = folder / f"{language}.wav"
        text = Translations.load(language).text(TEST_PHRASE_KEY)
        engine.render(text, language, voices.voice(language), voices.voice(language).volume, wav)
        seconds = wav_seconds(wav)
    except (SpeechError, TranslationError, KeyError, OSError) as e:
        missing = isinstance(e, NoVoiceError)
        voice_name = "-" if missing else voice_name
        error = str(e) or repr(e)
        return VoiceReport(language, engine_name, voice_name, False, None, error, missing)
    return VoiceReport(language, engine_name, voice_name, True, round(seconds, 2))
