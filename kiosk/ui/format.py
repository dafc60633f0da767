"""Dates and numbers written the way each language writes them."""

from __future__ import annotations

from datetime import date

from kiosk.i18n import Translations
from kiosk.wareki import GREGORIAN_SINCE, wareki


def format_date(day: date, texts: Translations) -> str:
    months = texts.raw("ui.confirm.months") if texts.language != "ja" else None
    month_name = months[day.month - 1] if isinstance(months, list) else str(day.month)
    return texts.text(
        "ui.confirm.date_format",
        era=wareki(day).year_text if day >= GREGORIAN_SINCE else "",
        year=day.year,
        month=day.month,
        month_name=month_name,
        day=day.day,
    )
