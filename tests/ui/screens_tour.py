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
    w = tour.window
    tour.shot("welcome-ja")
    tour.click(w.welcome.start)
    tour.on(w.pin)
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
    tour.answer("move_in", shoot="question-ja-purpose")
    tour.answer("other_municipality", "2", shoot="question-ja-from")
    tour.answer("yes", "national", "all", shoot="question-ja-children")
    tour.answer("elderly", shoot="question-ja-priority")
    tour.on(w.result)
    tour.shot("result-ja")
    w._go(w.busy, idle=False)  # the busy screen is on only while printing
    w.busy.retranslate(w.texts)
    tour.shot("printing-ja")
    w._go(w.result)
    tour.click(w.result.print)
    tour.on(w.number)
    tour.shot("number-ja")
    tour.click(w.number.read)
    tour.on(w.pin)
    tour.shot("pin-ja-number")
    for digit in PIN:
        tour.click(w.pin.keys[digit])
    tour.click(w.pin.ok_key)
    tour.on(w.result)
    tour.shot("result-ja-number-read")
    tour.click(w.result.print)
    tour.on(w.done)
    tour.shot("done-ja")
    tour.click(w.done.finish)
    tour.on(w.welcome)


def english_path_without_card(tour: Tour) -> None:
    w = tour.window
    tour.click(w.welcome.language_buttons["en"])
    tour.shot("welcome-en")
    tour.click(w.welcome.start)
    tour.on(w.identity)
    tour.shot("identity-en-waiting")
    tour.click(w.identity.no_card)
    tour.answer("move_in", shoot="question-en-purpose")
    tour.answer("abroad", "4_or_more", "yes", shoot="question-en-from")
    tour.answer("none", shoot="question-en-insurance")
    tour.answer("some")
    tour.answer("none", shoot="question-en-priority")
    tour.on(w.result)
    tour.shot("result-en")
    w.idle.set_timeout_ms(50)
    w.idle.arm()
    tour.wait(w.overlay.isVisible, "idle question")
    tour.shot("idle-en")
    tour.click(w.overlay.more)
    w.idle.set_timeout_ms(w.context.settings.kiosk.idle_timeout_seconds * 1000)
    tour.click(w.result.print)
    tour.on(w.done)
    tour.shot("done-en")
    tour.click(w.done.finish)
    tour.on(w.welcome)


def korean_questions(tour: Tour) -> None:
    w = tour.window
    tour.click(w.welcome.language_buttons["ko"])
    tour.shot("welcome-ko")
    tour.click(w.welcome.start)
    tour.on(w.identity)
    tour.click(w.identity.no_card)
    tour.answer("move_in", shoot="question-ko-purpose-speak")
    tour.on(w.question)
    w.question.ask_confirmation(w.texts.choice("move_in_from", "other_ward"), w.texts)
    tour.shot("question-ko-confirm")
    w.question.hide_confirmation()
    tour.answer("other_municipality", "1", "no", "national", "all")
    tour.answer("pregnancy", shoot="question-ko-priority")
    tour.on(w.result)
    tour.shot("result-ko")
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
