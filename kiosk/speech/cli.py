"""``speech`` and ``models`` commands, mounted into ``ward-kiosk``."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import click

from kiosk.cli_common import config_option, settings_from
from kiosk.speech.errors import SpeechError


@click.group(name="speech")
def speech() -> None:
    """Speech recognition from files (what the kiosk does with the microphone)."""


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


@click.group(name="models")
def models() -> None:
    """Speech models: list them, install one from a zip file."""


@models.command("list")
@click.option("--no-load", is_flag=True, help="Do not try loading each model (fast).")
@config_option
def models_list(no_load: bool, config_file: Path | None) -> None:
    """Print JSON: each language's model, where it is, whether it loads, what it was verified as."""
    from kiosk.speech.manifests import verified_as
    from kiosk.speech.models import load_model, model_sources

    report = {}
    for language, (path, source) in model_sources(settings_from(config_file)).items():
        entry: dict[str, object] = {"path": str(path), "source": source, "loads": None}
        entry["verified"] = verified_as(path)
        if not no_load:
            try:
                load_model(path)
                entry["loads"] = True
            except SpeechError as e:
                entry |= {"loads": False, "error": e.code}
        report[language] = entry
    click.echo(json.dumps(report, ensure_ascii=False, indent=2))


@models.command("install")
@click.option("--lang", "language", required=True, help="Language code, e.g. ko or pt-BR.")
@click.option(
    "--sha256",
    default=None,
    help="SHA-256 of the zip (64 hex digits); needed unless a manifest knows the model.",
)
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@config_option
def models_install(
    language: str, sha256: str | None, archive: Path, config_file: Path | None
) -> None:
    """Check a Vosk model zip and unpack it to <model_dir>/<lang> (nothing is downloaded).

    An official model known to a manifest must have exactly its files and checksums;
    any other needs --sha256. The zip and its files unpacked may be at most
    speech.model_max_mb. Nothing on disk changes when a check fails.
    """
    from kiosk.speech.models import MIB, install_model

    settings = settings_from(config_file)
    model_dir, max_bytes = settings.speech_model_dir(), settings.speech.model_max_mb * MIB
    try:
        installed = install_model(archive, language, model_dir, sha256, max_bytes=max_bytes)
    except SpeechError as e:
        raise click.ClickException(f"{e.code}: {e}") from None
    report = {"language": language, "path": str(installed.path), "verified": installed.verified}
    click.echo(json.dumps(report, ensure_ascii=False))
