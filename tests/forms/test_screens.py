"""PNG pages of the form and ticket in artifacts/screens/forms/, to look at."""

from __future__ import annotations

import dataclasses
import subprocess
from datetime import datetime
from pathlib import Path

from kiosk.forms import MovingInData, render_moving_in, render_ticket
from kiosk.visit import Ticket
from tests.forms.helpers import LONG_ADDRESS

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


def _variants(data: MovingInData) -> dict[str, MovingInData]:
    assert data.person is not None
    crowded = {**data.answers, "household_size": "4_or_more", "move_in_from": "abroad"}
    return {
        "moving_in": data,
        "moving_in_no_card": dataclasses.replace(data, person=None, answers=crowded),
        "moving_in_long": dataclasses.replace(
            data,
            person=dataclasses.replace(
                data.person, name="𠮷野 ジョナサン・アレクサンダー 﨑山", address=LONG_ADDRESS
            ),
        ),
        "moving_in_crowded": dataclasses.replace(
            data,
            answers=crowded,
            person=dataclasses.replace(data.person, name="𠮷田 花子", name_kana="ヨシダ ハナコ"),
        ),
    }


def test_save_form_pngs(moving_in: MovingInData) -> None:
    for name, data in _variants(moving_in).items():
        _save_png(render_moving_in(data).pdf, name)


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
