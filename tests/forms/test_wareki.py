"""和暦 conversion: era boundaries and 元年."""

from __future__ import annotations

from datetime import date

import pytest

from kiosk.wareki import WarekiDate, to_wareki, wareki


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(1873, 1, 1), "明治6年1月1日"),
        (date(1912, 7, 29), "明治45年7月29日"),
        (date(1912, 7, 30), "大正元年7月30日"),
        (date(1913, 1, 1), "大正2年1月1日"),
        (date(1926, 12, 24), "大正15年12月24日"),
        (date(1926, 12, 25), "昭和元年12月25日"),
        (date(1927, 1, 1), "昭和2年1月1日"),
        (date(1985, 4, 1), "昭和60年4月1日"),
        (date(1989, 1, 7), "昭和64年1月7日"),
        (date(1989, 1, 8), "平成元年1月8日"),
        (date(1989, 12, 31), "平成元年12月31日"),
        (date(1990, 1, 1), "平成2年1月1日"),
        (date(2019, 4, 30), "平成31年4月30日"),
        (date(2019, 5, 1), "令和元年5月1日"),
        (date(2019, 12, 31), "令和元年12月31日"),
        (date(2020, 1, 1), "令和2年1月1日"),
        (date(2026, 11, 22), "令和8年11月22日"),
    ],
)
def test_era_boundaries(day: date, expected: str) -> None:
    assert to_wareki(day) == expected


def test_parts() -> None:
    assert wareki(date(2019, 5, 1)) == WarekiDate("令和", 1, 5, 1)
    assert wareki(date(1989, 1, 8)).year_text == "平成元年"
    assert wareki(date(2026, 11, 22)).year_text == "令和8年"


def test_before_gregorian_calendar_is_refused() -> None:
    with pytest.raises(ValueError, match="Gregorian"):
        to_wareki(date(1872, 12, 31))
