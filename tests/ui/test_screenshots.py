"""The real kiosk window on an X server (Xvfb): a screenshot of every screen.

The PNGs go to artifacts/screens/ for people to look at; the test checks that every
screen was reached and drawn.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ui.xvfb import run_module_on, xvfb

pytestmark = [pytest.mark.xvfb, pytest.mark.pcsc]

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "artifacts" / "screens"
SIZE = "1280x1024x24"


@pytest.fixture
def xvfb_display() -> Iterator[str]:
    with xvfb(SIZE) as display:
        yield display


def test_every_screen_under_xvfb(xvfb_display, virtual_card, tmp_path):
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.png"):  # screens only; forms/ belongs to the form tests
        old.unlink()
    started = time.monotonic()
    shots = run_module_on(
        xvfb_display, "tests.ui.screens_tour", str(OUT), str(tmp_path), timeout=180
    )
    expected = {
        "welcome-ja", "question-ja-purpose", "result-ja", "result-ja-page2", "printing-ja",
        "pin-ja-number", "pin-ja-two-digits", "pin-ja-wrong", "confirm-ja",
        "question-ja-priority", "done-ja-take-card", "done-ja-card-reminder",
        "welcome-en", "question-en-purpose", "restart-en", "call-staff-en", "result-en",
        "idle-en", "identity-en-whose-card", "question-en-priority", "done-en",
        "welcome-ko", "question-ko-purpose-speak", "question-ko-confirm", "result-ko",
        "question-ko-priority",
    }  # fmt: skip
    names = {name.split("-", 1)[1].removesuffix(".png") for name in shots}
    assert expected <= names
    for name in shots:
        _assert_drawn(OUT / name)
    assert time.monotonic() - started < 180


def _assert_drawn(path: Path) -> None:
    from PySide6.QtGui import QImage

    image = QImage(str(path))
    assert (image.width(), image.height()) == (1280, 1024), path.name
    colours = {image.pixel(x, y) for x in range(0, 1280, 37) for y in range(0, 1024, 29)}
    assert len(colours) > 3, f"{path.name} looks blank"


def test_the_sent_to_staff_screens_under_xvfb(xvfb_display, virtual_card, tmp_path):
    out = OUT / "staff"
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.png"):
        old.unlink()
    shots = run_module_on(xvfb_display, "tests.ui.staff_tour", str(out), str(tmp_path))
    assert [name.split("-", 1)[1] for name in shots] == [
        "staff-ja-no-ticket.png",
        "staff-en-with-ticket.png",
    ]
    for name in shots:
        _assert_drawn(out / name)
