"""Calendar-aware warnings: deadlines, notices and the office's opening days, from data.

Ward staff edit the rules in ``resources/catalog/calendar.toml`` (documented there);
this module reads and checks them and answers two questions, for the web app at home,
the kiosk's result screen and the printed cover page:

- :func:`warnings_for`: what should this resident be warned of, today, given their
  answers and procedures (a deadline, a procedure not accepted on a special opening day)?
- :func:`opening_hours`: when is the office open (regular hours, the next special
  opening days, the closed days ahead)?

National holidays come from the ``jpholiday`` library, never from the data file.
A warning holds a text key of ``resources/i18n/<language>/calendar.toml`` and the
values to fill it with; :meth:`CalendarWarning.text` writes it in a language.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from pathlib import Path
from typing import Literal

import jpholiday

from kiosk.catalog import Condition
from kiosk.i18n import Translations
from kiosk.resources import TomlFileError, read_toml, resource

Where = Literal["home", "kiosk"]
WHERE: tuple[Where, ...] = ("home", "kiosk")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CLOSED_DAYS_AHEAD = 60  # how far ahead opening_hours lists the closed days


class CalendarError(ValueError):
    """The calendar file is missing, malformed, or refers to something that does not exist."""


@dataclass(frozen=True)
class CalendarWarning:
    """One warning: ``key`` in calendar.toml's texts, filled in with ``values``."""

    id: str  # the rule's or special day's id, e.g. "tennyu_deadline"
    key: str  # e.g. "calendar.rules.tennyu_deadline.due"
    values: Mapping[str, object] = field(default_factory=dict)  # dates stay dates
    overdue: bool = False

    def text(self, texts: Translations) -> str:
        """The warning in ``texts``' language (dates as the language writes them)."""
        values = {
            k: texts.info.date(v) if isinstance(v, date) else v for k, v in self.values.items()
        }
        if isinstance(cases := self.values.get("cases"), tuple):
            separator = texts.text("ui.result.list_separator")
            values["cases"] = separator.join(texts.text(f"calendar.cases.{c}") for c in cases)
        return texts.text(self.key, **values)


@dataclass(frozen=True)
class Hours:
    opens: time
    closes: time


@dataclass(frozen=True)
class SpecialDay:
    id: str
    weekday: int  # 0 = Monday
    nth: int  # the nth such weekday of the month
    hours: Hours
    not_accepted: tuple[str, ...]  # case ids
    on_holidays: bool = False

    def falls_on(self, day: date) -> bool:
        return day.weekday() == self.weekday and (day.day - 1) // 7 + 1 == self.nth


@dataclass(frozen=True)
class Case:
    id: str
    procedures: frozenset[str]
    when: Condition | None = None

    def applies(self, answers: Mapping[str, str], procedures: Sequence[str]) -> bool:
        if not self.procedures & set(procedures):
            return False
        return self.when is None or self.when.matches(answers)


@dataclass(frozen=True)
class Rule:
    id: str
    case: str
    shown: frozenset[Where]
    deadline_days: int | None = None
    extend_when_closed: bool = True


@dataclass(frozen=True)
class ClosedDay:
    day: date
    reason: Literal["holiday", "year_end"]
    name: str = ""  # the holiday's Japanese name (jpholiday), "" for the year-end closure


@dataclass(frozen=True)
class SpecialOpening:
    id: str
    day: date
    hours: Hours
    not_accepted: tuple[str, ...]


@dataclass(frozen=True)
class OpeningHours:
    """For the web's waits page: when the office is open, from ``today`` on."""

    weekdays: tuple[str, ...]  # "mon".."sun"
    hours: Hours
    special: tuple[SpecialOpening, ...]  # the next opening of each special day
    closed: tuple[ClosedDay, ...]  # holidays and year-end days on regular weekdays ahead


@dataclass(frozen=True)
class Calendar:
    """The rules of calendar.toml, checked."""

    weekdays: frozenset[int]
    hours: Hours
    year_end: tuple[tuple[int, int], tuple[int, int]]  # (month, day) from, to
    special_days: tuple[SpecialDay, ...]
    cases: Mapping[str, Case]
    rules: tuple[Rule, ...]

    def in_year_end(self, day: date) -> bool:
        start, end = self.year_end
        key = (day.month, day.day)
        return start <= key <= end if start <= end else key >= start or key <= end

    def closed_reason(self, day: date) -> Literal["holiday", "year_end"] | None:
        """Why the office is closed on a day it would otherwise open, if it is."""
        if self.in_year_end(day):
            return "year_end"
        return "holiday" if jpholiday.is_holiday(day) else None

    def is_open(self, day: date) -> bool:
        """A regular opening day, or a special day that opens."""
        return self.regular_day(day) or self.special_day(day) is not None

    def regular_day(self, day: date) -> bool:
        return day.weekday() in self.weekdays and self.closed_reason(day) is None

    def special_day(self, day: date) -> SpecialDay | None:
        """The special opening on ``day``, if there is one and it is not cancelled."""
        for special in self.special_days:
            if special.falls_on(day) and (special.on_holidays or self.closed_reason(day) is None):
                return special
        return None

    def next_special(self, special: SpecialDay, today: date) -> date:
        """The next day (``today`` included) ``special`` opens."""
        day = today
        for _ in range(800):  # two years: one always opens well before
            if special.falls_on(day) and self.special_day(day) is special:
                return day
            day += timedelta(days=1)
        raise CalendarError(f"special day {special.id} never opens in the next two years")

    def deadline(self, rule: Rule, moved_on: date) -> date:
        """The day ``rule`` must be done by, for a move on ``moved_on``."""
        day = moved_on + timedelta(days=rule.deadline_days or 0)
        while rule.extend_when_closed and not self.regular_day(day):
            day += timedelta(days=1)
        return day


