"""``ward-kiosk counter``: the app counter staff call visitors and see their records with."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kiosk.cli.common import config_option, settings_from
from kiosk.config import ConfigError


@click.command("counter")
@config_option
@click.option("--windowed", is_flag=True, help="A 1366x768 window instead of full screen.")
def counter(config_file: Path | None, windowed: bool) -> None:
    """Sign in, call tickets, open visitors' records; supervisors manage the office."""
    from kiosk.context import KioskContext
    from kiosk.storage import StorageError

    try:
        context = KioskContext.load(settings=settings_from(config_file))
        from kiosk.counter import check_settings

        check_settings(context)
    except ConfigError as e:
        raise click.ClickException(str(e)) from None
    from kiosk.ui.counter.app import run_counter

    try:
        code = run_counter(context, windowed=windowed)
    except StorageError as e:
        raise click.ClickException(str(e)) from None
    sys.exit(code)
