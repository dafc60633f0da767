"""What a visitor who cannot see the screen hears on the moving-in path, in every language
that has a voice.

The window narrates into a recording speaker, so each screen's narration is known;
each narration is then rendered by the real engine (Open JTalk for Japanese,
espeak-ng for the others) and measured: audible, and as long as its text needs.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from bench.voice import MOVING_IN
from kiosk.card.virtual.persona import load_persona
from kiosk.config import VoiceSettings
from kiosk.context import KioskContext
from kiosk.resources import resource
from kiosk.speech.phrases import split_phrases
from kiosk.speech.speaker import KioskSpeaker
from kiosk.speech.tts import RecordingSpeaker, SpeakError
from kiosk.ui.narration import SKIPPED, spoken_text
from tests.audio_checks import assert_speaks
from tests.kiosk_fixture import Visitor, make_checkout, window_with

pytestmark = pytest.mark.pcsc

PERSONA = load_persona(resource("personas", "demo.toml"))
# Every offered language a voice on this machine speaks (espeak-ng has no Filipino voice:
# tests/speech/test_no_voice.py walks that language).
LANGUAGES = ["ja", "ja-easy", "en", "zh-Hans", "ko", "vi", "ne", "id", "pt-BR"]


@pytest.fixture
def context(kiosk_settings):
    kiosk = kiosk_settings.kiosk.model_copy(update={"languages": LANGUAGES})
    return KioskContext.load(settings=kiosk_settings.model_copy(update={"kiosk": kiosk}))


def visible_in_reading_order(screen: QWidget) -> list[str]:
    """What the eye reads on ``screen``, top to bottom and left to right, found apart from
    the narration's own layout walk: every visible text widget, by position on screen."""
    found = []
    for widget in screen.findChildren(QWidget):
        if not isinstance(widget, QLabel | QPushButton) or widget.objectName() in SKIPPED:
            continue
        if not widget.isVisibleTo(screen) or _inside_button(widget):
            continue
        text = spoken_text(widget)
        if text and not widget.property("private") and not _private_parent(widget):
            top_left = widget.mapTo(screen, QPoint(0, 0))
            found.append((top_left.y(), top_left.x(), text))
    return [text for _y, _x, text in sorted(found)]


