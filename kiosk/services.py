"""The devices and I/O the screens depend on, as small interfaces."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Protocol

from kiosk.person import Person

if TYPE_CHECKING:
    from kiosk.card.monitor import ReaderEvent


class CardData(Protocol):
    person: Person
    individual_number: str | None


class CardReader(Protocol):
    """Blocking calls to the My Number card; the UI runs them off the GUI thread."""

    def card_present(self) -> bool: ...

    def tries_left(self) -> int: ...

    def read_basic_info(self, pin: str) -> Person: ...

    def read_card(self, pin: str, *, with_number: bool) -> CardData: ...


class ReaderWatch(Protocol):
    """Reports readers and cards coming and going, from a thread of its own."""

    def start(self) -> None: ...

    def stop(self) -> None: ...


ReaderWatchFactory = Callable[[Callable[["ReaderEvent"], None]], ReaderWatch]


class Speaker(Protocol):
    """Reads text aloud from a thread of its own; every call returns at once."""

    def say(self, text: str, language: str) -> None: ...

    def speaks(self, language: str) -> bool:
        """False once it is known that no installed voice speaks ``language``."""
        ...

    def stop(self) -> None: ...

    def volume_for(self, language: str) -> float:
        """The volume the next text in ``language`` is said at."""
        ...

    def set_volume(self, volume: float) -> None: ...

    def reset_volume(self) -> None: ...

    def watch(self, callback: Callable[[bool], None]) -> None:
        """Have ``callback(busy)`` told when speaking starts and when all of it has ended."""
        ...

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until nothing is being said (so the microphone does not hear the kiosk)."""
        ...

    def close(self) -> None: ...


class Heard(Protocol):
    """What the visitor said: the choice it matched (None: not understood) and the words.

    ``candidate`` with ``needs_confirmation``: a likely choice the visitor is asked to confirm.
    """

    @property
    def choice(self) -> str | None: ...

    @property
    def text(self) -> str: ...

    @property
    def candidate(self) -> str | None: ...

    @property
    def needs_confirmation(self) -> bool: ...


class Listener(Protocol):
    """Listens for one answer among a screen's choices (blocking; run off the GUI thread)."""

    def available(self, language: str) -> bool: ...

    def listen(
        self,
        language: str,
        choices: Mapping[str, Sequence[str]],
        stop: Callable[[], bool] = ...,
    ) -> Heard:
        """Hear one answer; ``stop()`` turning true ends listening early with no choice."""
        ...
