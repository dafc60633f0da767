"""Test set-up shared by every test: isolated folders, headless Qt, device fixtures."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

# Before anything reads them: no test may touch the real user's settings or data,
# and Qt draws off-screen unless a test starts its own X server.
_HOME = Path(tempfile.mkdtemp(prefix="ward-kiosk-tests-"))
os.environ["XDG_DATA_HOME"] = str(_HOME / "data")
os.environ["XDG_CONFIG_HOME"] = str(_HOME / "config")
os.environ["XDG_CACHE_HOME"] = str(_HOME / "cache")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
for name in list(os.environ):
    if name.startswith("WARD_KIOSK_"):
        del os.environ[name]

pytest_plugins = [
    "tests.pcsc_fixture",
    "tests.cups_fixture",
    "tests.kiosk_fixture",
    "tests.counter_fixture",
    "tests.pg_fixture",
]
