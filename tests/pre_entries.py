"""A resident's preparation at home, as the tests of the kiosk and the counter use it."""

from __future__ import annotations

from datetime import date

from kiosk.pre_entry import HomeDetails

MOVING_IN = [
    ("purpose", "move_in"),
    ("move_in_from", "other_municipality"),
    ("household_size", "2"),
    ("children", "yes"),
    ("insurance", "national"),
    ("cards", "all"),
]
"""The answers given at home, in order: moving in from another city, with a child."""


def home_details(moved_on: date) -> HomeDetails:
    """What a resident without the card at hand typed: name, フリガナ, the new address."""
    return HomeDetails(
        name="大阪 太郎",
        name_kana="オオサカ タロウ",
        postal_code="5300001",
        address="大阪府大阪市北区梅田1丁目2番3号 梅田ハイツ405",
        moved_on=moved_on,
    )
