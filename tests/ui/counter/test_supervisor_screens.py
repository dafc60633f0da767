"""The supervisor page in a real window under Xvfb at 1366x768 and 1920x1080, with a
realistic day of data: one PNG per tab in artifacts/counter/ for people to look at.

Run on its own as ``python -m tests.ui.counter.test_supervisor_screens OUT WxH TMP``
(the test does this on a private X server).
"""

from __future__ import annotations

import sys
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest

from tests.ui.xvfb import run_module_on, xvfb

ROOT = Path(__file__).resolve().parents[3]
OUT = ROOT / "artifacts" / "counter"
SIZES = ("1366x768", "1920x1080")
TABS = ("calls", "counters", "staff", "access_log", "kiosks", "today")


@pytest.mark.xvfb
@pytest.mark.parametrize("size", SIZES)
def test_each_tab_under_xvfb(size: str, tmp_path: Path) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with xvfb(f"{size}x24") as display:
        run_module_on(display, "tests.ui.counter.test_supervisor_screens", str(OUT), size)
    width, height = (int(n) for n in size.split("x"))
    for tab in TABS:
        _assert_drawn(OUT / f"supervisor-{tab}-{size}.png", width, height)


def _assert_drawn(path: Path, width: int, height: int) -> None:
    from PySide6.QtGui import QImage

    image = QImage(str(path))
    assert (image.width(), image.height()) == (width, height), path.name
    colours = {image.pixel(x, y) for x in range(0, width, 23) for y in range(0, height, 19)}
    assert len(colours) > 3, f"{path.name} looks blank"


# -- the tour (runs in its own process, on the X server) -----------------------------------


def _realistic_day(office: object) -> None:
    from kiosk.storage import HealthCheck
    from kiosk.visit import Visit
    from tests.test_supervision import DAY, Office, at

    assert isinstance(office, Office)
    store, clock, queue, accounts = office.store, office.clock, office.queue, office.accounts
    for staff_id, name, role in (
        ("S002", "佐藤 花子", "staff"),
        ("S003", "鈴木 健一", "staff"),
        ("S004", "高橋 美咲", "staff"),
        ("S005", "田中 誠", "supervisor"),
    ):
        accounts.add(staff_id, name, role, "4826", by="cli:setup")  # type: ignore[arg-type]
    accounts.deactivate("S004", by="cli:setup")
    clock.now = at(DAY, 8, 30)
    for _ in range(5):
        try:
            accounts.authenticate("S003", "9999")
        except Exception:  # noqa: BLE001, S112  (WrongPin, then Locked: what the lock needs)
            continue
    languages = ["ja"] * 5 + ["en", "ko", "ja", "vi", "en"]
    categories = ["resident", "resident", "insurance", "children", "resident", "insurance"]
    for minute in range(0, 7 * 60, 4):
        clock.now = at(DAY, 8, 45) + timedelta(minutes=minute)
        n = minute // 4
        visit = Visit(
            language=languages[n % len(languages)],
            started_at=clock.now,
            used_card=n % 3 != 0,
            used_voice=n % 5 == 0,
        )
        status = "abandoned" if n % 7 == 0 else "completed"
        store.save_visit(visit, kiosk_id="kita-1f-01", status=status)  # type: ignore[arg-type]
        queue.issue(categories[n % len(categories)])
        if n % 2 == 1:
            for counter in ("resident", "insurance", "children"):
                called = queue.call_next(counter)
                if called is None:
                    continue
                if n % 11 == 0:
                    queue.no_show(called.id, counter)
                    continue
                queue.start(called.id, counter)
                clock.now += timedelta(minutes=3 + n % 9)
                queue.done(called.id, counter)
    clock.now = at(DAY, 15, 50)
    store.record_heartbeat(
        "kita-1f-02",
        [
            HealthCheck("card_reader", "ok", "ACS ACR1252 (PC/SC)"),
            HealthCheck("forms_printer", "warning", "トナー残量わずか"),
            HealthCheck("ticket_printer", "ok", "ESC/POS 192.0.2.40"),
            HealthCheck("speech_models", "ok", "ja, en, ko"),
        ],
        version="1.4.1",
    )
    clock.now = at(DAY, 16, 2)
    store.record_heartbeat(
        "kita-1f-01",
        [
            HealthCheck("card_reader", "ok", "ACS ACR1252 (PC/SC)"),
            HealthCheck("forms_printer", "ok", "CUPS: kita-1f-laser"),
            HealthCheck("ticket_printer", "error", "用紙切れ"),
            HealthCheck("speech_models", "warning", "ko のモデルがありません"),
        ],
        version="1.4.1",
    )
    clock.now = at(DAY, 16, 5)
    office.supervision.set_counter_open(office.boss, "children", False)
    store.raise_staff_call(kiosk_id="kita-1f-02", screen="pin", language="en")
    store.raise_staff_call(kiosk_id="kita-1f-01", screen="question", language="ko")


