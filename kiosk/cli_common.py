"""Options every ``ward-kiosk`` command shares."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from kiosk.config import ConfigError, Settings, load_settings

F = TypeVar("F", bound=Callable[..., Any])


def config_option(fn: F) -> F:
    """``--config FILE`` for every command (also ``$WARD_KIOSK_CONFIG``)."""
    return click.option(
        "--config",
        "config_file",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Settings file (TOML). Default: $WARD_KIOSK_CONFIG, then the user's config dir.",
    )(fn)


def settings_from(config_file: Path | None) -> Settings:
    try:
        return load_settings(config_file)
    except ConfigError as e:
        raise click.ClickException(str(e)) from None
