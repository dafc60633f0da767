"""The ``ward-kiosk`` command: run the kiosk, and the tools IT uses around it.

One module per command group (``kiosk/cli/<group>.py``) holds only the click layer;
what a command does lives in the core modules. Options every command shares are in
``kiosk/cli/common.py``.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import click


class KioskGroup(click.Group):
    """The command group; a ward's broken catalog or translation file is an error message
    naming the file, from whichever command reads it, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        from kiosk.catalog import CatalogError
        from kiosk.extras import describe_missing, missing_extra
        from kiosk.i18n import TranslationError
        from kiosk.resources import ResourcesNotFound

        try:
            return super().invoke(ctx)
        except (CatalogError, TranslationError, ResourcesNotFound) as e:
            raise click.ClickException(str(e)) from None
        except ModuleNotFoundError as e:  # a library of a role this PC was not set up for
            if missing_extra(e) is None:
                raise
            raise click.ClickException(describe_missing(e)) from None


@click.group(cls=KioskGroup)
@click.version_option(package_name="ward-kiosk")
def main() -> None:
    """Self-service counter kiosk for ward offices."""
    logging.basicConfig(
        level=os.environ.get("WARD_KIOSK_LOG_LEVEL", "INFO").upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)


def _mount_commands() -> None:
    from kiosk.cli.about import about
    from kiosk.cli.audit import audit
    from kiosk.cli.backup import backup, restore
    from kiosk.cli.board import board
    from kiosk.cli.card import card
    from kiosk.cli.config import config
    from kiosk.cli.counter import counter
    from kiosk.cli.data import data
    from kiosk.cli.db import db
    from kiosk.cli.doctor import doctor
    from kiosk.cli.forms import forms
    from kiosk.cli.key import key
    from kiosk.cli.models import models
    from kiosk.cli.printing import print_group
    from kiosk.cli.queue import queue
    from kiosk.cli.run import run
    from kiosk.cli.speech import speech
    from kiosk.cli.staff import staff
    from kiosk.cli.stats import stats

    for command in (
        about,
        audit,
        backup,
        board,
        card,
        config,
        counter,
        data,
        db,
        doctor,
        forms,
        key,
        models,
        print_group,
        queue,
        restore,
        run,
        speech,
        staff,
        stats,
    ):
        main.add_command(command)


_mount_commands()
