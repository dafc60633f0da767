"""Time from `ward-kiosk run --demo` to the welcome screen being shown.

Each run is a fresh process (off-screen Qt), timed from spawn until the kiosk
reports that the welcome screen was shown. The baseline is a bare PySide6
process showing an empty window, timed the same way in the same run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import Row

ROOT = Path(__file__).resolve().parent.parent
RUNS = 5
BARE_QT = (
    "import sys\n"
    "from PySide6.QtCore import QTimer\n"
    "from PySide6.QtWidgets import QApplication, QMainWindow\n"
    "app = QApplication(sys.argv[:1]); w = QMainWindow(); w.resize(1280, 1024); w.show()\n"
    "def shown():\n"
    "    print('welcome screen shown', flush=True); w.close()\n"
    "QTimer.singleShot(0, shown); app.exec()\n"
)


def _time_until_shown(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, env=env, text=True, cwd=ROOT)
    assert process.stdout is not None
    elapsed = None
    for line in process.stdout:
        if "welcome screen shown" in line:
            elapsed = time.perf_counter() - started
    if process.wait(60) != 0 or elapsed is None:
        raise RuntimeError(f"{command[0]} did not show its window (exit {process.returncode})")
    return elapsed


def run() -> list[Row]:
    home = Path(tempfile.mkdtemp(prefix="kiosk-bench-"))
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "WARD_KIOSK_LOG_LEVEL": "WARNING",
    }
    kiosk = [str(Path(sys.executable).parent / "ward-kiosk"), "run", "--demo", "--windowed"]
    kiosk.append("--quit-when-shown")
    bare = [sys.executable, "-c", BARE_QT]
    baseline, ours = [], []
    for _ in range(RUNS):  # interleaved, so machine noise hits both alike
        baseline.append(_time_until_shown(bare, env))
        ours.append(_time_until_shown(kiosk, env))
    return [
        Row("startup: bare PySide6 window (baseline)", baseline),
        Row(
            "startup: ward-kiosk run --demo to welcome",
            ours,
            baseline,
            "virtual card starts alongside",
        ),
    ]
