"""``speech say`` and ``speech voices``: the kiosk's voices from the command line."""

from __future__ import annotations

import json
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import click

from kiosk.cli_common import config_option, settings_from
from kiosk.config import SpeechSettings
from kiosk.i18n import TranslationError, Translations
from kiosk.speech.errors import SpeechError
from kiosk.speech.speaker import KioskSpeaker
from kiosk.speech.tts import SpeakError, wav_seconds
from kiosk.speech.voices import Voices

# Longer than any text anyone types on a command line takes to speak.
SPEAK_TIMEOUT_SECONDS = 600.0
TEST_PHRASE_KEY = "voice.test_phrase"


@click.command(name="say")
@click.option("--lang", "language", default="ja", show_default=True, help="Language code.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help="Write a WAV file instead of playing (works without a sound card).",
)
@config_option
@click.argument("text")
def say(language: str, out: Path | None, config_file: Path | None, text: str) -> None:
    """Speak TEXT as the kiosk would, with the voice, rate, pitch and volume configured."""
    settings = settings_from(config_file)
    failures: list[str] = []
    with KioskSpeaker(settings.speech, on_failed=failures.append) as speaker:
        if out is not None:
            try:
                seconds = speaker.save(text, language, out, timeout=SPEAK_TIMEOUT_SECONDS)
            except (SpeakError, TimeoutError) as e:
                raise click.ClickException(f"could not write {out}: {e}") from None
            click.echo(json.dumps({"file": str(out), "seconds": round(seconds, 2)}))
            return
        speaker.say(text, language)
        if not speaker.wait_idle(SPEAK_TIMEOUT_SECONDS):
            raise click.ClickException("speaking did not finish")
    if failures:
        raise click.ClickException(f"could not speak: {failures[0]}")


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
        wav = folder / f"{language}.wav"
        text = Translations.load(language).text(TEST_PHRASE_KEY)
        engine.render(text, language, voices.voice(language), voices.voice(language).volume, wav)
        seconds = wav_seconds(wav)
    except (SpeechError, TranslationError, KeyError, OSError) as e:
        return VoiceReport(language, engine_name, voice_name, False, None, str(e) or repr(e))
    return VoiceReport(language, engine_name, voice_name, True, round(seconds, 2))


@click.command(name="voices")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@config_option
def voices(as_json: bool, config_file: Path | None) -> None:
    """Each offered language's engine and voice, and whether it renders a test phrase now.

    Exits 1 when any offered language cannot be spoken.
    """
    settings = settings_from(config_file)
    reports = voice_reports(settings.speech, list(settings.kiosk.languages))
    if as_json:
        click.echo(json.dumps([asdict(r) for r in reports], ensure_ascii=False, indent=2))
    else:
        for r in reports:
            state = f"ok ({r.seconds} s)" if r.works else f"FAILS: {r.error}"
            click.echo(f"{r.language:<6} {r.engine:<10} {r.voice:<24} {state}")
    if not all(r.works for r in reports):
        raise SystemExit(1)
