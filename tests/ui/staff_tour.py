"""Screenshots of the "sent to staff" end of a visit, on a real X display (Xvfb).

Run by ``test_screenshots.py`` in a subprocess (QT_QPA_PLATFORM=xcb). The database
stops answering: first before the ticket (Japanese: to the information desk), then
after it (English: the number, and the counter where staff print the forms).

    python -m tests.ui.staff_tour OUTDIR WORKDIR
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication

from kiosk.card.service import CardService
from kiosk.checkout import Checkout
from kiosk.config import Settings
from kiosk.context import KioskContext
from kiosk.printing import FolderPrinter
from kiosk.tickets import PdfTicketPrinter
from kiosk.ui.app import apply_theme
from kiosk.ui.window import KioskWindow
from tests.keys import open_store
from tests.kiosk_fixture import watch_readers
from tests.ui.screens_tour import READER, Tour


class Hanging:
    """The real store, whose ``hang_in`` call waits until ``release`` is set."""

    def __init__(self, store: Any, release: threading.Event) -> None:
        self._store = store
        self.release = release
        self.hang_in = "save_visit"

    def __getattr__(self, name: str) -> Any:
        call = getattr(self._store, name)
        if name != self.hang_in:
            return call

        def hung(*args: Any, **kwargs: Any) -> Any:
            self.release.wait(30)
            return call(*args, **kwargs)

        return hung


def visit_to_staff(tour: Tour, language: str, shot: str) -> None:
    w = tour.window
    tour.on(w.welcome)
    tour.click(w.welcome.language_buttons[language])  # the language starts the visit
    tour.answer("certificate", "juminhyo")
    tour.on(w.result)
    tour.click(w.result.no_card)
    tour.answer("none")  # the priority question; then printing starts by itself
    tour.on(w.done)
    tour.shot(shot)


def leave(tour: Tour) -> None:
    """End the visit; touch 終わる on the card reminder if a card is on the reader."""
    w = tour.window
    w.end_visit()
    if w.current_screen() is w.done:
        tour.click(w.done.finish)
    tour.on(w.welcome)


def main(outdir: Path, workdir: Path) -> int:
    app = QApplication(sys.argv[:1])
    apply_theme(app)
    settings = Settings.model_validate(
        {
            "ward": {"name": "大阪市北区役所", "names": {"en": "Kita Ward Office, Osaka City"}},
            "database": {
                "url": f"sqlite:///{workdir / 'kiosk.db'}",
                "key_file": str(workdir / "keys" / "data.key"),
            },
            "kiosk": {"languages": ["ja", "en", "ko"], "busy_deadline_seconds": 1},
        }
    )
    context = KioskContext.load(settings=settings)
    release = threading.Event()
    store = Hanging(open_store(settings.database_url(), settings.key_file()), release)
    folder = FolderPrinter(workdir / "printed")
    checkout = Checkout(context, lambda: store, folder, PdfTicketPrinter(folder))
    window = KioskWindow(
        context, CardService(READER, allow_virtual=True), checkout, watch_readers=watch_readers
    )
    window.setGeometry(app.primaryScreen().geometry())
    window.showFullScreen()
    tour = Tour(window, outdir)
    try:
        tour.on(window.welcome)
        visit_to_staff(tour, "ja", "staff-ja-no-ticket")
        release.set()
        window.runner.wait(30_000)
        leave(tour)
        release.clear()
        store.hang_in = "service_seconds"  # the ticket is issued, then the database hangs
        visit_to_staff(tour, "en", "staff-en-with-ticket")
        release.set()
    finally:
        release.set()
        window.shutdown()
        checkout.close()
    print("\n".join(tour.shots))  # noqa: T201 (read by the test)
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