def main(out: Path, size: str) -> int:
    from PySide6.QtWidgets import QApplication, QMainWindow

    from kiosk.i18n import Translations
    from kiosk.ui.counter.app import apply_counter_theme
    from kiosk.ui.counter.supervisor import SupervisorPanel
    from kiosk.ui.tasks import TaskRunner
    from tests.test_supervision import TOKYO, open_office

    width, height = (int(n) for n in size.split("x"))
    app = QApplication([])
    apply_counter_theme(app)
    with tempfile.TemporaryDirectory() as tmp:
        office = open_office(f"sqlite:///{tmp}/kiosk.db", Path(tmp) / "kiosk.key")
        _realistic_day(office)
        today = office.supervision.today
        office.supervision.today = lambda by, zone=None: today(by, TOKYO)  # type: ignore[method-assign]
        runner = TaskRunner()
        window = QMainWindow()
        panel = SupervisorPanel(office.supervision, runner, Translations.load("ja"))
        window.setCentralWidget(panel)
        window.setGeometry(0, 0, width, height)
        window.show()
        panel.set_member(office.boss)
        for index, tab in enumerate(TABS):
            panel.setCurrentIndex(index)
            _settle(app, panel)
            if tab == "staff":
                panel.staff_tab.select("S003")
            app.processEvents()
            window.grab().save(str(out / f"supervisor-{tab}-{size}.png"))
        content = panel.today_tab.content
        content.grab().save(str(out / f"supervisor-today-all-{size}.png"))
        _dialogs(app, panel, out, size)
        panel.set_member(None)
        runner.wait(5_000)
        office.store.close()
    return 0


def _dialogs(app: object, panel: object, out: Path, size: str) -> None:
    from PySide6.QtWidgets import QApplication

    from kiosk.ui.counter.supervisor import SupervisorPanel
    from kiosk.ui.counter.supervisor_staff import PinDialog, StaffDialog

    assert isinstance(app, QApplication) and isinstance(panel, SupervisorPanel)
    add = StaffDialog(panel.host, panel)
    add.staff_id.setText("S006")
    add.name.setText("山本 さくら")
    add.pin.setText("4826")
    add.pin_again.setText("4827")
    add.show()
    add.try_accept()  # shows the mismatch message
    app.processEvents()
    add.grab().save(str(out / f"supervisor-dialog-add-{size}.png"))
    add.forget()
    pin = PinDialog(panel.host, panel, "S003")
    pin.show()
    pin.pin.setText("1234")
    pin.pin_again.setText("1234")
    pin.try_accept()  # shows the weak-PIN message
    app.processEvents()
    pin.grab().save(str(out / f"supervisor-dialog-pin-{size}.png"))
    pin.forget()


def _settle(app: object, panel: object) -> None:
    import time

    from PySide6.QtWidgets import QApplication

    assert isinstance(app, QApplication)
    deadline = time.monotonic() + 20
    while getattr(panel, "busy", False) and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)  # polling the event loop of a separate process, not a test wait
    app.processEvents()


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), sys.argv[2]))
