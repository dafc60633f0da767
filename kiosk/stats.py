"""Anonymous statistics for policy (EBPM): pure aggregation over plain rows.

Input rows hold only what the statistics need (no reference, no ticket number or code,
no card data); :mod:`kiosk.storage.stats_queries` reads them. The output is one table of
aggregates per local (day, hour) and, for tickets, per category; small groups are
suppressed (see :data:`MIN_COUNT` and docs/stats.md). No Qt, no database.
"""

from __future__ import annotations

import csv
import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import TextIO

MIN_COUNT = 3
"""Counts from 1 to MIN_COUNT - 1 are never published: such cells are written as ``x``."""

SUPPRESSED = "x"  # as in Japanese official statistics (秘匿)

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A cell starting with one of these is taken for a formula by spreadsheets (OWASP: CSV
injection); :func:`safe_cell` writes it with a leading single quote."""


@dataclass(frozen=True)
class TicketFacts:
    """One ticket, reduced to what the statistics use. Datetimes are timezone-aware."""

    category: str
    status: str
    issued_at: datetime
    first_called_at: datetime | None
    serving_at: datetime | None
    done_at: datetime | None


@dataclass(frozen=True)
class VisitFacts:
    """One visit at the kiosk, reduced to what the statistics use."""

    started_at: datetime
    language: str
    used_card: bool
    used_voice: bool
    status: str  # in_progress / completed / abandoned


@dataclass(frozen=True)
class TicketCell:
    """Tickets issued in one local (day, hour) in one category."""

    day: date
    hour: int
    category: str
    issued: int
    done: int
    no_show: int
    transferred: int
    open: int  # waiting, called or serving at export time (or cancelled)
    wait_seconds: tuple[float, ...]  # first call - issue, of the tickets called
    service_seconds: tuple[float, ...]  # done - serving start, of the tickets done


@dataclass(frozen=True)
class VisitCell:
    """Visits started at the kiosk in one local (day, hour)."""

    day: date
    hour: int
    visits: int
    completed: int
    abandoned: int
    in_progress: int
    with_card: int
    without_card: int
    with_voice: int
    languages: tuple[tuple[str, int], ...]  # (language code, visits), codes sorted


def local_range(first: date, last: date, zone: tzinfo | None) -> tuple[datetime, datetime]:
    """UTC bounds ``[start, end)`` of the local days ``first`` to ``last`` inclusive.

    ``zone`` None means the machine's local time zone (as ``service_day`` uses).
    """
    if last < first:
        raise ValueError(f"the range ends ({last}) before it starts ({first})")
    start = _midnight(first, zone)
    end = _midnight(last + timedelta(days=1), zone)
    return start, end


def _midnight(day: date, zone: tzinfo | None) -> datetime:
    naive = datetime.combine(day, time(0))
    local = naive.replace(tzinfo=zone) if zone is not None else naive.astimezone()
    return local.astimezone(UTC)


def p90(values: Sequence[float]) -> float:
    """90th percentile, linear interpolation between closest ranks ("inclusive").

    With the values sorted ``v[0] <= ... <= v[n-1]``: the point at rank
    ``0.9 * (n - 1)`` with linear interpolation between its neighbours; the same as
    Excel's ``PERCENTILE.INC(range, 0.9)`` and NumPy's default. One value is its own p90.
    """
    if not values:
        raise ValueError("p90 of no values")
    if len(values) == 1:
        return float(values[0])
    return statistics.quantiles(values, n=10, method="inclusive")[8]


def ticket_cells(tickets: Iterable[TicketFacts], zone: tzinfo | None) -> list[TicketCell]:
    """Tickets grouped by the local day and hour of issue, then category."""
    groups: dict[tuple[date, int, str], list[TicketFacts]] = {}
    for t in tickets:
        local = t.issued_at.astimezone(zone)
        groups.setdefault((local.date(), local.hour, t.category), []).append(t)
    cells = []
    for (day, hour, category), rows in sorted(groups.items()):
        statuses = [t.status for t in rows]
        cells.append(
            TicketCell(
                day=day,
                hour=hour,
                category=category,
                issued=len(rows),
                done=statuses.count("done"),
                no_show=statuses.count("no_show"),
                transferred=statuses.count("transferred"),
                open=sum(s not in ("done", "no_show", "transferred") for s in statuses),
                wait_seconds=tuple(
                    (t.first_called_at - t.issued_at).total_seconds()
                    for t in rows
                    if t.first_called_at is not None
                ),
                service_seconds=tuple(
                    (t.done_at - t.serving_at).total_seconds()
                    for t in rows
                    if t.status == "done" and t.serving_at is not None and t.done_at is not None
                ),
            )
        )
    return cells


def visit_cells(visits: Iterable[VisitFacts], zone: tzinfo | None) -> list[VisitCell]:
    """Visits grouped by the local day and hour they started."""
    groups: dict[tuple[date, int], list[VisitFacts]] = {}
    for v in visits:
        local = v.started_at.astimezone(zone)
        groups.setdefault((local.date(), local.hour), []).append(v)
    cells = []
    for (day, hour), rows in sorted(groups.items()):
        languages: dict[str, int] = {}
        for v in rows:
            languages[v.language] = languages.get(v.language, 0) + 1
        statuses = [v.status for v in rows]
        with_card = sum(v.used_card for v in rows)
        with_voice = sum(v.used_voice for v in rows)
        cells.append(
            VisitCell(
                day=day,
                hour=hour,
                visits=len(rows),
                completed=statuses.count("completed"),
                abandoned=statuses.count("abandoned"),
                in_progress=statuses.count("in_progress"),
                with_card=with_card,
                without_card=len(rows) - with_card,
                with_voice=with_voice,
                languages=tuple(sorted(languages.items())),
            )
        )
    return cells


# -- the CSV ------------------------------------------------------------------

BASE_COLUMNS = (
    "section",
    "date",
    "hour",
    "category",
    "tickets",
    "tickets_done",
    "tickets_no_show",
    "tickets_transferred",
    "tickets_open",
    "wait_median_min",
    "wait_p90_min",
    "service_median_min",
    "service_p90_min",
    "visits",
    "visits_completed",
    "visits_abandoned",
    "visits_in_progress",
    "visits_with_card",
    "visits_without_card",
    "visits_with_voice",
    "visits_without_voice",
)


def columns(languages: Sequence[str]) -> list[str]:
    """The CSV header: the base columns, one per language in order, then other languages."""
    return [*BASE_COLUMNS, *(f"visits_lang_{code}" for code in languages), "visits_lang_other"]


def _group(values: dict[str, int], population: int) -> dict[str, str]:
    """A breakdown of ``population``: shown only if no cell is between 1 and MIN_COUNT - 1.

    Hiding the whole breakdown (not just the small cell) keeps the small cell from being
    worked out as the row total minus the others.
    """
    return {k: _text(n) for k, n in published_group(values, population).items()}


def _count(n: int) -> str:
    return _text(published_count(n))


def _minutes(values: Sequence[float], summary: str) -> str:
    """Median or p90 in minutes (one decimal); empty when there is nothing to summarise."""
    if not values:
        return ""
    minutes = published_minutes(values, summary)
    return SUPPRESSED if minutes is None else f"{minutes:.1f}"


def _text(n: int | None) -> str:
    return SUPPRESSED if n is None else str(n)


def ticket_row(cell: TicketCell) -> dict[str, str]:
    outcomes = _group(
        {
            "tickets_done": cell.done,
            "tickets_no_show": cell.no_show,
            "tickets_transferred": cell.transferred,
            "tickets_open": cell.open,
        },
        cell.issued,
    )
    hide_times = cell.issued < MIN_COUNT
    return {
        "section": "tickets",
        "date": cell.day.isoformat(),
        "hour": str(cell.hour),
        "category": cell.category,
        "tickets": _count(cell.issued),
        **outcomes,
        "wait_median_min": SUPPRESSED if hide_times else _minutes(cell.wait_seconds, "median"),
        "wait_p90_min": SUPPRESSED if hide_times else _minutes(cell.wait_seconds, "p90"),
        "service_median_min": (
            SUPPRESSED if hide_times else _minutes(cell.service_seconds, "median")
        ),
        "service_p90_min": SUPPRESSED if hide_times else _minutes(cell.service_seconds, "p90"),
    }


def visit_row(cell: VisitCell, languages: Sequence[str]) -> dict[str, str]:
    counts = dict(cell.languages)
    by_language = {f"visits_lang_{code}": counts.pop(code, 0) for code in languages}
    by_language["visits_lang_other"] = sum(counts.values())
    return {
        "section": "visits",
        "date": cell.day.isoformat(),
        "hour": str(cell.hour),
        "visits": _count(cell.visits),
        **_group(
            {
                "visits_completed": cell.completed,
                "visits_abandoned": cell.abandoned,
                "visits_in_progress": cell.in_progress,
            },
            cell.visits,
        ),
        **_group(
            {"visits_with_card": cell.with_card, "visits_without_card": cell.without_card},
            cell.visits,
        ),
        **_group(
            {
                "visits_with_voice": cell.with_voice,
                "visits_without_voice": cell.visits - cell.with_voice,
            },
            cell.visits,
        ),
        **_group(by_language, cell.visits),
    }


def safe_cell(value: object) -> str:
    """``value`` as a CSV cell a spreadsheet shows as text, never runs as a formula."""
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def write_csv(
    out: TextIO,
    tickets: Sequence[TicketCell],
    visits: Sequence[VisitCell],
    *,
    languages: Sequence[str],
    comments: Sequence[str] = (),
) -> None:
    """Comment lines (``# ...``), the header, ticket rows, then visit rows.

    ``out`` should be opened with ``newline=""``; the caller picks the encoding. Cells
    that a spreadsheet would run as a formula are written as text (:func:`safe_cell`).
    """
    for line in comments:
        out.write(f"# {' '.join(line.split())}\r\n")
    names = columns(languages)
    writer = csv.DictWriter(out, fieldnames=names, restval="", lineterminator="\r\n")
    header = dict(zip(names, names, strict=True))
    rows = [header, *map(ticket_row, tickets), *(visit_row(v, languages) for v in visits)]
    for row in rows:
        writer.writerow({key: safe_cell(value) for key, value in row.items()})


# -- figures for a screen -----------------------------------------------------
# The same rules as the CSV, as numbers for charts: None stands for a suppressed figure.


def published_count(n: int) -> int | None:
    """``n``, or None when it is between 1 and MIN_COUNT - 1."""
    return None if 0 < n < MIN_COUNT else n


def published_group(values: dict[str, int], population: int) -> dict[str, int | None]:
    """A breakdown of ``population`` as numbers: all None where the CSV writes ``x``."""
    if population < MIN_COUNT or any(0 < n < MIN_COUNT for n in values.values()):
        return dict.fromkeys(values)
    return dict(values)


def published_minutes(values: Sequence[float], summary: str) -> float | None:
    """Median or p90 in minutes (one decimal), None for fewer than MIN_COUNT values."""
    if summary not in ("median", "p90"):
        raise ValueError(f"summary must be 'median' or 'p90', not {summary!r}")
    if len(values) < MIN_COUNT:
        return None
    value = statistics.median(values) if summary == "median" else p90(values)
    return math.floor(value / 60 * 10 + 0.5) / 10
