"""The transport every card session talks through, and how readers are chosen by name."""

from __future__ import annotations

import abc
from types import TracebackType


class Connection(abc.ABC):
    """A link to one card: send a command APDU, get ``(data, sw)`` back."""

    @abc.abstractmethod
    def send_and_receive(self, apdu: bytes) -> tuple[bytes, int]:
        """Send one command APDU; return the response data and status word."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release the card; a later session starts from a reset card."""

    def __enter__(self) -> Connection:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def reader_matches(reader: str, name: str | None) -> bool:
    """The reader-name rule: ``name`` is a case-insensitive substring; None matches any."""
    return name is None or name.casefold() in reader.casefold()
