"""Options every ``ward-kiosk`` command shares, and who runs it (for the access log)."""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from kiosk.config import ConfigError, Settings, load_settings
from kiosk.resources import use_ward_dir

if TYPE_CHECKING:
    from kiosk.context import KioskContext

F = TypeVar("F", bound=Callable[..., Any])
ACTOR_MAX = 100  # kiosk.storage.models.ACTOR_MAX, without loading SQLAlchemy


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
    """The settings, the ward's resources folder taken from them; a bad one is a message."""
    try:
        settings = load_settings(config_file)
    except ConfigError as e:
        raise click.ClickException(str(e)) from None
    use_ward_dir(settings.kiosk.resources_dir)
    return settings


def load_context(settings: Settings) -> KioskContext:
    """Catalog and translations for ``settings``; a bad file is a message, not a traceback."""
    from kiosk.catalog import CatalogError
    from kiosk.context import KioskContext
    from kiosk.i18n import TranslationError

    try:
        return KioskContext.load(settings=settings)
    except (ConfigError, CatalogError, TranslationError) as e:
        raise click.ClickException(str(e)) from None


def os_account() -> str:
    """The operating-system account running this process, from the system's user database.

    Not ``$LOGNAME`` or ``$USER``: anyone can set those. On Windows the logged-in
    account (GetUserNameW), else what ``getpass`` finds.
    """
    if sys.platform == "win32":
        try:
            return os.getlogin()
        except OSError:
            return getpass.getuser()
    import pwd

    uid = os.getuid()
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:  # a uid without a passwd entry (containers)
        return f"uid={uid}"


def cli_actor() -> str:
    """The access log's actor for a command-line action: ``cli:<OS account>``."""
    return f"cli:{os_account()}"[:ACTOR_MAX]


def iso_date(ctx: click.Context, param: click.Parameter, value: str) -> date:
    """A click callback: ``value`` as a date written YYYY-MM-DD."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a date; write it as YYYY-MM-DD, e.g. 2024-04-01"
        ) from None


def export_period_options(command: F) -> F:
    """``--from DAY --to DAY --out FILE.csv``, as every CSV export takes them."""
    options = [
        click.option(
            "--from", "first", required=True, callback=iso_date, help="First day, YYYY-MM-DD."
        ),
        click.option("--to", "last", required=True, callback=iso_date, help="Last day (included)."),
        click.option(
            "--out",
            required=True,
            type=click.Path(dir_okay=False, writable=True, path_type=Path),
            help="CSV file to write (UTF-8 with BOM); replaced if it exists.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command
