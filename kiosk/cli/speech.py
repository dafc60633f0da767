"""``ward-kiosk speech``: recognition from files, and the kiosk's voices (``say``, ``voices``)."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import click

from kiosk.cli.common import config_option, settings_from
from kiosk.speech.errors import SpeechError
from kiosk.speech.speaker import KioskSpeaker
from kiosk.speech.tts import SpeakError
from kiosk.speech.voice_check import voice_reports

# Longer than any text anyone types on a command line takes to speak.
SPEAK_TIMEOUT_SECONDS = 600.0


@click.group(name="speech")
def speech() -> None:
    """Speech: recognition from files (what the kiosk does with the microphone), the voices."""


@speech.command()
@click.option("--lang", "language", required=True, help="Language code, e.g. ko.")
@click.option("--screen", "screen", default=None, help="Question id whose choices to expect.")
@click.option("--choices", "choices", default=None, help='Choices said as written: "a|b|c".')
@click.argument("wav", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@config_option
def recognize(
    language: str, screen: str | None, choices: str | None, wav: Path, config_file: Path | None
) -> None:
    """Print JSON: the choice taken from WAV, the words, confidence, ms, and the candidate.

    ``choice`` is null unless the answer is taken; ``needs_confirmation`` true means the
    kiosk would ask "Did you say <candidate>?"; both null/false: rejected.
    """
    from kiosk.speech.audio import WavSource
    from kiosk.speech.grammar import screen_choices
    from kiosk.speech.models import load_model, model_path
    from kiosk.speech.recognizer import SpeechRecognizer

    if (screen is None) == (choices is None):
        raise click.UsageError("give exactly one of --screen and --choices")
    if choices is not None:
        options = {c.strip(): [c.strip()] for c in choices.split("|") if c.strip()}
    else:
        options = screen_choices(language, str(screen))
        if not options:
            raise click.ClickException(f"no spoken forms for screen {screen!r} in {language!r}")
    try:
        model = load_model(model_path(settings_from(config_file), language))
        result = SpeechRecognizer(model, language).recognize(WavSource(wav), options)
    except SpeechError as e:
        raise click.ClickException(f"{e.code}: {e}") from None
    click.echo(json.dumps(asdict(result), ensure_ascii=False))


@speech.command()
@click.option("--lang", "language", required=True, help="Language code, e.g. ko.")
@config_option
def check(language: str, config_file: Path | None) -> None:
    """Print JSON: words of the spoken forms that the language's model does not know."""
    from kiosk.speech.grammar import all_phrases
    from kiosk.speech.models import load_model, model_path
    from kiosk.speech.recognizer import missing_words

    phrases = all_phrases(language)
    try:
        model = load_model(model_path(settings_from(config_file), language))
    except SpeechError as e:
        raise click.ClickException(f"{e.code}: {e}") from None
    click.echo(json.dumps(sorted(missing_words(model, phrases)), ensure_ascii=False))


@speech.command(name="say")
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


@speech.command(name="voices")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@config_option
def voices(as_json: bool, config_file: Path | None) -> None:
    """Each offered language's engine and voice, and whether it renders a test phrase now.

    A language no installed voice speaks is listed as MISSING (the kiosk shows its texts
    only). Exits 1 when a voice that is installed fails.
    """
    settings = settings_from(config_file)
    reports = voice_reports(settings.speech, list(settings.kiosk.languages))
    if as_json:
        click.echo(json.dumps([asdict(r) for r in reports], ensure_ascii=False, indent=2))
    else:
        for r in reports:
            click.echo(f"{r.language:<8} {r.engine:<10} {r.voice:<24} {r.state}")
    if not all(r.works or r.missing for r in reports):
        raise SystemExit(1)
