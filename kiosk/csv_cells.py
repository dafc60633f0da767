"""CSV cells that a spreadsheet shows as text, never runs as a formula."""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(value: str) -> str:
    """``value``, with a leading ``'`` if it starts like a formula (CSV injection).

    Spreadsheets hide the quote and show the text as typed; a reader of the raw
    file must drop one leading ``'`` from such cells to get the stored value.
    """
    return "'" + value if value.startswith(FORMULA_STARTS) else value
