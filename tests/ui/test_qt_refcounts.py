"""Guards against Qt bindings that corrupt reference counts: the kiosk runs for days."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    number = Signal(int)
    flag = Signal(bool)


def test_emitting_signals_keeps_true_and_false_alive(qapp):
    # PySide6 6.12.0 returned True from emit() without a reference: each emit took one
    # from True, and after a few hundred the process aborted ("bool_dealloc").
    emitter = _Emitter()
    heard: list[object] = []
    emitter.number.connect(heard.append)
    emitter.flag.connect(heard.append)
    before = sys.getrefcount(True), sys.getrefcount(False)
    for _ in range(200):
        emitter.number.emit(1)
        emitter.flag.emit(False)
    heard.clear()
    assert (sys.getrefcount(True), sys.getrefcount(False)) == before
