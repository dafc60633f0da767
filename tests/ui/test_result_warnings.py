"""Calendar warnings on the result screen: boxed above the steps, fitting 1280×1024."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from kiosk.calendar_rules import warnings_for
from kiosk.catalog import Catalog
from kiosk.config import Settings
from kiosk.guidance import guidance
from kiosk.i18n import Translations
from kiosk.ui.screens.result import ResultScreen
from kiosk.ui.style import Look, stylesheet
from tests.ui.fit import problems

SMALLEST = (1280, 1024)
ONLINE = {
    "purpose": "move_in",
    "move_in_from": "other_municipality_online",
    "household_size": "2",
    "children": "yes",
    "insurance": "national",
    "cards": "all",
}
FOURTH_SUNDAY = date(2026, 12, 27)
SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "calendar"


def show(qtbot, language: str, look: Look) -> tuple[QWidget, ResultScreen, list[str]]:
    catalog, texts = Catalog.load(), Translations.load(language)
    steps = guidance(catalog, Settings(), texts, ONLINE)
    warnings = warnings_for(
        ONLINE,
        [s.procedure_id for s in steps],
        FOURTH_SUNDAY,
        moved_on=date(2026, 12, 20),
        where="kiosk",
    )
    host = QWidget()
    host.setStyleSheet(stylesheet(look))
    screen = ResultScreen()
    QVBoxLayout(host).addWidget(screen)
    qtbot.addWidget(host)
    host.resize(*SMALLEST)
    host.show()
    screen.show_steps(steps, texts, number_needed_by=[], warnings=warnings)
    return host, screen, [w.text(texts) for w in warnings]


def notices(screen: ResultScreen, page: int) -> list[QLabel]:
    widget = screen.pages.widget(page)
    return [w for w in widget.findChildren(QLabel, "notice") if w.isVisibleTo(widget)]


@pytest.mark.parametrize("language", ["ja", "en", "ja-easy"])
def test_the_warnings_come_first_and_every_page_fits_in_large_text(qtbot, language):
    host, screen, texts = show(qtbot, language, Look(large_text=True))
    assert len(texts) == 4  # 4th Sunday, 14 days, data delay, card within 90 days
    assert screen.warnings == texts
    shown: list[str] = []
    for index in range(screen.pages.count()):
        screen.turn(index - screen.page)
        assert problems(host, SMALLEST) == []
        shown += [label.accessibleName() for label in notices(screen, index)]
        SHOTS.mkdir(parents=True, exist_ok=True)
        host.grab().save(str(SHOTS / f"result-{language}-large-{index + 1}.png"))
    assert shown == texts  # each warning whole, in order, before the procedures
    first = screen.pages.widget(0)
    [top] = [w for w in first.children() if isinstance(w, QFrame) and w.isVisibleTo(first)][:1]
    assert top.objectName() == "notice"
    assert screen.card.isVisible()


def test_in_normal_text_the_warnings_share_the_first_page(qtbot):
    host, screen, texts = show(qtbot, "ja", Look())
    assert problems(host, SMALLEST) == []
    assert len(notices(screen, 0)) == len(texts)
    screen.turn(1)
    assert screen.pages.widget(1).findChildren(QFrame, "stepCard")
    host.grab().save(str(SHOTS / "result-ja-normal.png"))


def test_no_warnings_no_box(qtbot):
    _host, screen, _ = show(qtbot, "ja", Look())
    texts = Translations.load("ja")
    steps = guidance(Catalog.load(), Settings(), texts, ONLINE)
    screen.show_steps(steps, texts, number_needed_by=[])
    assert screen.warnings == []
    assert notices(screen, 0) == []


def test_high_contrast(qtbot):
    host, _screen, _ = show(qtbot, "ja", Look(high_contrast=True))
    assert problems(host, SMALLEST) == []
    host.grab().save(str(SHOTS / "result-ja-contrast.png"))
