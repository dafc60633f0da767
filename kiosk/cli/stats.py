"""``ward-kiosk stats``: anonymous statistics for policy, as one CSV of aggregates."""

from __future__ import annotations

import json
import os
from datetime import date, datetime, tzinfo
from pathlib import Path

import click

from kiosk.cli.common import config_option, export_period_options, settings_from


def _zone(ctx: click.Context, param: click.Parameter, value: str | None) -> tzinfo | None:
    if not value:
        return None
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise click.BadParameter(
            f"{value!r} is not a known time zone; use an IANA name such as Asia/Tokyo"
        ) from None


@click.group("stats")
def stats() -> None:
    """Anonymous statistics (aggregates only, small groups suppressed)."""


@stats.command("export")
@config_option
@export_period_options
@click.option(
    "--tz",
    "zone",
    default=None,
    callback=_zone,
    help="Time zone of the days and hours (IANA name). Default: this machine's.",
)
def export(
    config_file: Path | None, first: date, last: date, out: Path, zone: tzinfo | None
) -> None:
    """Per day and hour: tickets per category, waits, services, no-shows, and visits by
    outcome, card use and language. Days are inclusive, in the ward's local time."""
    from kiosk.db_settings import database_target
    from kiosk.stats import (
        MIN_COUNT,
        local_range,
        ticket_cells,
        visit_cells,
        write_csv,
    )
    from kiosk.storage import StorageError, create_kiosk_engine
    from kiosk.storage.schema import prepare_schema
    from kiosk.storage.stats_queries import ticket_facts, visit_facts

    if last < first:
        raise click.BadParameter(f"--to {last} is before --from {first}", param_hint="--to")
    settings = settings_from(config_file)
    start, end = local_range(first, last, zone)
    try:
        target = database_target(settings, "counter")
        engine = create_kiosk_engine(target)
        try:
            # SQLite migrates (unless migrate_at_start is off); PostgreSQL must be current
            prepare_schema(engine, "counter", migrate_sqlite=target.migrate_sqlite)
            tickets = ticket_cells(ticket_facts(engine, start, end), zone)
            visits = visit_cells(visit_facts(engine, start, end), zone)
        finally:
            engine.dispose()
    except StorageError as e:
        raise click.ClickException(str(e)) from None
    zone_name = str(zone) if zone is not None else _local_zone_name()
    languages = settings.kiosk.languages
    comments = [
        f"ward-kiosk stats export: {first} to {last} inclusive, days and hours in {zone_name}",
        f"aggregates only; counts from 1 to {MIN_COUNT - 1} and breakdowns holding one are "
        f"written as x; times in minutes (median, p90 = PERCENTILE.INC 0.9)",
        "not recorded: the step at which a visit was left (only that it was abandoned)",
    ]
    tmp = out.with_name(out.name + ".tmp")
    try:
        with tmp.open("w", encoding="utf-8-sig", newline="") as f:
            write_csv(f, tickets, visits, languages=languages, comments=comments)
        os.replace(tmp, out)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise click.ClickException(f"cannot write {out}: {e.strerror or e}") from None
    click.echo(
        json.dumps(
            {
                "out": str(out),
                "from": first.isoformat(),
                "to": last.isoformat(),
                "time_zone": zone_name,
                "ticket_rows": len(tickets),
                "visit_rows": len(visits),
            },
            ensure_ascii=False,
        )
    )


def _local_zone_name() -> str:
    now = datetime.now().astimezone()
    return f"this machine's local time ({now.tzname()}, UTC{now.strftime('%z')})"
