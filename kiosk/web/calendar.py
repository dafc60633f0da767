"""The office calendar on the web pages: deadline warnings and the opening hours.

The rules and texts are :mod:`kiosk.calendar_rules`' (``resources/catalog/calendar.toml``
and ``resources/i18n/<lang>/calendar.toml``); this module only writes them for a page.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time

from babel.dates import get_day_names

from kiosk.calendar_rules import WEEKDAYS, CalendarWarning, opening_hours
from kiosk.i18n import TranslationError, Translations

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WarningText:
    text: str
    overdue: bool


def warning_texts(texts: Translations, warnings: Sequence[CalendarWarning]) -> list[WarningText]:
    """The journey's calendar warnings for a resident preparing at home, in their language."""
    shown = []
    for warning in warnings:
        try:
            shown.append(WarningText(warning.text(texts), warning.overdue))
        except (KeyError, TranslationError) as e:  # a ward's text missing: the rest still shows
            log.warning("calendar warning %s cannot be shown: %s", warning.id, e)
    return shown


@dataclass(frozen=True)
class HoursText:
    """The opening hours as lines of a page."""

    regular: str  # e.g. "月曜日〜金曜日 9:00–17:30" (the days listed)
    special: list[str]  # the next special openings: date and hours
    closed: list[str]  # closed regular days ahead: their dates


def hours_text(texts: Translations, today: date) -> HoursText:
    hours = opening_hours(today)
    days = _days(texts, [WEEKDAYS.index(day) for day in hours.weekdays])
    regular = texts.text(
        "web.waits.regular_hours",
        days=days,
        opens=_clock(hours.hours.opens),
        closes=_clock(hours.hours.closes),
    )
    special = [
        texts.text(
            "web.waits.special_opening",
            day=texts.info.date(s.day),
            opens=_clock(s.hours.opens),
            closes=_clock(s.hours.closes),
        )
        for s in sorted(hours.special, key=lambda s: s.day)
    ]
    closed = [texts.info.date(c.day) for c in hours.closed]
    return HoursText(regular, special, closed)


def _days(texts: Translations, weekdays: list[int]) -> str:
    """A run of days as "Monday to Friday", other days listed one by one."""
    names = get_day_names("wide", locale=texts.info.locale)
    if len(weekdays) > 2 and weekdays == list(range(weekdays[0], weekdays[-1] + 1)):
        return texts.text("web.waits.day_range", first=names[weekdays[0]], last=names[weekdays[-1]])
    return texts.text("ui.result.list_separator").join(str(names[day]) for day in weekdays)


def _clock(moment: time) -> str:
    return f"{moment.hour}:{moment.minute:02d}"
