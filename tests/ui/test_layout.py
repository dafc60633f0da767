"""Every screen fits the smallest supported kiosk display, controls included."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.pcsc

SMALLEST = (1280, 1024)


def test_every_screen_fits_the_smallest_display(kiosk_window):
    width, height = SMALLEST
    hint = kiosk_window.stack.minimumSizeHint()
    assert hint.width() <= width and hint.height() <= height, hint
    for screen in kiosk_window.screens:
        size = screen.minimumSizeHint()
        assert size.height() <= height, (screen.objectName(), size)
        assert size.width() <= width, (screen.objectName(), size)


def test_a_question_with_eight_answers_and_speak_fits(kiosk_window):
    from kiosk.catalog import Catalog

    question = Catalog.load().tree.questions["purpose"]
    screen = kiosk_window.question
    screen.show_question(question, 1, 7, kiosk_window.texts)
    for button in (screen.repeat, screen.volume_down, screen.volume_up):
        button.show()
    screen.set_speakable(True)
    screen.show_listening("…")
    screen.notice.show_message("…")
    assert screen.minimumSizeHint().height() <= SMALLEST[1], screen.minimumSizeHint()
    screen.ask_confirmation("引っ越してきた（転入）", kiosk_window.texts)
    assert screen.minimumSizeHint().height() <= SMALLEST[1], screen.minimumSizeHint()
