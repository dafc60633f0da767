"""PNG of the ticket in artifacts/screens/forms/, to look at (forms: test_pngs.py)."""

from __future__ import annotations

import subprocess
from datetime import datetime
from pathlib import Path

from kiosk.forms import render_ticket
from kiosk.visit import Ticket

SCREENS = Path(__file__).resolve().parents[2] / "artifacts" / "screens" / "forms"


def _save_png(pdf: bytes, name: str) -> Path:
    SCREENS.mkdir(parents=True, exist_ok=True)
    source = SCREENS / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "100", "-png", "-singlefile", str(source), str(SCREENS / name)],
        check=True,
    )
    source.unlink()
    png = SCREENS / f"{name}.png"
    assert png.stat().st_size > 10_000
    return png


def test_save_ticket_png() -> None:
    ticket = Ticket("A-012", "moving", 12, "3", 5, datetime(2026, 11, 22, 14, 5))
    pdf = render_ticket(
        ticket,
        ward_name="大阪市北区役所",
        counter_label="3番窓口",
        category_label="転入・転居の届出",
        language_line="Please wait until your number is shown, then go to counter 3.",
    )
    _save_png(pdf, "ticket")
