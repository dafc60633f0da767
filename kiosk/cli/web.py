"""``ward-kiosk web``: the residents' web app for phones (docs/web.md)."""

from __future__ import annotations

from pathlib import Path

import click

from kiosk.cli.common import config_option, load_context, settings_from


@click.command("web")
@config_option
@click.option("--host", default=None, help="Address to listen on. Default: [web] host.")
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="Default: [web] port.")
def web(config_file: Path | None, host: str | None, port: int | None) -> None:
    """Serve the web app: prepare at home, follow a ticket, the live waits."""
    from kiosk.storage import StorageError
    from kiosk.web.server import serve

    settings = settings_from(config_file)
    context = load_context(settings)
    try:
        serve(context, host=host, port=port)
    except StorageError as e:
        raise click.ClickException(str(e)) from None
