"""Walk the real kiosk window through every screen and save a screenshot of each.

Run by ``test_screenshots.py`` in a subprocess on an Xvfb display (QT_QPA_PLATFORM=xcb),
with the test's private pcscd and the demo card in the virtual reader. The PNGs are
grabbed from the X server, so they show exactly what a visitor would see.

    python -m tests.ui.screens_tour OUTDIR WORKDIR
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from kiosk.card.service import CardService
from kiosk.config import Settings
from kiosk.context import KioskContext
from kiosk.speech.listener import Listener
from kiosk.speech.tts import RecordingSpeaker
from kiosk.ui.app import apply_theme
from kiosk.ui.window import KioskWindow
from tests.kiosk_fixture import make_checkout, watch_readers

READER = "Virtual PCD 00 00"
PIN = "1234"


class Tour:
    def __init__(self, window: KioskWindow, outdir: Path) -> None:
        self.window = window
        self.outdir = outdir
        self.shots: list[str] = []

    def wait(self, condition: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + 15
        while not condition():
            if time.monotonic() > deadline:
                raise SystemExit(f"timed out waiting for {what}")
            QTest.qWait(20)

    def on(self, screen: QWidget) -> None:
        self.wait(lambda: self.window.current_screen() is screen, screen.objectName())

    def click(self, button: QWidget) -> None:
        QTest.mouseClick(button, Qt.MouseButton.LeftButton)

    def shot(self, name: str) -> None:
        QTest.qWait(250)  # let the X server draw
        QApplication.processEvents()
        image = QGuiApplication.primaryScreen().grabWindow(0)
        path = self.outdir / f"{len(self.shots) + 1:02d}-{name}.png"
        image.save(str(path))
        self.shots.append(path.name)

    def answer(self, *choices: str, shoot: str = "") -> None:
        for index, choice in enumerate(choices):
            self.on(self.window.question)
            if shoot and index == 0:
                self.shot(shoot)
            QTest.qWait(self.window.question.tap_guard_ms + 50)  # past the double-tap guard
            self.click(self.window.question.choice_buttons[choice])


def japanese_path_with_card(tour: Tour) -> None:
    """Moving in, in Japanese: the questions, the result (two pages), the card with the
    My Number (one PIN, a wrong one first), the check, the priority question, printing,
    and the done screen holding "please take your card" (the card stays on the reader)."""
    w = tour.window
    tour.shot("welcome-ja")
    tour.click(w.welcome.language_buttons["ja"])  # the language starts the visit
    tour.answer("move_in", shoot="question-ja-purpose")
    tour.answer("other_municipality", "2", shoot="question-ja-from")
    tour.answer("yes", "national", "all", shoot="question-ja-children")
    tour.on(w.result)
    tour.shot("result-ja")
    if w.result.next_page.isVisible():
        tour.click(w.result.next_page)
        tour.shot("result-ja-page2")
        tour.click(w.result.previous_page)
    w._go(w.busy, idle=False)  # the busy screen is on only while printing
    w.busy.retranslate(w.texts)
    tour.shot("printing-ja")
    w._go(w.result)
    tour.click(w.result.card)  # with the card, the My Number read with the same PIN
    tour.on(w.pin)
    tour.shot("pin-ja-number")
    tour.click(w.pin.keys["9"])
    tour.click(w.pin.keys["9"])
    tour.shot("pin-ja-two-digits")
    for digit in "99":
        tour.click(w.pin.keys[digit])
    tour.click(w.pin.ok_key)
    tour.wait(lambda: bool(w.pin.notice.text()), "wrong PIN message")
    tour.shot("pin-ja-wrong")
    for digit in PIN:
        tour.click(w.pin.keys[digit])
    tour.click(w.pin.ok_key)
    tour.on(w.confirm)
    tour.shot("confirm-ja")
    tour.click(w.confirm.ok)
    tour.answer("elderly", shoot="question-ja-priority")  # after the card: she is 41
    tour.on(w.done)  # printing went on by itself
    tour.wait(lambda: w.done.holding_for_card, "take-your-card banner")
    tour.shot("done-ja-take-card")
    tour.click(w.done.finish)  # the visit is wiped; the reminder stays alone
    tour.wait(lambda: w.visit is None, "visit wiped")
    tour.shot("done-ja-card-reminder")
    tour.click(w.done.finish)
    tour.on(w.welcome)


def english_path_without_card(tour: Tour) -> None:
    """In English, the card left on the reader by the visit before: start over and call
    staff on a question, the idle question, "is this your card?", then no card."""
    w = tour.window
    w.choose_language("en")  # a language button starts the visit: the welcome first
    tour.shot("welcome-en")
    tour.click(w.welcome.language_buttons["en"])
    tour.answer("move_in", shoot="question-en-purpose")
    tour.on(w.question)
    tour.click(w.question.restart_button)
    tour.wait(w.restart_box.isVisible, "restart confirmation")
    tour.shot("restart-en")
    tour.click(w.restart_box.no)
    tour.click(w.question.call_staff_button)
    tour.wait(w.staff_box.isVisible, "staff call box")
    w.runner.wait(5_000)  # the call is raised (or its failure shown)
    QTest.qWait(100)
    tour.shot("call-staff-en")
    tour.click(w.staff_box.yes)
    tour.answer("abroad", "4_or_more", "yes", shoot="question-en-from")
    tour.answer("none", shoot="question-en-insurance")
    tour.answer("some")
    tour.on(w.result)
    tour.shot("result-en")
    w.idle.set_timeout_ms(50)
    w.idle.arm()
    tour.wait(w.overlay.isVisible, "idle question")
    tour.shot("idle-en")
    tour.click(w.overlay.more)
    w.idle.set_timeout_ms(w.context.settings.kiosk.idle_timeout_seconds * 1000)
    tour.click(w.result.card_only if w.result.card_only.isVisible() else w.result.card)
    tour.on(w.identity)
    tour.wait(w.identity.whose_card.isVisible, "is this your card?")
    tour.shot("identity-en-whose-card")
    tour.click(w.identity.not_mine)
    tour.shot("identity-en-not-mine")
    tour.click(w.identity.no_card)
    tour.answer("none", shoot="question-en-priority")
    tour.on(w.done)
    tour.shot("done-en")
    tour.click(w.done.finish)
    if w.current_screen() is w.done:  # the reminder, while the card is on the reader
        tour.click(w.done.finish)
    tour.on(w.welcome)


def korean_questions(tour: Tour) -> None:
    w = tour.window
    w.choose_language("ko")
    tour.shot("welcome-ko")
    tour.click(w.welcome.language_buttons["ko"])
    tour.answer("move_in", shoot="question-ko-purpose-speak")
    tour.on(w.question)
    w.question.ask_confirmation(w.texts.choice("move_in_from", "other_ward"), w.texts)
    tour.shot("question-ko-confirm")
    w.question.hide_confirmation()
    tour.answer("other_municipality", "1", "no", "national", "all")
    tour.on(w.result)
    tour.shot("result-ko")
    tour.click(w.result.no_card)
    tour.answer("pregnancy", shoot="question-ko-priority")
    tour.on(w.done)
    w.end_visit()


def main(outdir: Path, workdir: Path) -> int:
    app = QApplication(sys.argv[:1])
    apply_theme(app)
    settings = Settings.model_validate(
        {
            "ward": {"name": "大阪市北区役所", "names": {"en": "Kita Ward Office, Osaka City"}},
            "database": {
                "url": f"sqlite:///{workdir / 'kiosk.db'}",
                "private_key_file": str(workdir / "keys" / "ward-key.pem"),
                "public_key_file": str(workdir / "keys" / "ward-key.pem.pub"),
            },
            "printing": {"output_dir": str(workdir / "printed")},
            "kiosk": {"languages": ["ja", "en", "ko"]},
        }
    )
    context = KioskContext.load(settings=settings)
    checkout = make_checkout(context)
    listener = Listener(settings)
    listener.load_all()  # the packaged Korean model: Korean screens show Speak
    window = KioskWindow(
        context,
        CardService(READER, allow_virtual=True),
        checkout,
        watch_readers=watch_readers,
        speaker=RecordingSpeaker(),
        listener=listener,
    )
    window.setGeometry(app.primaryScreen().geometry())
    window.showFullScreen()
    tour = Tour(window, outdir)
    try:
        tour.on(window.welcome)
        japanese_path_with_card(tour)
        english_path_without_card(tour)
        korean_questions(tour)
    finally:
        window.shutdown()
        checkout.close()
    print("\n".join(tour.shots))  # noqa: T201 (read by the test)
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
