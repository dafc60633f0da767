"""Run blocking device and database work off the GUI thread."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(object)


class _Task(QRunnable):
    def __init__(self, fn: Callable[[], Any], signals: _Signals) -> None:
        super().__init__()
        self._fn = fn
        self._signals = signals

    @Slot()
    def run(self) -> None:
        try:
            result = self._fn()
        # Every failure must reach the screen as a message, whatever raised it.
        except Exception as error:  # noqa: BLE001
            self._signals.failed.emit(error)
        else:
            self._signals.done.emit(result)


class TaskRunner(QObject):
    """Starts work on a thread pool and delivers its result on the GUI thread.

    Each task belongs to a generation; ``cancel_all()`` starts a new one, and
    results of older generations are dropped, so work still running when a
    visitor leaves can never put their data back on screen.
    """

    def __init__(self, parent: QObject | None = None, pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        self._pool = pool or QThreadPool(self)
        self._generation = 0
        self._live: set[_Signals] = set()

    def submit(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[Exception], None],
    ) -> None:
        generation = self._generation
        signals = _Signals()
        self._live.add(signals)

        def deliver(callback: Callable[[Any], None], value: Any) -> None:
            self._live.discard(signals)
            signals.deleteLater()
            if generation == self._generation:
                callback(value)

        signals.done.connect(lambda value: deliver(on_done, value))
        signals.failed.connect(lambda error: deliver(on_error, error))
        self._pool.start(_Task(fn, signals))

    def cancel_all(self) -> None:
        """Forget every task in flight: their results will not be delivered."""
        self._generation += 1

    @property
    def busy(self) -> bool:
        return bool(self._live)

    def wait(self, msecs: int = 30_000) -> bool:
        """Block until the pool is idle (shutdown and tests)."""
        return self._pool.waitForDone(msecs)


class ThreadBridge(QObject):
    """Carries values from another thread (e.g. queue events from the notifier's thread)
    to the GUI thread: connect ``arrived``, hand ``arrived.emit`` to the other thread."""

    arrived = Signal(object)


class Reloads:
    """Reading on a ``TaskRunner`` one load at a time: ``reload()`` asked for while a
    load runs starts one more once it ends (and every ask between counts as that one).

    ``read`` runs on the pool; ``done`` (with its result) or ``failed`` (with the error)
    on the GUI thread. After ``close()`` nothing more is started.
    """

    def __init__(
        self,
        runner: TaskRunner,
        read: Callable[[], Any],
        done: Callable[[Any], None],
        failed: Callable[[Exception], None],
    ) -> None:
        self._runner = runner
        self._read = read
        self._done = done
        self._failed = failed
        self._loading = False
        self._again = False
        self._closed = False

    def reload(self) -> None:
        if self._closed:
            return
        if self._loading:
            self._again = True
            return
        self._loading = True
        self._runner.submit(self._read, self._loaded, self._load_failed)

    def close(self) -> None:
        self._closed = True

    def _loaded(self, value: Any) -> None:
        self._loading = False
        self._done(value)
        self._reload_again()

    def _load_failed(self, error: Exception) -> None:
        self._loading = False
        self._failed(error)
        self._reload_again()

    def _reload_again(self) -> None:
        if self._again:
            self._again = False
            self.reload()
