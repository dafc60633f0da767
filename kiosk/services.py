"""The devices and I/O the screens depend on, as small interfaces."""

from __future__ import annotations

from typing import Protocol

from kiosk.person import Person


class CardReader(Protocol):
    """Blocking calls to the My Number card; the UI runs them off the GUI thread."""

    def card_present(self) -> bool: ...

    def tries_left(self) -> int: ...

    def read_basic_info(self, pin: str) -> Person: ...
