"""A private Xvfb display for the screenshot tests (real windows, not offscreen)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest


@contextlib.contextmanager
def xvfb(size: str) -> Iterator[str]:
    """Start Xvfb with one screen of ``size`` (e.g. "1280x1024x24"); yields ":N"."""
    if shutil.which("Xvfb") is None:
        pytest.fail("Xvfb is missing: apt-get install xvfb")
    read_fd, write_fd = os.pipe()
    process = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", size, "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        number = pipe.readline().strip()
    try:
        assert number, "Xvfb did not report its display"
        yield f":{number}"
    finally:
        process.terminate()
        process.wait(10)


def run_module_on(display: str, module: str, *args: str, timeout: float = 120) -> list[str]:
    """Run ``python -m module args`` as a real X client on ``display``; its stdout words.

    The screenshot tours print the names of the PNGs they wrote; a failure shows the
    tour's output.
    """
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=root,
        env={**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.split()
