"""Coverage-guided fuzzing (atheris/libFuzzer) of what the card reader parses.

`.venv/bin/python bench/fuzz_card.py [-runs=N] [-max_total_time=S] [-artifact_prefix=DIR/]`
runs 20 s unless -runs or -max_total_time says otherwise. Targets, picked by the
first input byte: BER-TLV, EF 0002 (basic 4 items), EF 0001 (individual number),
status words, command APDUs, and a whole card session answered by fuzzed
responses. Anything but a CardError is a crash. atheris is not a project
dependency: `.venv/bin/pip install atheris`.
"""

from __future__ import annotations

import contextlib
import sys
from collections import deque
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

with atheris.instrument_imports():
    from kiosk.card import apdu, tlv
    from kiosk.card.connection import Connection
    from kiosk.card.errors import CardError, CardRemovedError
    from kiosk.card.session import MyNumberSession, parse_basic_info, parse_individual_number

DEFAULT_LIMIT = "-max_total_time=20"
MAX_ANSWERS = 40


class FuzzedCard(Connection):
    """Answers each command with the next fuzzed response; then the card is gone."""

    def __init__(self, answers: list[tuple[bytes, int]]) -> None:
        self._answers = deque(answers)

    def send_and_receive(self, command: bytes) -> tuple[bytes, int]:
        if not self._answers:
            raise CardRemovedError("no more answers")
        return self._answers.popleft()

    def close(self) -> None:
        pass


def _session(data: bytes) -> None:
    provider = atheris.FuzzedDataProvider(data)
    answers = []
    for _ in range(provider.ConsumeIntInRange(0, MAX_ANSWERS)):
        body = provider.ConsumeBytes(provider.ConsumeIntInRange(0, 300))
        answers.append((body, provider.ConsumeIntInRange(0, 0xFFFF)))
    session = MyNumberSession(FuzzedCard(answers))
    for step in (
        session.select,
        session.tries_left,
        lambda: session.verify_pin("1234"),
        session.read_basic_info,
        session.read_individual_number,
    ):
        with contextlib.suppress(CardError):
            step()


def _status_word(data: bytes) -> None:
    sw = int.from_bytes(data[:2].ljust(2, b"\0"), "big")
    for check in (apdu.check_sw, lambda sw: apdu.tries_left_from_sw(sw, 3)):
        with contextlib.suppress(CardError):
            check(sw)


TARGETS = [
    tlv.parse_dict,
    parse_basic_info,
    parse_individual_number,
    _status_word,
    _session,
    apdu.parse_command,
]


def test_one_input(data: bytes) -> None:
    if not data:
        return
    target = TARGETS[data[0] % len(TARGETS)]
    with contextlib.suppress(CardError):
        target(data[1:])


def main(argv: list[str]) -> None:
    args = argv[1:]
    if not any(a.startswith(("-runs=", "-max_total_time=")) for a in args):
        args.append(DEFAULT_LIMIT)
    atheris.Setup([argv[0], *args], test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
