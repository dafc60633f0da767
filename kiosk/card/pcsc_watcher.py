"""PC/SC reader and card changes: the pyscard side of :class:`~kiosk.card.monitor.ReaderMonitor`."""

from __future__ import annotations

import threading

from smartcard import scard

from kiosk.card.errors import NoReaderError
from kiosk.card.monitor import ReaderState
from kiosk.card.pcsc import _check, _establish, _readers, has_card

PNP_READER = "\\\\?PnP?\\Notification"  # pseudo-reader that changes when readers come and go
_QUIET = {scard.SCARD_E_TIMEOUT, scard.SCARD_E_CANCELLED}


def _reader_state(raw: int) -> ReaderState:
    gone = bool(raw & (scard.SCARD_STATE_UNKNOWN | scard.SCARD_STATE_IGNORE))
    return ReaderState(raw & ~scard.SCARD_STATE_CHANGED, has_card(raw), raw >> 16, gone)


class StatusWatcher:
    """One PC/SC context that waits for reader and card changes (SCardGetStatusChange).

    The PC/SC side of :class:`~kiosk.card.monitor.ReaderMonitor`. :meth:`cancel`
    may be called from any thread and ends a :meth:`wait` at once.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()  # guards the context against cancel() during close()
        self._context: int | None = None
        self._pnp_state: int | None = None  # None: no PnP pseudo-reader (poll instead)

    @property
    def pnp(self) -> bool:
        """True when :meth:`wait` also wakes up for readers coming and going."""
        return self._pnp_state is not None

    def open(self) -> None:
        context = _establish()
        with self._lock:
            self._context = context
        self._pnp_state = self._probe_pnp(context)

    def close(self) -> None:
        with self._lock:
            if self._context is not None:
                scard.SCardReleaseContext(self._context)
            self._context = None

    def cancel(self) -> None:
        with self._lock:
            if self._context is not None:
                scard.SCardCancel(self._context)

    def readers(self) -> list[str]:
        return _readers(self._require())

    def wait(self, known: dict[str, int], timeout_ms: int) -> dict[str, ReaderState]:
        """States of the readers in ``known`` that differ from the given raw states.

        Returns early, possibly empty, when the reader list changes (PnP), on
        :meth:`cancel` and after ``timeout_ms``.
        """
        watched = list(known.items())
        if self._pnp_state is not None:
            watched.append((PNP_READER, self._pnp_state))
        hresult, states = scard.SCardGetStatusChange(self._require(), timeout_ms, watched)
        if hresult in _QUIET:
            return {}
        _check(hresult, "waiting for reader changes")
        if self._pnp_state is not None:
            self._pnp_state = states[-1][1] & ~scard.SCARD_STATE_CHANGED
        return {
            reader: _reader_state(raw)
            for reader, raw, _ in states
            if reader in known and raw & scard.SCARD_STATE_CHANGED
        }

    def _require(self) -> int:
        if self._context is None:
            raise NoReaderError("the reader watcher is not open")
        return self._context

    @staticmethod
    def _probe_pnp(context: int) -> int | None:
        """The PnP pseudo-reader's state, or None where it is unknown (no PnP support).

        pcsc-lite 1.9 answers a probe with a timeout; later versions with the
        reader count in the high word, which later waits must hand back.
        """
        probe = [(PNP_READER, scard.SCARD_STATE_UNAWARE)]
        hresult, states = scard.SCardGetStatusChange(context, 0, probe)
        if hresult == scard.SCARD_E_TIMEOUT:
            return int(scard.SCARD_STATE_UNAWARE)
        if hresult != scard.SCARD_S_SUCCESS or states[0][1] & scard.SCARD_STATE_UNKNOWN:
            return None
        return int(states[0][1] & ~scard.SCARD_STATE_CHANGED)
