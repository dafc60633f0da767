"""One visit's checkout on a worker thread, watched by the busy screen's deadline.

The visit's :class:`CheckoutProgress` is kept across "Try again", so a retry
issues no second ticket and submits no job twice. The deadline
(``kiosk.busy_deadline_seconds``) covers the database part; once the printers
have the visit it is extended once by ``printing.job_timeout_seconds``, the time
the checkout itself follows a job. Past it, the checkout is given up (it stops at
its next step) and ``overdue`` is emitted: the window sends the visitor to staff.
A result that arrives after that is dropped. The GUI thread never waits.
"""

from __future__ import annotations

import dataclasses
import logging

from PySide6.QtCore import QObject, QTimer, Signal

from kiosk.checkout import Checkout
from kiosk.checkout_progress import CheckoutProgress, Outcome
from kiosk.config import Settings
from kiosk.ui.tasks import TaskRunner
from kiosk.visit import Visit

log = logging.getLogger(__name__)


class CheckoutRun(QObject):
    printed = Signal(object)  # Outcome
    failed = Signal(object)  # Exception: the visitor may try again
    overdue = Signal(object)  # CheckoutProgress: send the visitor to staff

    def __init__(self, runner: TaskRunner, settings: Settings, parent: QObject) -> None:
        super().__init__(parent)
        self._runner = runner
        self._deadline_ms = round(settings.kiosk.busy_deadline_seconds * 1000)
        self._printing_ms = round(settings.printing.job_timeout_seconds * 1000)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._expired)
        self._extended = False
        self._attempt = 0
        self.progress: CheckoutProgress | None = None

    @property
    def handed_to_staff(self) -> bool:
        """The visitor was sent to staff: the visit is kept as stored, not abandoned."""
        return self.progress is not None and self.progress.given_up

    def start(self, checkout: Checkout, visit: Visit) -> None:
        """Run (or run again) the checkout of ``visit``, on a copy the worker may keep."""
        if self.progress is None:
            self.progress = CheckoutProgress()
        progress, record = self.progress, _snapshot(visit)
        self._attempt += 1
        attempt = self._attempt
        self._extended = False
        self._timer.start(self._deadline_ms)
        self._runner.submit(
            lambda: checkout.complete(record, progress),
            lambda outcome: self._done(attempt, outcome),
            lambda error: self._error(attempt, error),
        )

    def reset(self) -> None:
        """The visit has ended: forget its progress and drop any late result."""
        self._timer.stop()
        self._attempt += 1
        self.progress = None

    def _done(self, attempt: int, outcome: Outcome) -> None:
        if self._current(attempt):
            self._timer.stop()
            self.printed.emit(outcome)

    def _error(self, attempt: int, error: Exception) -> None:
        if self._current(attempt):
            self._timer.stop()
            self.failed.emit(error)

    def _current(self, attempt: int) -> bool:
        return attempt == self._attempt and not self.handed_to_staff

    def _expired(self) -> None:
        progress = self.progress
        if progress is None:
            return
        if progress.printing and not self._extended:
            self._extended = True  # the checkout follows the print job for this long itself
            self._timer.start(self._printing_ms + self._deadline_ms)
            return
        progress.give_up()
        stage = "printing" if progress.printing else "the database"
        log.warning(
            "the busy screen's deadline passed while waiting for %s: visitor sent to staff", stage
        )
        self.overdue.emit(progress)


def _snapshot(visit: Visit) -> Visit:
    """A copy for the worker: wiping the window's visit must not change what it stores."""
    return dataclasses.replace(
        visit, answers=dict(visit.answers), procedures=list(visit.procedures)
    )
