"""``ward-kiosk about``: the version, and the licences of the voices, models and fonts."""

from __future__ import annotations

from pathlib import Path

import click

from kiosk.about import about_text
from kiosk.cli.common import config_option


@click.command(name="about")
@config_option
def about(config_file: Path | None) -> None:
    """Print the version and the licences of the voices, speech models and fonts."""
    click.echo(about_text())
