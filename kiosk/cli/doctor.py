"""``ward-kiosk doctor``: the health check IT runs on a kiosk PC after installing it."""

from __future__ import annotations

from pathlib import Path

import click

from kiosk.cli.common import config_option
from kiosk.doctor import render_json, render_table, run_checks


@click.command(name="doctor")
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead of a table.")
@click.option(
    "--no-speech", is_flag=True, help="Skip loading the speech models (seconds per model)."
)
@click.option(
    "--production",
    is_flag=True,
    help="Also check the rules for a kiosk visitors use (docs/operations.md); each is an error.",
)
def doctor(config_file: Path | None, as_json: bool, no_speech: bool, production: bool) -> None:
    """Check this kiosk PC: settings, database, card reader, printers, speech, read-aloud.

    Exits 1 when any check is an error; warnings alone exit 0.
    """
    checks = run_checks(config_file, speech=not no_speech, production=production)
    click.echo(render_json(checks) if as_json else render_table(checks))
    if any(c.status == "error" for c in checks):
        raise SystemExit(1)