@functools.cache
def default_calendar() -> Calendar:
    """The calendar of resources/catalog/calendar.toml (the ward's own when it has one)."""
    return load_calendar()


def load_calendar(path: Path | None = None, procedures: Sequence[str] = ()) -> Calendar:
    """Read and check calendar.toml; ``procedures`` (when given) are the catalog's ids,
    which the cases must name. CalendarError names the file and the key at fault."""
    path = path or resource("catalog", "calendar.toml")
    try:
        raw = read_toml(path)
    except FileNotFoundError:
        raise CalendarError(f"{path}: file not found") from None
    except OSError as e:
        raise CalendarError(f"{path}: cannot be read ({e.strerror}): check its rights") from None
    except TomlFileError as e:
        raise CalendarError(str(e)) from None
    from kiosk.calendar_file import parse  # it builds this module's classes: import here

    return parse(raw, str(path), procedures)


def warnings_for(
    answers: Mapping[str, str],
    procedures: Sequence[str],
    today: date,
    *,
    moved_on: date | None = None,
    where: Where,
    calendar: Calendar | None = None,
) -> list[CalendarWarning]:
    """The warnings for a resident with these answers and procedures, ``today``:
    deadlines (counted from ``moved_on`` when known), notices, and what a special
    opening day does not accept (at the kiosk: today; at home: the next one)."""
    cal = calendar or default_calendar()
    applies = {cid for cid, case in cal.cases.items() if case.applies(answers, procedures)}
    found = [_special_warning(cal, s, applies, today, where) for s in cal.special_days]
    warnings = [w for w in found if w is not None]
    for rule in cal.rules:
        if rule.case in applies and where in rule.shown:
            warnings.append(_rule_warning(cal, rule, today, moved_on, where))
    return warnings


def _special_warning(
    cal: Calendar, special: SpecialDay, applies: set[str], today: date, where: Where
) -> CalendarWarning | None:
    refused = tuple(case for case in special.not_accepted if case in applies)
    if not refused:
        return None
    key = f"calendar.special_days.{special.id}"
    if where == "kiosk":
        if cal.special_day(today) is not special:
            return None
        return CalendarWarning(special.id, f"{key}.today", {"cases": refused})
    values = {"cases": refused, "next": cal.next_special(special, today)}
    return CalendarWarning(special.id, f"{key}.home", values)


def _rule_warning(
    cal: Calendar, rule: Rule, today: date, moved_on: date | None, where: Where
) -> CalendarWarning:
    key = f"calendar.rules.{rule.id}"
    if rule.deadline_days is None:
        return CalendarWarning(rule.id, f"{key}.{where}")
    days = {"days": rule.deadline_days}
    if moved_on is None:
        return CalendarWarning(rule.id, f"{key}.unknown", {**days, "n": rule.deadline_days})
    deadline = cal.deadline(rule, moved_on)
    left = (deadline - today).days
    values = {**days, "deadline": deadline, "moved_on": moved_on, "n": abs(left)}
    if left < 0:
        return CalendarWarning(rule.id, f"{key}.overdue", values, overdue=True)
    return CalendarWarning(rule.id, f"{key}.{'last_day' if left == 0 else 'due'}", values)


def opening_hours(
    today: date, *, days_ahead: int = CLOSED_DAYS_AHEAD, calendar: Calendar | None = None
) -> OpeningHours:
    """Regular hours, the next opening of each special day, and the regular opening days
    closed (holidays, year-end) in the ``days_ahead`` days from ``today``."""
    cal = calendar or default_calendar()
    special = tuple(
        SpecialOpening(s.id, cal.next_special(s, today), s.hours, s.not_accepted)
        for s in cal.special_days
    )
    closed = []
    for offset in range(days_ahead):
        day = today + timedelta(days=offset)
        reason = cal.closed_reason(day) if day.weekday() in cal.weekdays else None
        if reason is not None:
            name = (jpholiday.is_holiday_name(day) or "") if reason == "holiday" else ""
            closed.append(ClosedDay(day, reason, name))
    weekdays = tuple(WEEKDAYS[d] for d in sorted(cal.weekdays))
    return OpeningHours(weekdays, cal.hours, special, tuple(closed))


# -- reading the file: every error names the file and the key ------------------------
