"""Font registration, glyph checks and text fitting."""

from __future__ import annotations

import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.forms import fonts
from tests.forms.helpers import LONG_ADDRESS


def test_font_registers_once_across_threads() -> None:
    seen: list[object] = []
    threads = [threading.Thread(target=lambda: seen.append(fonts.font())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(font) for font in seen}) == 1


def test_printable_reports_missing_once() -> None:
    drawn, missing = fonts.printable("𠮷田 𠮷子\n髙﨑")
    assert drawn == "〓田 〓子 髙﨑"
    assert missing == "𠮷"


def test_variation_selector_is_reported_with_its_base() -> None:
    drawn, missing = fonts.printable("葛\U000e0100飾")
    assert drawn == "葛飾"
    assert missing == "葛\U000e0100"


@pytest.mark.parametrize(("width_mm", "lines"), [(400, 1), (150, 2)])
def test_fit_prefers_one_line_then_two(width_mm: float, lines: int) -> None:
    fitted = fonts.fit(LONG_ADDRESS, width_mm * 2.835, 40, size=13, min_size=9)
    assert len(fitted.lines) == lines
    assert "".join(fitted.lines) == LONG_ADDRESS


def test_fit_shrinks_before_cutting() -> None:
    fitted = fonts.fit(LONG_ADDRESS, 100, 20, size=12, min_size=9)
    assert "".join(fitted.lines) == LONG_ADDRESS
    assert fitted.size < 9
    assert fitted.height <= 20
    assert all(fonts.width(line, fitted.size) <= 100 for line in fitted.lines)


def test_wrap_keeps_kinsoku_and_words() -> None:
    lines = fonts.wrap("ジョナサン・アレクサンダー・クリストファー。", 12, 80)
    assert all(line[0] not in "ー・。" for line in lines[1:])
    assert fonts.wrap("Please wait for your number", 10, 80) == ["Please wait for", "your number"]


@settings(max_examples=60, deadline=None)
@given(
    st.text(alphabet="大阪市北区中之島一丁目ー・。、 　ABCxyz0123（）", min_size=1, max_size=120),
    st.floats(min_value=40, max_value=500),
    st.floats(min_value=8, max_value=60),
)
def test_fit_never_drops_characters(text: str, box_width: float, box_height: float) -> None:
    fitted = fonts.fit(text, box_width, box_height, size=12, min_size=8)
    kept = "".join(fitted.lines).replace(" ", "").replace("　", "")
    assert kept == text.replace(" ", "").replace("　", "")
    assert all(fonts.width(line, fitted.size) <= box_width + 0.01 for line in fitted.lines)


def test_compatibility_ideographs_are_kept() -> None:
    # 塚 U+FA10 is a distinct form people use in their names; NFC would make it U+585A.
    assert fonts.printable("\ufa10本 \ufa19社") == ("\ufa10本 \ufa19社", "")


def test_combining_voiced_marks_are_composed() -> None:
    assert fonts.printable("か\u3099ん\u309aは\u309a") == ("がん\u309aぱ", "")
