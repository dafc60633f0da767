"""Which readers the kiosk may use: the one it was named, and no virtual one in production.

A virtual reader (vsmartcard's vpcd, "Virtual PCD 00 00") hands every command to
whatever program connects to its TCP port, so a "card" on it can be a program on
the network that collects PINs or plays a forged identity. Outside demo mode and
the tests (``card.allow_virtual_reader``) such readers are refused before anything
is sent to them, and the reader must be named (``card.reader``): the kiosk never
takes "any reader". Nothing here talks to PC/SC.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kiosk.card.connection import reader_matches
from kiosk.card.errors import ReaderNotAllowedError, ReaderNotConfiguredError

VIRTUAL_MARKS = ("virtual", "vpcd")
"""Parts of a reader name (case-insensitive) that make it a virtual reader: vsmartcard's
vpcd ("Virtual PCD 00 00"), Windows' TPM virtual smart card, and similar."""


def is_virtual_reader(name: str) -> bool:
    """True for a reader name that looks like a virtual reader (see :data:`VIRTUAL_MARKS`)."""
    folded = name.casefold()
    return any(mark in folded for mark in VIRTUAL_MARKS)


@dataclass(frozen=True)
class ReaderPolicy:
    """The reader setting (``name``: part of a reader name) and whether virtual ones may serve.

    ``name`` None means "any reader", which only demo mode and the tests may ask for.
    """

    name: str | None = None
    allow_virtual: bool = False

    def check(self, reader: str) -> None:
        """Raise :class:`ReaderNotAllowedError` for a virtual reader that is not allowed."""
        if not self.allow_virtual and is_virtual_reader(reader):
            raise ReaderNotAllowedError(reader)

    def usable(self, readers: Iterable[str]) -> list[str]:
        """The readers among ``readers`` the kiosk may use, in their order.

        Raises :class:`ReaderNotConfiguredError` when no reader is named outside demo
        mode, and :class:`ReaderNotAllowedError` when only virtual readers match.
        An empty list means no reader matches at all.
        """
        if self.name is None and not self.allow_virtual:
            raise ReaderNotConfiguredError()
        matching = [r for r in readers if reader_matches(r, self.name)]
        allowed = [r for r in matching if self.allow_virtual or not is_virtual_reader(r)]
        if matching and not allowed:
            raise ReaderNotAllowedError(matching[0])
        return allowed
