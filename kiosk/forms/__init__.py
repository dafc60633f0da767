"""Pre-filled application forms and queue tickets as PDF (reportlab, no Qt).

- ``layout``: the layout files in ``resources/forms/`` (one per form), checked.
- ``render``: a layout drawn and filled from the card, the answers and the settings.
- ``cover``: the cover page in the visitor's language.
- ``documents``: one PDF per visit (cover + forms): what the checkout prints.
- ``fonts``: the embedded fonts; ``ticket``: the queue ticket.

Nothing here imports reportlab until it is used (``render_ticket`` is loaded on
first access), so importing the layouts at start-up stays cheap.
"""

from __future__ import annotations

from typing import Any

from kiosk.wareki import to_wareki, wareki

__all__ = ["render_ticket", "to_wareki", "wareki"]


def __getattr__(name: str) -> Any:
    if name == "render_ticket":
        from kiosk.forms.ticket import render_ticket

        return render_ticket
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