def _inside_button(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    return isinstance(widget, QLabel) and isinstance(parent, QPushButton)


def _private_parent(widget: QWidget) -> bool:
    node = widget.parentWidget()
    while node is not None:
        if node.property("private"):
            return True
        node = node.parentWidget()
    return False


def walk_moving_in(visitor: Visitor, language: str, speaker: RecordingSpeaker) -> list[str]:
    """Moving in with the card, from the language to the printed ticket; the narrations
    heard. The questions before the card lead to the result, the card step (one PIN, the
    My Number too), then the priority question, and printing goes on by itself."""
    window = visitor.window
    visitor.start(language, voice_guide=True)
    answer_questions(visitor, language, speaker, until=window.result)
    assert_heard_as_shown(window.result, language, speaker)
    visitor.with_card(PERSONA.pin, number=True)
    assert_heard_as_shown(window.confirm, language, speaker)
    visitor.click(window.confirm.ok)
    answer_questions(visitor, language, speaker, until=window.done)
    # The card is still on the reader: the banner is read with the screen (and no
    # countdown, there is none), then said on its own every few seconds until it is lifted.
    assert window.done.holding_for_card
    assert speaker.texts(language)[-1] == spoken_text(window.done.take_card)
    assert_heard_as_shown(window.done, language, speaker)
    return list(dict.fromkeys(speaker.texts(language)))


def answer_questions(
    visitor: Visitor, language: str, speaker: RecordingSpeaker, *, until: QWidget
) -> None:
    """Answer the moving-in questions shown until ``until``, each heard as it is shown."""
    window = visitor.window
    while True:
        visitor.qtbot.waitUntil(lambda: window.current_screen() in (window.question, until))
        if window.current_screen() is until:
            return
        question = window.question
        assert_heard_as_shown(question, language, speaker, question.question_id)
        visitor.answer(MOVING_IN.get(question.question_id, next(iter(question.choice_buttons))))


def assert_heard_as_shown(
    screen: QWidget,
    language: str,
    speaker: RecordingSpeaker,
    what: str = "",
) -> None:
    """The last whole-screen narration ends with what ``screen`` shows, in reading order
    (after it, the done screen's "please take your card" reminder is said on its own)."""
    shown = "\n".join(visible_in_reading_order(screen)).splitlines()
    said = [text for text in speaker.texts(language) if "\n" in text][-1].splitlines()
    assert shown and said[-len(shown) :] == shown, (
        f"{what or screen.objectName()}: the narration is not what the screen shows"
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_screen_of_moving_in_is_heard(
    qtbot, qapp, context, card_service, virtual_card, tmp_path: Path, language: str
):
    speaker = RecordingSpeaker()
    with window_with(qtbot, context, card_service, make_checkout(context), speaker=speaker) as w:
        narrations = walk_moving_in(Visitor(qtbot, w), language, speaker)
        assert w.visit is not None and w.visit.ticket is not None
    screens = [text for text in narrations if "\n" in text]  # whole screens, not "2 of 4"
    assert len(screens) >= 12, f"only {len(screens)} screens were read"
    with KioskSpeaker(context.settings.speech, player=[]) as engine:
        for index, text in enumerate(narrations):
            wav = tmp_path / f"{language}-{index:02d}.wav"
            try:
                engine.save(text, language, wav, timeout=120)
            except SpeakError as e:
                pytest.fail(f"{language} narration not rendered: {e}\n{text}")
            assert_speaks(wav, text)


def test_a_question_never_reads_the_previous_answers(
    qtbot, qapp, context, card_service, pcsc_reader
):
    speaker = RecordingSpeaker()
    with window_with(qtbot, context, card_service, make_checkout(context), speaker=speaker) as w:
        visitor = Visitor(qtbot, w)
        visitor.start("en", voice_guide=True)
        visitor.answer("move_in")
        visitor.wait_for(w.question)
        heard = speaker.texts("en")[-1]
        assert "Where did you move from?" in heard
        for old in ("I moved into this ward", "Child allowance", "Something else"):
            assert old not in heard, f"{old!r} belongs to the question before"
        assert heard.splitlines()[:2] == ["Question 2 of 7", "Where did you move from?"]
        assert heard.splitlines()[-2:] == visible_in_reading_order(w.question)[-2:]


# Plays in real time without a sound card, noting when each phrase starts and ends.
TIMED_PLAYER = """
import sys, time, wave
with wave.open(sys.argv[2]) as w:
    seconds = w.getnframes() / w.getframerate()
with open(sys.argv[1], "a") as log:
    log.write(f"start {time.monotonic()}\\n")
    log.flush()
    time.sleep(seconds)
    log.write(f"end {time.monotonic()}\\n")
"""


def test_a_narration_longer_than_the_idle_timeout_is_heard_to_the_end(
    qtbot, qapp, kiosk_settings, card_service, pcsc_reader, tmp_path: Path
):
    speech = kiosk_settings.speech.model_copy(update={"voices": {"en": VoiceSettings(rate=320)}})
    settings = kiosk_settings.model_copy(update={"speech": speech})
    context = KioskContext.load(settings=settings)
    log = tmp_path / "played.log"
    speaker = KioskSpeaker(settings.speech, player=[sys.executable, "-c", TIMED_PLAYER, str(log)])
    try:
        with window_with(
            qtbot, context, card_service, make_checkout(context), speaker=speaker
        ) as window:
            window.idle.set_timeout_ms(1_500)
            visitor = Visitor(qtbot, window)
            visitor.start("en", voice_guide=True)  # the first question, right after the language
            narration = speaker.last
            assert narration is not None and "What brings you here today?" in narration.text
            qtbot.waitUntil(window.overlay.isVisible, timeout=60_000)
            overlay_at = time.monotonic()
    finally:
        speaker.close()
    phrases = split_phrases(narration.text, "en")
    starts = [float(line.split()[1]) for line in log.read_text().splitlines() if "start" in line]
    ends = [float(line.split()[1]) for line in log.read_text().splitlines() if "end" in line]
    # The welcome screen's introduction was cut by the touch on the language; the screen after it
    # was heard phrase by phrase, to the end, and only then did the idle countdown begin.
    assert len(ends) >= len(phrases)
    heard_seconds = ends[-1] - starts[-len(phrases)]
    assert heard_seconds > 1.5, "longer than the idle timeout"
    assert overlay_at - ends[-1] >= 1.4


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_code_screen_of_a_visit_prepared_at_home_is_heard(
    qtbot, qapp, context, card_service, tmp_path: Path, language: str
):
    """自宅で準備した方 with the voice guide on: the code screen and a wrong code's message
    are read as shown, and the narration is audible (Open JTalk, espeak-ng)."""
    speaker = RecordingSpeaker()
    with window_with(qtbot, context, card_service, make_checkout(context), speaker=speaker) as w:
        visitor = Visitor(qtbot, w)
        w.choose_language(language)
        visitor.click(w.welcome.voice_guide)
        visitor.click(w.welcome.prepared)
        visitor.wait_for(w.prepared)
        assert_heard_as_shown(w.prepared, language, speaker)
        for char in "ABCDEFGHJKLM":
            visitor.click(w.prepared.keys[char])
        visitor.click(w.prepared.ok)
        qtbot.waitUntil(lambda: w.prepared.notice.isVisible(), timeout=10_000)
        message = w.texts.text("ui.errors.pre_entry_not_found")
        qtbot.waitUntil(lambda: message in speaker.texts(language), timeout=5_000)
        screen = [t for t in speaker.texts(language) if "\n" in t][-1]
    for index, heard in enumerate((screen, message)):
        with KioskSpeaker(context.settings.speech, player=[]) as engine:
            wav = tmp_path / f"prepared-{language}-{index}.wav"
            engine.save(heard, language, wav, timeout=120)
            assert_speaks(wav, heard)
