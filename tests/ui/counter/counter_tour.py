"""Walk the counter app's desk screens in a real window and save a PNG of each.

Run by test_counter_screenshots.py under Xvfb:
``python -m tests.ui.counter.counter_tour OUT_DIR WORK_DIR WIDTHxHEIGHT``;
prints the names of the PNGs it wrote.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QPushButton, QWidget

from kiosk.queue import PollingEvents
from kiosk.supervision import Supervision
from kiosk.ui.counter.app import apply_counter_theme
from kiosk.ui.counter.desk import DeskPage
from kiosk.ui.counter.dialogs import ReasonDialog, confirm_correction
from kiosk.ui.counter.window import CounterWindow
from tests.counter_fixture import STAFF_PIN, SUPERVISOR_PIN, CounterWorld
from tests.storage.conftest import FakeClock


def wait(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the counter app did not get there")
        QCoreApplication.processEvents()
        time.sleep(0.01)


class Tour:
    def __init__(self, out: Path, window: CounterWindow, size: str) -> None:
        self.out, self.window, self.size = out, window, size
        self.names: list[str] = []

    def shot(self, name: str) -> None:
        for _ in range(5):
            QCoreApplication.processEvents()
            time.sleep(0.02)
        file = f"counter-{self.size}-{name}.png"
        self.window.grab().save(str(self.out / file))
        self.names.append(file)

    def shot_screen(self, name: str) -> None:
        """The whole X screen: a dialog is a window of its own, not part of ``grab()``."""
        for _ in range(10):
            QCoreApplication.processEvents()
            time.sleep(0.03)
        file = f"counter-{self.size}-{name}.png"
        screen = QGuiApplication.primaryScreen()
        screen.grabWindow(0).save(str(self.out / file))
        self.names.append(file)

    def sign_in(self, staff_id: str, pin: str) -> None:
        self.window.signin.staff_id.setText(staff_id)
        self.window.signin.pin.setText(pin)
        self.window.signin.button.click()


def serve(desk: DeskPage) -> None:
    desk.start_button.click()
    wait(lambda: not desk.pending and desk.current is not None and desk.current.status == "serving")
    desk.done_button.click()
    wait(lambda: not desk.pending and desk.current is not None and desk.current.status == "done")


def _press(text: str) -> None:
    """Click the button labelled ``text`` of the dialog that is open."""
    dialog = QApplication.activeModalWidget()
    assert isinstance(dialog, QWidget), "no dialog is open"
    next(b for b in dialog.findChildren(QPushButton) if b.text() == text).click()


def answer_correction(tour: Tour, field: str, old: str, new: str) -> bool:
    """The confirmation as the member sees it (photographed), then "Save"."""
    texts = tour.window.texts

    def answer() -> None:
        tour.shot_screen("desk-confirm-correction")
        _press(texts.text("counter.confirm_correction.yes"))

    QTimer.singleShot(300, answer)
    return confirm_correction(tour.window, texts, field, old, new)


def answer_reason(tour: Tour, why: str) -> str | None:
    """The reason dialog with a reason typed (photographed), then "Open"."""
    texts = tour.window.texts

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, ReasonDialog)
        dialog.reason.setText("本人が保険年金課の窓口に来庁したため")
        tour.shot_screen("desk-reason")
        _press(texts.text("counter.reason.open"))

    QTimer.singleShot(300, answer)
    return ReasonDialog.ask(texts, why, tour.window)


def main(out: Path, work: Path, size: str) -> None:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    apply_counter_theme(app)
    world = CounterWorld(f"sqlite:///{work / 'kiosk.db'}", work, FakeClock())
    references = [world.visit() for _ in range(2)]
    world.visit(card=False)
    world.queue.issue("resident", priority=True)
    supervision = Supervision(world.store, world.accounts, world.queue, world.context.settings)
    window = CounterWindow(
        world.desk,
        world.accounts,
        PollingEvents(world.store),
        idle_seconds=300,
        supervision=supervision,
        clock=world.clock,  # the store's clock, which signs in: a session is 10 hours at most
    )
    width, height = (int(v) for v in size.split("x"))
    window.resize(width, height)
    window.show()
    tour = Tour(out, window, size)
    desk = window.desk_page
    panel = desk.visit
    tour.shot("signin")
    tour.sign_in("S001", "1111")
    wait(lambda: "あと" in window.signin.message.text())
    tour.shot("signin-wrong-pin")
    tour.sign_in("S001", STAFF_PIN)
    wait(lambda: window.stack.currentWidget() is window.pick)
    tour.shot("pick-counter")
    window.pick.buttons["resident"].click()
    wait(lambda: desk.waiting_list.count() == 4)
    tour.shot("desk-waiting")
    desk.call_next_button.click()  # the priority ticket, issued at reception: no visit
    wait(lambda: not desk.pending and "入力内容はありません" in panel.heading.text())
    tour.shot("desk-called-without-visit")
    serve(desk)
    desk.call_next_button.click()
    wait(lambda: panel.view is not None and not desk.pending)
    tour.shot("desk-called")
    serve(desk)
    desk.scan.setText(f"WK:{references[1]}")
    desk.open_scanned()
    wait(lambda: desk.visit.view is not None and desk.visit.view.reference == references[1])
    panel.confirm_correction = lambda field, old, new: answer_correction(tour, field, old, new)
    panel.correct_field.setCurrentIndex(panel.correct_field.findData("name_kana"))
    panel.correct_value.setText("オオサカ タロウ")
    panel.correct_button.click()
    wait(lambda: "訂正しました" in desk.message.text())
    tour.shot("desk-scanned-corrected")
    window.show_counter_pick()
    window.pick.buttons["insurance"].click()  # another counter: a reason first
    desk.visits.ask_reason = lambda why: answer_reason(tour, why)
    desk.scan.setText(f"WK:{references[0]}")
    desk.open_scanned()
    wait(lambda: desk.visit.view is not None and not desk.pending)
    tour.shot("desk-other-counter-opened")
    window.sign_out_button.click()
    tour.sign_in("SV01", SUPERVISOR_PIN)
    wait(lambda: window.stack.currentWidget() is window.code_page)
    window.code_page.code.setText("000000")  # a code the app does not show: refused
    window.code_page.button.click()
    wait(lambda: "あと" in window.code_page.message.text())
    tour.shot("signin-code")
    window.code_page.code.setText(world.next_code())
    window.code_page.button.click()
    wait(lambda: window.stack.currentWidget() is window.pick)
    window.pick.buttons["resident"].click()
    desk.scan.setText(references[1])  # still waiting: its number is not deleted yet
    desk.open_scanned()
    wait(lambda: desk.visit.view is not None)
    panel.reveal_button.click()
    wait(lambda: desk.visit.view is not None and desk.visit.view.number_revealed)
    tour.shot("desk-supervisor-revealed")
    supervisor = window.supervisor
    assert supervisor is not None
    window.tabs.setCurrentWidget(supervisor)
    supervisor.setCurrentWidget(supervisor.counters_tab)
    supervisor.refresh()
    wait(lambda: not supervisor.busy)
    tour.shot("supervisor-in-window")
    window.sign_out_button.click()
    tour.shot("signed-out")
    window.shutdown()
    world.close()
    sys.stdout.write("\n".join(tour.names) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3])
