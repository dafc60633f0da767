"""``ward-kiosk board``: the waiting-room display of the numbers being called."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kiosk.cli.common import config_option, settings_from
from kiosk.config import ConfigError


@click.command("board")
@config_option
@click.option("--windowed", is_flag=True, help="A 1920x1080 window instead of full screen.")
@click.option("--silent", is_flag=True, help="No chime and no spoken calls.")
def board(config_file: Path | None, windowed: bool, silent: bool) -> None:
    """Show the waiting-room board: numbers being called, called before, waiting counts."""
    from kiosk.context import KioskContext
    from kiosk.storage import StorageError

    try:
        context = KioskContext.load(settings=settings_from(config_file))
    except ConfigError as e:
        raise click.ClickException(str(e)) from None
    from kiosk.ui.board.app import run_board

    try:
        code = run_board(context, windowed=windowed, silent=silent)
    except StorageError as e:
        raise click.ClickException(str(e)) from None
    sys.exit(code)
