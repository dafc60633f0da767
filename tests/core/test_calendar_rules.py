"""Calendar-aware warnings: deadlines, special opening days, closures, from calendar.toml."""

from __future__ import annotations

import shutil
from datetime import date, time
from pathlib import Path

import pytest

from kiosk.calendar_rules import (
    CalendarError,
    default_calendar,
    load_calendar,
    opening_hours,
    warnings_for,
)
from kiosk.catalog import Catalog
from kiosk.i18n import Translations, leaf_keys, load_tree
from kiosk.resources import resource

CATALOG = Catalog.load()
CALENDAR = default_calendar()
MOVE_IN = {"purpose": "move_in", "move_in_from": "other_municipality", "cards": "all"}
ONLINE = {**MOVE_IN, "move_in_from": "other_municipality_online"}
SATURDAY = date(2026, 12, 5)
FOURTH_SUNDAY = date(2026, 12, 27)


def procedures(answers: dict[str, str]) -> list[str]:
    return [p.id for p in CATALOG.procedures_for(answers)]


def ids(warnings: list) -> list[str]:
    return [w.id for w in warnings]


def test_the_shipped_calendar_names_only_the_catalogs_procedures():
    load_calendar(procedures=[p.id for p in CATALOG.procedures])


def test_moving_in_gets_the_14_day_deadline_and_the_card_update_with_its_pin():
    warnings = warnings_for(
        MOVE_IN, procedures(MOVE_IN), date(2026, 12, 7), moved_on=date(2026, 12, 1), where="kiosk"
    )
    assert ids(warnings) == ["tennyu_deadline", "card_update"]
    tennyu, card = warnings
    assert tennyu.key == "calendar.rules.tennyu_deadline.due"
    assert tennyu.values["deadline"] == date(2026, 12, 15)  # moved_on + 14 days
    assert tennyu.values["n"] == 8
    assert card.values["deadline"] == date(2027, 3, 1)  # + 90 days
    text = card.text(Translations.load("ja"))
    assert "暗証番号" in text
    assert "令和9年（2027年）3月1日" in text


def test_a_deadline_on_a_closed_day_moves_to_the_next_opening_day():
    # 12/20 + 14 = 1/3, in the year-end closure: the next regular opening day is Mon 1/4
    [warning, _] = warnings_for(
        MOVE_IN, procedures(MOVE_IN), date(2026, 12, 21), moved_on=date(2026, 12, 20), where="home"
    )
    assert warning.values["deadline"] == date(2027, 1, 4)
    # 2027-01-11 is 成人の日: a deadline on it moves to Tue 1/12
    [warning, _] = warnings_for(
        MOVE_IN, procedures(MOVE_IN), date(2027, 1, 2), moved_on=date(2026, 12, 28), where="home"
    )
    assert warning.values["deadline"] == date(2027, 1, 12)


def test_the_last_day_and_overdue():
    answers, procs = MOVE_IN, procedures(MOVE_IN)
    [last, _] = warnings_for(
        answers, procs, date(2026, 12, 15), moved_on=date(2026, 12, 1), where="kiosk"
    )
    assert last.key.endswith(".last_day")
    assert not last.overdue
    [late, _] = warnings_for(
        answers, procs, date(2026, 12, 18), moved_on=date(2026, 12, 1), where="kiosk"
    )
    assert late.overdue
    assert late.key.endswith(".overdue")
    assert late.values["n"] == 3
    en = late.text(Translations.load("en"))
    assert "3 days late" in en
    assert "December 15, 2026" in en


def test_without_a_moving_day_the_rule_is_said_without_a_date():
    [warning, _] = warnings_for(MOVE_IN, procedures(MOVE_IN), SATURDAY, where="home")
    assert warning.key.endswith(".unknown")
    assert "14" in warning.text(Translations.load("ja"))


def test_tokurei_tennyu_is_a_choice_that_needs_the_card_not_the_certificate():
    bring = CATALOG.procedure("tennyu").items_to_bring(ONLINE)
    assert "moved_out_online_card" in bring
    assert "moving_out_certificate" not in bring
    assert "moving_out_certificate" in CATALOG.procedure("tennyu").items_to_bring(MOVE_IN)


def test_tokurei_tennyu_at_home_warns_of_the_data_delay_and_the_next_fourth_sunday():
    warnings = warnings_for(ONLINE, procedures(ONLINE), SATURDAY, where="home")
    assert ids(warnings) == ["fourth_sunday", "tennyu_deadline", "tokurei_data", "card_update"]
    sunday = warnings[0]
    assert sunday.values["next"] == FOURTH_SUNDAY
    text = sunday.text(Translations.load("ja"))
    assert "12月27日" in text
    assert "転入届の特例" in text
    assert "電話" in warnings[2].text(Translations.load("ja"))


def test_at_the_kiosk_the_special_day_warns_only_on_that_day():
    procs = procedures(ONLINE)
    assert "fourth_sunday" not in ids(warnings_for(ONLINE, procs, SATURDAY, where="kiosk"))
    [today, *_] = warnings_for(ONLINE, procs, FOURTH_SUNDAY, where="kiosk")
    assert today.key == "calendar.special_days.fourth_sunday.today"
    assert "できません" in today.text(Translations.load("ja"))
    # an ordinary 転入 is accepted on the 4th Sunday
    assert "fourth_sunday" not in ids(
        warnings_for(MOVE_IN, procedures(MOVE_IN), FOURTH_SUNDAY, where="kiosk")
    )


