"""The board's Latin (English) labels are readable at 5 m: a capital letter at least 15 mm
tall on a 43-inch full-HD screen.

The letter height measured is the font's cap height (``QFontMetricsF.capHeight``: the
height of a flat capital such as "H" above the baseline), for the font the board's style
sheet gives each label, converted with the physical pixel pitch of a 43" 16:9 1920x1080
panel: 43 in x 25.4 x 16 / sqrt(16² + 9²) = 951.9 mm wide, so 2.017 px/mm.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import QLabel

from tests.ui.test_board import _issue, board, service, speaker, store  # noqa: F401 (fixtures)

DIAGONAL_MM = 43 * 25.4
WIDTH_MM = DIAGONAL_MM * 16 / math.hypot(16, 9)
PX_PER_MM = 1920 / WIDTH_MM
MIN_CAP_MM = 15.0
# Labels that hold English (and the mark "▶ ただいまお呼び出し  Now calling").
LATIN_ROLES = {
    "headingEn",
    "callMark",
    "callCounterEn",
    "rowCounterEn",
    "panelTitleEn",
    "waitNameEn",
    "waitCountEn",
}


def cap_height_mm(label: QLabel) -> float:
    return QFontMetricsF(label.font()).capHeight() / PX_PER_MM


def test_every_latin_label_is_at_least_15_mm_tall_on_a_43_inch_screen(
    board: Any,  # noqa: F811
    service: Any,  # noqa: F811
    qtbot: Any,
) -> None:
    _issue(service, "resident", 3)
    service.call_next("resident")
    service.call_next("resident")
    qtbot.waitUntil(lambda: len(board.shown_calls()) == 2, timeout=5_000)
    labels = [w for w in board.findChildren(QLabel) if w.objectName() in LATIN_ROLES]
    assert {w.objectName() for w in labels} == LATIN_ROLES
    assert 2.01 < PX_PER_MM < 2.02
    sizes = {w.objectName(): round(cap_height_mm(w), 1) for w in labels}
    small = {role: mm for role, mm in sizes.items() if mm < MIN_CAP_MM}
    assert not small, f"cap height below {MIN_CAP_MM} mm on a 43-inch screen: {small}"


def test_the_board_still_fits_full_hd(board: Any) -> None:  # noqa: F811
    central = board.centralWidget()
    assert central.minimumSizeHint().height() <= 1080
    assert central.minimumSizeHint().width() <= 1920
