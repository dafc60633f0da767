"""Reading ``resources/catalog/calendar.toml``: every key checked, and an error that names
the file and the key at fault (kiosk.calendar_rules.load_calendar calls it)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, time
from typing import Any, cast

from kiosk.calendar_rules import (
    WEEKDAYS,
    WHERE,
    Calendar,
    CalendarError,
    Case,
    Hours,
    Rule,
    SpecialDay,
    Where,
)
from kiosk.catalog import Condition


def parse(raw: Mapping[str, Any], where: str, procedures: Sequence[str]) -> Calendar:
    unknown_keys = sorted(set(raw) - {"opening", "special_days", "cases", "rules"})
    if unknown_keys:
        raise CalendarError(f"{where}: unknown key(s) {unknown_keys}: see the file's comments")
    opening = _table(raw, "opening", where)
    cases = {cid: _case(cid, c, f"{where}: cases.{cid}") for cid, c in _tables(raw, "cases", where)}
    known = set(procedures)
    for case in cases.values():
        if known and not case.procedures <= known:
            unknown = sorted(case.procedures - known)
            raise CalendarError(f"{where}: cases.{case.id}: unknown procedure(s) {unknown}")
    specials = tuple(
        _special(sid, s, f"{where}: special_days.{sid}", cases)
        for sid, s in _tables(raw, "special_days", where)
    )
    rules = tuple(
        _rule(rid, r, f"{where}: rules.{rid}", cases) for rid, r in _tables(raw, "rules", where)
    )
    year_end = opening.get("year_end", ["12-29", "01-03"])
    if not isinstance(year_end, list) or len(year_end) != 2:
        raise CalendarError(f'{where}: opening.year_end must be ["MM-DD", "MM-DD"]')
    return Calendar(
        weekdays=frozenset(
            _weekday(d, f"{where}: opening.weekdays")
            for d in _list(opening, "weekdays", f"{where}: opening")
        ),
        hours=_hours(opening, f"{where}: opening"),
        year_end=(
            _month_day(year_end[0], f"{where}: opening.year_end"),
            _month_day(year_end[1], f"{where}: opening.year_end"),
        ),
        special_days=specials,
        cases=cases,
        rules=rules,
    )


def _table(raw: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = raw.get(key)
    if not isinstance(value, Mapping):
        raise CalendarError(f"{where}: [{key}] is missing or not a table")
    return value


def _tables(raw: Mapping[str, Any], key: str, where: str) -> list[tuple[str, Mapping[str, Any]]]:
    value = raw.get(key, {})
    if not isinstance(value, Mapping) or not all(isinstance(v, Mapping) for v in value.values()):
        raise CalendarError(f"{where}: {key} must be tables, [{key}.<id>]")
    return list(value.items())


def _list(raw: Mapping[str, Any], key: str, where: str) -> list[str]:
    value = raw.get(key)
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise CalendarError(f"{where}.{key} must be a non-empty list of texts")
    return value


def _weekday(name: str, where: str) -> int:
    if name not in WEEKDAYS:
        raise CalendarError(f"{where}: {name!r} is not one of {', '.join(WEEKDAYS)}")
    return WEEKDAYS.index(name)


def _hours(raw: Mapping[str, Any], where: str) -> Hours:
    value = _list(raw, "hours", where)
    try:
        opens, closes = (time.fromisoformat(v) for v in value)
    except ValueError:
        raise CalendarError(f'{where}.hours must be ["HH:MM", "HH:MM"], not {value!r}') from None
    if opens >= closes:
        raise CalendarError(f"{where}.hours: the office must open before it closes")
    return Hours(opens, closes)


def _month_day(value: object, where: str) -> tuple[int, int]:
    try:
        month, day = (int(part) for part in str(value).split("-"))
        date(2000, month, day)  # a leap year: 02-29 is a day
    except ValueError:
        raise CalendarError(f'{where}: {value!r} is not a day "MM-DD"') from None
    return month, day


def _case(cid: str, raw: Mapping[str, Any], where: str) -> Case:
    when = raw.get("when")
    try:
        condition = Condition.parse(when, where) if when is not None else None
    except ValueError as e:
        raise CalendarError(f"{e} (in `when`)") from None
    return Case(cid, frozenset(_list(raw, "procedures", where)), condition)


def _special(sid: str, raw: Mapping[str, Any], where: str, cases: Mapping[str, Case]) -> SpecialDay:
    nth = raw.get("nth")
    if not isinstance(nth, int) or isinstance(nth, bool) or not 1 <= nth <= 5:
        raise CalendarError(f"{where}.nth must be 1 to 5 (the nth such weekday of the month)")
    not_accepted = tuple(raw.get("not_accepted", []))
    _known_cases(not_accepted, cases, f"{where}.not_accepted")
    return SpecialDay(
        sid,
        _weekday(str(raw.get("weekday")), f"{where}.weekday"),
        nth,
        _hours(raw, where),
        not_accepted,
        bool(raw.get("on_holidays", False)),
    )


def _rule(rid: str, raw: Mapping[str, Any], where: str, cases: Mapping[str, Case]) -> Rule:
    case = raw.get("case")
    _known_cases((case,), cases, f"{where}.case")
    shown = _list(raw, "shown", where)
    wrong = sorted(set(shown) - set(WHERE))
    if wrong:
        raise CalendarError(f"{where}.shown: {wrong} is not among {list(WHERE)}")
    days = raw.get("deadline_days")
    if days is not None and (not isinstance(days, int) or isinstance(days, bool) or days < 1):
        raise CalendarError(f"{where}.deadline_days must be a number of days (1 or more)")
    extend = raw.get("extend_when_closed", True)
    return Rule(rid, str(case), frozenset(cast(list[Where], shown)), days, bool(extend))


def _known_cases(names: Sequence[object], cases: Mapping[str, Case], where: str) -> None:
    unknown = [name for name in names if name not in cases]
    if unknown:
        raise CalendarError(f"{where}: no case {unknown} (define it as [cases.<id>])")
