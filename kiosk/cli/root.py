"""The root of ``ward-kiosk``: the group every command hangs on, and its error handling."""

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
