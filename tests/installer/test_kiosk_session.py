"""The kiosk window in a kiosk session: close requests are ignored until staff allow it,
and systemd hears READY=1 and WATCHDOG=1 from the GUI thread."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from kiosk.sd_notify import Notifier
from kiosk.ui.service import ServiceNotifications


def test_a_locked_window_ignores_close_requests(qtbot, kiosk_window):
    kiosk_window.show()
    kiosk_window.lock_close()
    assert not kiosk_window.close()  # Alt+F4, or the compositor asking
    assert kiosk_window.isVisible()
    assert kiosk_window.current_screen() is kiosk_window.welcome
    kiosk_window.allow_close()
    assert kiosk_window.close()
    assert not kiosk_window.isVisible()


def test_ready_then_the_watchdog_from_a_qt_timer(qtbot, kiosk_window, tmp_path: Path):
    path = str(tmp_path / "notify")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(path)
        sock.setblocking(False)
        notifier = Notifier({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "100000"})
        service = ServiceNotifications(kiosk_window, notifier)
        service.shown("welcome screen shown")
        assert service.timer.interval() == 50
        qtbot.wait(180)
        service.stopping()
        messages = []
        while True:
            try:
                messages.append(sock.recv(4096))
            except BlockingIOError:
                break
    assert messages[0] == b"READY=1\nSTATUS=welcome screen shown"
    assert messages[-1] == b"STOPPING=1"
    assert 2 <= messages.count(b"WATCHDOG=1") <= 4


_SIGTERM_CHILD = """
import os, signal, sys, time
from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication
from kiosk.ui.service import quit_on_sigterm
app = QApplication([])
parent = QObject()  # keeps the poll timer alive
handler = quit_on_sigterm(app, parent)
QTimer.singleShot(50, lambda: os.kill(os.getpid(), signal.SIGTERM))
QTimer.singleShot(5000, lambda: app.exit(99))  # had the signal been lost
started = time.monotonic()
code = app.exec()
handler.restore()
restored = signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
print(code, round(time.monotonic() - started, 3), restored)
"""


def test_sigterm_ends_the_event_loop_cleanly():
    """``systemctl stop``: the loop returns, so run_kiosk's cleanup runs. In a child
    process: quitting the test session's own application would end every later wait."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    child = subprocess.run(
        [sys.executable, "-c", _SIGTERM_CHILD],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert child.returncode == 0, child.stderr
    code, seconds, restored = child.stdout.split()
    assert code == "0"
    assert float(seconds) < 2
    assert restored == "True"
