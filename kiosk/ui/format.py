"""Dates and numbers written the way each language writes them."""

from __future__ import annotations

from datetime import date

from kiosk.i18n import Translations


def format_date(day: date, texts: Translations) -> str:
    """昭和60年（1985年）4月1日 in Japanese; CLDR's long date elsewhere (April 1, 1985)."""
    return texts.info.date(day)
