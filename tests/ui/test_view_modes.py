"""見やすく: every screen fits in every mode at its physical size; contrast, furigana, breaks.

The screenshots of every screen, mode and screen size go to artifacts/view-modes/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.config import DEFAULT_LANGUAGES
from kiosk.linebreak import WORD_JOINER, ZWSP, display_text, plain
from kiosk.ui.style import REFERENCE_PX_PER_MM, Look, contrast, stylesheet
from tests.ui.fit import problems
from tests.ui.view_tour import MODES, SCREENS, screen_states, set_modes, show, view_modes

OUT = Path(__file__).resolve().parents[2] / "artifacts" / "view-modes"


@pytest.fixture
def sized_window(request: Any, qtbot: Any, qapp: Any, kiosk_settings: Any) -> Iterator[Any]:
    """A kiosk window in the ten languages, styled for the screen
    ``request.param`` names (no card reader)."""
    from kiosk.context import KioskContext
    from kiosk.ui.app import apply_theme
    from kiosk.ui.window import KioskWindow
    from tests.kiosk_fixture import make_checkout

    kiosk = kiosk_settings.kiosk.model_copy(update={"languages": list(DEFAULT_LANGUAGES)})
    kiosk_context = KioskContext.load(settings=kiosk_settings.model_copy(update={"kiosk": kiosk}))
    width, height, px_per_mm = SCREENS[request.param]
    apply_theme(qapp, px_per_mm)
    checkout = make_checkout(kiosk_context)
    window = KioskWindow(kiosk_context, _NoCard(), checkout)
    qtbot.addWidget(window)
    window.resize(width, height)
    window.show()
    try:
        yield window
    finally:
        window.shutdown()
        checkout.close()
        apply_theme(qapp)  # the reference screen again, for the tests after this one


class _NoCard:
    def tries_left(self) -> int:
        raise AssertionError("no card in these tests")


# Every language in the modes that change sizes; high contrast changes only colours and
# furigana exist only in Japanese, so those two are fitted in Japanese. On the wide screen
# normal text only in Japanese and English: its large text is the harder fit, and the
# 5:4 screen has every language in normal text.
COMBINATIONS = [
    (screen, language, mode)
    for screen in SCREENS
    for language in DEFAULT_LANGUAGES
    for mode in MODES
    if (mode in ("normal", "large") or language == "ja")
    and not (screen.startswith("21.5") and mode == "normal" and language not in ("ja", "en"))
]


@pytest.mark.parametrize(
    ("sized_window", "language", "mode"), COMBINATIONS, indirect=["sized_window"]
)
def test_every_screen_fits_in_every_mode(sized_window, mode, language, request):
    window = sized_window
    screen_name = request.node.callspec.params["sized_window"]
    width, height, _ = SCREENS[screen_name]
    window.choose_language(language)
    set_modes(window, **MODES[mode])
    folder = OUT / f"{screen_name}-{mode}"
    folder.mkdir(parents=True, exist_ok=True)
    found: dict[str, str] = {}  # problem -> the state it was seen in
    for name, _screen in screen_states(window):
        for problem in problems(window, (width, height)):
            found.setdefault(problem, name)
        window.grab().save(str(folder / f"{language}-{name}.png"))
    report = "\n".join(f"{problem} (seen on {name})" for problem, name in found.items())
    assert not found, report


def test_the_reference_screen_keeps_the_template_sizes():
    from kiosk.ui.style import template

    assert abs(REFERENCE_PX_PER_MM - 3.40) < 0.01
    expected = re.sub(r"/\*.*?\*/", "", template(), flags=re.DOTALL)
    assert re.sub(r"\s+", "", stylesheet(Look())) == re.sub(r"\s+", "", expected)


def test_sizes_follow_the_screen_and_large_text():
    from kiosk.ui.style import set_px_per_mm

    try:
        set_px_per_mm(4.0339)  # 21.5" full HD: 1.188 × the reference
        rules = _rules(stylesheet(Look(large_text=True)))
        assert rules["QLabel#title"]["font-size"] == "57px"  # 42 → 48 (the cap) × 1.188
        assert rules["QLabel#body"]["font-size"] == "53px"  # 30 × 1.5 × 1.188
        assert rules["QLabel#choiceLabel"]["font-size"] == "57px"  # 32 × 1.5 × 1.188
        assert rules["QPushButton#repeat"]["font-size"] == "29px"  # the toolbar: 24 × 1.188
        assert rules["QPushButton"]["min-height"] == "95px"  # 80 × 1.188: not the text's
    finally:
        set_px_per_mm(REFERENCE_PX_PER_MM)


def test_the_screen_density_comes_from_the_diagonal_or_from_qt(qapp):
    from kiosk.ui.style import screen_px_per_mm

    screen = qapp.primaryScreen()
    size = screen.geometry().size() * screen.devicePixelRatio()
    diagonal = (size.width() ** 2 + size.height() ** 2) ** 0.5
    assert screen_px_per_mm(screen, diagonal / 25.4 / 4.0) == pytest.approx(4.0)
    dpi = screen.physicalDotsPerInch()
    expected = dpi / 25.4 if 40 <= dpi <= 400 else REFERENCE_PX_PER_MM
    assert screen_px_per_mm(screen) == pytest.approx(expected)
    assert screen_px_per_mm(None) == REFERENCE_PX_PER_MM


def _rules(sheet: str) -> dict[str, dict[str, str]]:
    rules: dict[str, dict[str, str]] = {}
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", sheet):
        declarations = dict(re.findall(r"([a-z-]+)\s*:\s*([^;]+)", body))
        for selector in selectors.split(","):
            rules.setdefault(selector.strip(), {}).update(declarations)
    return rules


def _colour(value: str | None) -> str | None:
    found = re.search(r"#[0-9a-f]{6}", value or "")
    return found.group(0) if found else None


def test_high_contrast_is_at_least_7_to_1_everywhere():
    rules = _rules(stylesheet(Look(high_contrast=True)))
    base = _colour(rules["QWidget"]["background"])
    assert base is not None
    containers = {base} | {
        colour
        for selector in ("QFrame#stepCard", "QFrame#confirmBox", "QFrame#idleBox", "QFrame#viewBox")
        if (colour := _colour(rules.get(selector, {}).get("background")))
    }
    checked = 0
    for selector, declarations in rules.items():
        text = _colour(declarations.get("color"))
        if text is None:
            continue
        own = _colour(declarations.get("background"))
        button = re.fullmatch(r"QLabel#(\w+)Label", selector)
        if own is None and button is not None:  # a WrapButton's label, on its button
            own = _colour(rules.get(f"QPushButton#{button.group(1)}", {}).get("background"))
        for background in [own] if own else sorted(containers):
            ratio = contrast(text, background)
            assert ratio >= 7, f"{selector}: {text} on {background} is {ratio:.1f}:1"
            checked += 1
    assert checked > 30


def test_the_normal_look_is_at_least_4_5_to_1():
    rules = _rules(stylesheet(Look()))
    for selector, declarations in rules.items():
        text, own = _colour(declarations.get("color")), _colour(declarations.get("background"))
        if text and own and ":disabled" not in selector:
            assert contrast(text, own) >= 4.5, selector


def test_furigana_for_ward_terms_and_a_sentence():
    from kiosk.furigana import with_readings

    assert with_readings("転入届") == "転入届（てんにゅうとどけ）"
    assert with_readings("住民票の写し") == "住民票（じゅうみんひょう）の写（うつ）し"
    assert with_readings("印鑑登録") == "印鑑登録（いんかんとうろく）"
    assert with_readings("国民健康保険") == "国民健康保険（こくみんけんこうほけん）"
    assert with_readings("個人番号") == "個人番号（こじんばんごう）"
    assert with_readings("2番窓口へ") == "2番（ばん）窓口（まどぐち）へ"
    sentence = "世帯の人数は何人ですか？"
    assert with_readings(sentence) == "世帯（せたい）の人数（にんずう）は何人（なんにん）ですか？"
    assert with_readings("マイナンバーカード") == "マイナンバーカード"  # no kanji, no reading


def test_japanese_breaks_only_between_phrases():
    shown = display_text("世帯の人数は何人ですか？", "ja")
    assert shown.split(ZWSP) == [WORD_JOINER.join(p) for p in ("世帯の", "人数は", "何人ですか？")]
    assert plain(shown) == "世帯の人数は何人ですか？"
    assert display_text("How many people?", "en") == "How many people?"
    assert plain(display_text("転入届を出す", "ja", furigana=True)) == "転入届を出す"


def test_breaks_and_readings_are_shown_but_never_read_aloud(kiosk_window):
    from kiosk.ui.narration import screen_speech

    window = kiosk_window
    window.choose_language("ja")
    window.start_visit()
    window.continue_without_card()
    modes = view_modes(window)
    modes.set_mode("furigana", True)
    show(window, window.question)
    title = window.question.title
    assert ZWSP in _shown(title) and "（" in _shown(title)  # 世帯（せたい）の​…
    assert ZWSP not in title.text() and title.property("plainText") == title.text()
    speech = screen_speech(window.question)
    assert title.text() in speech
    assert ZWSP not in speech and WORD_JOINER not in speech and "（せ" not in speech
    button = next(iter(window.question.choice_buttons.values()))
    assert ZWSP not in button.text() and ZWSP in _shown(button._label)


def _shown(label: Any) -> str:
    from PySide6.QtWidgets import QLabel

    return str(QLabel.text(label))  # what Qt draws, not the plain text


def test_reset_restores_the_normal_view(kiosk_window):
    window = kiosk_window
    modes = view_modes(window)
    window.choose_language("ja")
    window.welcome.view_button.click()
    assert modes.panel.isVisible()
    modes.panel.toggles["large_text"].click()
    modes.panel.toggles["high_contrast"].click()
    modes.panel.toggles["furigana"].click()
    assert window.styleSheet() and modes.furigana
    changes = []
    modes.changed.connect(lambda: changes.append(1))
    modes.reset()
    assert window.styleSheet() == "" and not modes.panel.isVisible() and changes == [1]
    assert not any(t.isChecked() for t in modes.panel.toggles.values())
    show(window, window.welcome)
    assert "（" not in _shown(window.welcome.title)


def test_furigana_is_offered_only_in_japanese(kiosk_window):
    window = kiosk_window
    modes = view_modes(window)
    window.choose_language("en")
    modes.open()
    assert not modes.panel.toggles["furigana"].isVisibleTo(modes.panel)
    show(window, window.welcome)
    assert window.welcome.view_button.text() == "Easier to see"
    window.choose_language("ja")
    modes.open()
    assert modes.panel.toggles["furigana"].isVisibleTo(modes.panel)


def test_a_notice_does_not_move_the_answers(kiosk_window):
    window = kiosk_window
    window.start_visit()
    window.continue_without_card()
    screen = window.question
    button = next(iter(screen.choice_buttons.values()))
    before = button.mapTo(window, button.rect().topLeft())
    screen.notice.show_message("もう一度お話しください。")
    window.layout().activate()
    screen.layout().activate()
    assert button.mapTo(window, button.rect().topLeft()) == before
