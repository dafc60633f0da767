"""``ward-kiosk models``: the speech models, listed and installed from a zip file."""

from __future__ import annotations

import json
from pathlib import Path

import click

from kiosk.cli.common import config_option, settings_from
from kiosk.speech.errors import SpeechError


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
