"""The counter app's desk in a real window on an X server (Xvfb), at two screen sizes.

The PNGs go to artifacts/counter/ for people to look at; the test checks that every
step was reached and drawn.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from tests.ui.xvfb import run_module_on, xvfb

pytestmark = [pytest.mark.xvfb]

ROOT = Path(__file__).resolve().parents[3]
OUT = ROOT / "artifacts" / "counter"
STEPS = {
    "signin", "signin-wrong-pin", "pick-counter", "desk-waiting", "desk-called-without-visit",
    "desk-called",
    "desk-confirm-correction", "desk-scanned-corrected", "desk-reason",
    "desk-other-counter-opened", "signin-code",
    "desk-supervisor-revealed", "supervisor-in-window",
    "signed-out",
}  # fmt: skip


@pytest.mark.parametrize("size", ["1366x768", "1920x1080"])
def test_the_desk_screens_under_xvfb(size, tmp_path):
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob(f"counter-{size}-*.png"):
        old.unlink()
    with xvfb(f"{size}x24") as display:
        names = run_module_on(
            display, "tests.ui.counter.counter_tour", str(OUT), str(tmp_path), size
        )
    assert {n.removeprefix(f"counter-{size}-").removesuffix(".png") for n in names} == STEPS
    width, height = (int(v) for v in size.split("x"))
    for name in names:
        image = QImage(str(OUT / name))
        assert (image.width(), image.height()) == (width, height), name
        colours = {image.pixel(x, y) for x in range(0, width, 41) for y in range(0, height, 31)}
        assert len(colours) > 3, f"{name} looks blank"
