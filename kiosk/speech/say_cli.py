"""``say``: read a text aloud with the kiosk's voices, or write it to a WAV file."""

from __future__ import annotations

import json
from pathlib import Path

import click

from kiosk.cli_common import config_option, settings_from
from kiosk.speech.tts import Pyttsx3Speaker, SpeakError

# Longer than any text anyone types on a command line takes to speak.
SPEAK_TIMEOUT_SECONDS = 600.0


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
    """Speak TEXT as the kiosk would, with the voice, rate and volume configured."""
    settings = settings_from(config_file)
    failures: list[str] = []
    with Pyttsx3Speaker(settings.speech, on_failed=failures.append) as speaker:
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
