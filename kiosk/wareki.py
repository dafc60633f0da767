"""Japanese era dates (和暦), as written on ward-office forms: 令和8年11月22日."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# First day of each era, newest first. Japan switched to the Gregorian calendar on
# 明治6年1月1日 (1873-01-01); earlier Meiji dates were lunisolar, so they are refused
# rather than converted wrongly.
ERAS: tuple[tuple[date, str], ...] = (
    (date(2019, 5, 1), "令和"),
    (date(1989, 1, 8), "平成"),
    (date(1926, 12, 25), "昭和"),
    (date(1912, 7, 30), "大正"),
    (date(1868, 1, 25), "明治"),
)
GREGORIAN_SINCE = date(1873, 1, 1)


@dataclass(frozen=True)
class WarekiDate:
    """A date split into era name, era year (1 = 元年), month and day."""

    era: str
    year: int
    month: int
    day: int

    @property
    def year_text(self) -> str:
        """The era and year, e.g. 令和8年 or 令和元年."""
        return f"{self.era}{'元' if self.year == 1 else self.year}年"

    def __str__(self) -> str:
        return f"{self.year_text}{self.month}月{self.day}日"


def wareki(d: date) -> WarekiDate:
    """Split a Gregorian date into its era parts."""
    if d < GREGORIAN_SINCE:
        raise ValueError(f"{d.isoformat()} is before Japan adopted the Gregorian calendar")
    for start, era in ERAS:
        if d >= start:
            return WarekiDate(era, d.year - start.year + 1, d.month, d.day)
    raise AssertionError("unreachable: 明治 covers every date since 1873")


def to_wareki(d: date) -> str:
    """Format a date in the Japanese era, e.g. ``令和8年11月22日``."""
    return str(wareki(d))
