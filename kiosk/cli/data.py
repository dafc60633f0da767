"""``ward-kiosk data``: stored visits and personal data."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import click

from kiosk.cli.common import config_option, settings_from


@click.group("data")
def data() -> None:
    """Stored visits and personal data."""


@data.command("purge")
@config_option
@click.option("--days", type=int, default=None, help="Override the retention period.")
def data_purge(config_file: Path | None, days: int | None) -> None:
    """Delete card data of visits, and printed PDFs, older than the retention period."""
    from kiosk.printing import purge_printed
    from kiosk.storage import StorageError
    from kiosk.ward_keys import open_store

    settings = settings_from(config_file)
    keep = settings.kiosk.personal_data_retention_days if days is None else days
    pdfs = purge_printed(settings.output_dir(), timedelta(days=keep))
    try:
        store = open_store(settings, "board")  # deleting needs no key
        try:
            count = store.purge_personal_data(timedelta(days=keep))
        finally:
            store.close()
    except StorageError as e:
        raise click.ClickException(str(e)) from None
    click.echo(json.dumps({"purged_visits": count, "purged_pdfs": pdfs, "retention_days": keep}))