def test_nothing_for_a_certificate():
    answers = {"purpose": "certificate", "certificate_kind": "juminhyo"}
    assert warnings_for(answers, procedures(answers), SATURDAY, where="kiosk") == []


@pytest.mark.parametrize(
    ("day", "fourth"),
    [
        (date(2026, 11, 1), date(2026, 11, 22)),  # November 2026 has 5 Sundays (1..29)
        (date(2026, 11, 23), date(2026, 12, 27)),
        (date(2027, 2, 28), date(2027, 3, 28)),  # 2/28 is February's 4th Sunday
        (date(2027, 2, 1), date(2027, 2, 28)),
        (date(2027, 1, 1), date(2027, 1, 24)),
    ],
)
def test_the_fourth_sunday(day: date, fourth: date):
    [special] = CALENDAR.special_days
    if day == date(2027, 2, 28):  # today counts
        assert CALENDAR.next_special(special, day) == day
        return
    assert CALENDAR.next_special(special, day) == fourth


def test_a_fifth_sunday_is_no_special_day():
    [special] = CALENDAR.special_days
    assert special.falls_on(date(2026, 11, 22))
    assert not special.falls_on(date(2026, 11, 29))  # the 5th
    assert CALENDAR.special_day(date(2026, 11, 29)) is None


def test_closed_days_year_end_and_holidays():
    assert CALENDAR.closed_reason(date(2026, 12, 29)) == "year_end"
    assert CALENDAR.closed_reason(date(2027, 1, 3)) == "year_end"
    assert CALENDAR.closed_reason(date(2027, 1, 4)) is None
    assert CALENDAR.closed_reason(date(2026, 11, 23)) == "holiday"  # 勤労感謝の日
    assert not CALENDAR.is_open(date(2026, 11, 23))
    assert CALENDAR.is_open(date(2026, 12, 28))
    assert CALENDAR.is_open(FOURTH_SUNDAY)
    assert not CALENDAR.is_open(SATURDAY)


def test_opening_hours_for_the_web():
    hours = opening_hours(SATURDAY)
    assert hours.weekdays == ("mon", "tue", "wed", "thu", "fri")
    assert (hours.hours.opens, hours.hours.closes) == (time(9), time(17, 30))
    [special] = hours.special
    assert (special.day, special.not_accepted) == (FOURTH_SUNDAY, ("tokurei_tennyu",))
    closed = {c.day: c for c in hours.closed}
    assert closed[date(2026, 12, 29)].reason == "year_end"
    assert date(2027, 1, 2) not in closed  # a Saturday: closed anyway
    assert closed[date(2027, 1, 11)].name == "成人の日"


@pytest.fixture
def calendar_file(tmp_path: Path) -> Path:
    path = tmp_path / "calendar.toml"
    shutil.copy(resource("catalog", "calendar.toml"), path)
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("nth = 4", "nth = 6", "special_days.fourth_sunday.nth"),
        ('not_accepted = ["tokurei_tennyu"]', 'not_accepted = ["tokurei"]', "not_accepted"),
        ('hours = ["09:00", "17:30"]', 'hours = ["9 am", "17:30"]', "opening.hours"),
        ('weekday = "sun"', 'weekday = "sunday"', "special_days.fourth_sunday.weekday"),
        ("deadline_days = 14", "deadline_days = -1", "rules.tennyu_deadline.deadline_days"),
        ('shown = ["home", "kiosk"]', 'shown = ["phone"]', "rules.tennyu_deadline.shown"),
        ('year_end = ["12-29", "01-03"]', 'year_end = ["12-32", "01-03"]', "opening.year_end"),
        ("\n[opening]\n", "\n[opening_hours]\n", "opening_hours"),
        ("deadline_days = 14", "deadline_days = 14 14", "not valid TOML"),
    ],
)
def test_a_broken_file_names_itself_and_the_key(
    calendar_file: Path, old: str, new: str, message: str
):
    text = calendar_file.read_text(encoding="utf-8")
    assert old in text
    calendar_file.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(CalendarError) as error:
        load_calendar(calendar_file)
    assert str(calendar_file) in str(error.value)
    assert message in str(error.value)


def test_a_case_naming_an_unknown_procedure(calendar_file: Path):
    with pytest.raises(CalendarError, match=r"cases\.tennyu: unknown procedure"):
        load_calendar(calendar_file, procedures=["juminhyo", "card_address_update"])


def test_a_missing_file(tmp_path: Path):
    with pytest.raises(CalendarError, match="file not found"):
        load_calendar(tmp_path / "calendar.toml")


@pytest.mark.parametrize("language", ["ja", "en", "ja-easy"])
def test_every_warning_has_its_text(language: str):
    keys = leaf_keys(load_tree(language))
    for rule in CALENDAR.rules:
        kinds = ("due", "last_day", "overdue", "unknown") if rule.deadline_days else rule.shown
        for kind in kinds:
            assert any(k.startswith(f"calendar.rules.{rule.id}.{kind}") for k in keys), kind
    for special in CALENDAR.special_days:
        for kind in ("today", "home"):
            assert f"calendar.special_days.{special.id}.{kind}" in keys
    for case in CALENDAR.cases:
        assert f"calendar.cases.{case}" in keys
