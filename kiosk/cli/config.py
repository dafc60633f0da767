"""``ward-kiosk config``: check the settings."""

from __future__ import annotations

import json
from pathlib import Path

import click

from kiosk.cli.common import config_option, load_context, settings_from


@click.group("config")
def config() -> None:
    """Check the settings."""


@config.command("show")
@config_option
def config_show(config_file: Path | None) -> None:
    """Validate the settings and print them as JSON (defaults filled in)."""
    settings = settings_from(config_file)
    load_context(settings)
    from kiosk.db_settings import settings_for_display

    shown = settings_for_display(settings)  # database passwords as ***
    click.echo(json.dumps(shown, ensure_ascii=False, indent=2))
