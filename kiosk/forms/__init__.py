"""Pre-filled application forms and queue tickets as PDF (reportlab, no Qt)."""

from __future__ import annotations

from kiosk.forms.moving_in import MovingInData, RenderedForm, render_moving_in
from kiosk.forms.ticket import render_ticket
from kiosk.wareki import to_wareki, wareki

__all__ = [
    "MovingInData",
    "RenderedForm",
    "render_moving_in",
    "render_ticket",
    "to_wareki",
    "wareki",
]
