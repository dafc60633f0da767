"""Every kiosk screen with realistic content, for the fit checks and the mode screenshots.

``screen_states(window)`` yields ``(name, screen)`` with ``screen`` shown in the
window, through the window's own methods where it has them, so that a screen's
new content (pages, banners) is covered without changes here.

"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from PySide6.QtWidgets import QWidget

from kiosk.guidance import counter_label
from kiosk.person import Person

PREFERRED = ("move_in", "yes", "other_municipality", "all")
"""Answers that lead to the most procedures (the longest result screen)."""
MODES = {
    "normal": {},
    "large": {"large_text": True},
    "contrast": {"high_contrast": True},
    "furigana": {"furigana": True},
}
SCREENS = {  # name -> (width, height, px per mm)
    "19in-1280x1024": (1280, 1024, 3.3966),
    "21.5in-1920x1080": (1920, 1080, 4.0339),
}


def view_modes(window: Any) -> Any:
    """The window's ViewModes, wired here as kiosk/ui/view_modes.py says if it has none."""
    from kiosk.ui.view_modes import ViewModes

    if getattr(window, "view_modes", None) is None:
        window.view_modes = ViewModes(window, window.screens, lambda: window.texts)
    return window.view_modes


def show(window: Any, screen: QWidget) -> None:
    window._go(screen)
    modes = getattr(window, "view_modes", None)
    if modes is not None:
        modes.apply(screen)


def screen_states(window: Any) -> Iterator[tuple[str, QWidget]]:
    texts = window.texts
    window.show_welcome()  # in the kiosk's first language
    window.choose_language(texts.language)
    show(window, window.welcome)
    yield "welcome", window.welcome
    prepared = getattr(window, "prepared", None)  # the code from home, where it is a screen
    if prepared is not None:
        window.show_prepared()
        for char in "K7QM4HXP":
            prepared.press(char)
        prepared.show_error(texts.text("ui.errors.pre_entry_not_found"))
        yield "prepared", prepared
    window.start_visit()
    for screen in (window.identity, window.pin, window.confirm):
        screen.retranslate(texts)
    window.identity.notice.show_message(texts.text("ui.errors.card_removed"))
    show(window, window.identity)
    yield "identity", window.identity
    window.identity.ask_whose_card()
    yield "identity-whose-card", window.identity
    window.identity.hide_whose_card()
    window.pin.start(3)
    window.pin.notice.show_message(texts.text("ui.errors.card_removed"))
    show(window, window.pin)
    yield "pin", window.pin
    person = Person("山田 花子", "大阪府大阪市北区扇町二丁目1番27号 北区マンション1203号室",
                    datetime.date(1950, 4, 1), "female")  # fmt: skip
    window.confirm.show_person(person, texts)
    show(window, window.confirm)
    yield "confirm", window.confirm
    window.start_visit()  # again: the questions, up to the next screen that is not one
    yield from _questions(window)
    if window.current_screen() is window.result:
        show(window, window.result)
        yield "result", window.result
        window.result.show_failure(texts.text("ui.errors.unexpected"))
        yield "result-failure", window.result
        window.restart_box.show()  # over the screen: the screen behind stays as it is
        window.ask_restart()
        yield "restart-box", window.result
        window.restart_box.hide()
    number = getattr(window, "number", None)  # the My Number offer, where it is a screen
    if number is not None:
        number.offer(texts, [texts.procedure(p) for p in window.visit.procedures[:3]])
        show(window, number)
        yield "number", number
    window.checkout_run.reset()
    window.runner.cancel_all()
    window.busy.retranslate(texts)
    show(window, window.busy)
    yield "busy", window.busy
    counter = counter_label(window.context.settings, texts, "insurance")
    stops = [texts.text("ui.route.stop", number=n) for n in ("2", "5", "8")]
    route = texts.text("ui.route.summary", n=4, route=texts.text("ui.route.arrow").join(stops))
    window.done.show_outcome(
        texts, ticket_code="A-123", counter=counter, waiting_ahead=12, saved_to="",
        problem="", seconds=30, priority=True, route=route,
    )  # fmt: skip
    show(window, window.done)
    yield "done", window.done
    window.done.hold_for_card(texts)
    yield "done-take-card", window.done
    window.done.show_card_reminder(texts, ticket_code="A-123", seconds=30)
    yield "done-card-reminder", window.done


def _questions(window: Any) -> Iterator[tuple[str, QWidget]]:
    """Every question the visit asks until another screen comes (the result, printing)."""
    screen = window.question
    for _ in range(50):
        if window.current_screen() is window.identity:
            window.continue_without_card()
        if window.current_screen() is not screen:
            return
        modes = getattr(window, "view_modes", None)
        if modes is not None:
            modes.apply(screen)
        for button in (screen.repeat, screen.volume_down, screen.volume_up):
            button.show()
        screen.set_speakable(True)
        screen.notice.show_message(window.texts.text("ui.speech.not_understood"))
        yield f"question-{screen.question_id}", screen
        choices = list(screen.choice_buttons)
        choice = next((c for c in PREFERRED if c in choices), choices[0])
        window.answer(choice)


def set_modes(window: Any, **on: bool) -> None:
    modes = view_modes(window)
    modes.reset()
    for mode, value in on.items():
        modes.set_mode(mode, value)
