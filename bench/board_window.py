"""Call next at a counter PC -> the number drawn on the waiting-room board's window.

Run by bench/queue.py in a fresh process: ``python -m bench.board_window URL KEY RUNS``.
The board is the real BoardWindow (offscreen Qt, no chime or voice) subscribed with
LISTEN; its periodic reload is set to an hour, so only the notification can bring the
number. Prints one JSON line: the seconds from calling ``call_next`` to the number
being in the window's labels, once per run.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

HOUR_MS = 3_600_000


def main(url: str, key: Path, runs: int) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    from bench.queue import _service
    from kiosk.config import Settings
    from kiosk.i18n import Translations
    from kiosk.queue import open_events
    from kiosk.ui.board.window import BoardWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    board_service, counter_pc = _service(url, key), _service(url, key)
    texts = {code: Translations.load(code) for code in ("ja", "en")}
    window = BoardWindow(
        Settings(), board_service, open_events(board_service.store), texts, refresh_ms=HOUR_MS
    )
    window.resize(1920, 1080)
    window.show()
    samples = []
    try:
        _settle(app, 0.5)
        for _ in range(runs):
            counter_pc.issue("consultation")
            start = time.perf_counter()
            ticket = counter_pc.call_next("information")
            assert ticket is not None
            while window.main_code.text() != ticket.code:
                QCoreApplication.processEvents()
                time.sleep(0.0005)
                if time.perf_counter() - start > 5:
                    raise TimeoutError(f"{ticket.code} never reached the board")
            samples.append(time.perf_counter() - start)
            _settle(app, 0.05)
    finally:
        window.shutdown()
        board_service.store.close()
        counter_pc.store.close()
    sys.stdout.write(json.dumps({"samples": samples}) + "\n")


def _settle(app: object, seconds: float) -> None:
    from PySide6.QtCore import QCoreApplication

    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        QCoreApplication.processEvents()
        time.sleep(0.001)


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]))
