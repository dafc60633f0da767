"""``ward-kiosk about``: the version, and the licences of the voices, models and fonts."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import click

from kiosk.cli_common import config_option
from kiosk.resources import resource


def about_text() -> str:
    """What staff read under "About": the version and every third-party notice."""
    try:
        installed = version("ward-kiosk")
    except PackageNotFoundError:
        installed = "not installed"
    notices = resource("about", "notices.txt").read_text(encoding="utf-8")
    return f"ward-kiosk {installed}\n\n{notices}"


@click.command(name="about")
@config_option
def about(config_file: Path | None) -> None:
    """Print the version and the licences of the voices, speech models and fonts."""
    click.echo(about_text())
