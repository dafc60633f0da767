"""A Connection that plays a fixed script of exchanges: the unit-test transport."""

from __future__ import annotations

from collections import deque

from kiosk.card.apdu import split_response
from kiosk.card.connection import Connection

SELECT_AP = "00A4040C0AD3921000310001010408"
SELECT_PIN = "00A4020C020011"
SELECT_NUMBER = "00A4020C020001"
SELECT_BASIC = "00A4020C020002"
VERIFY_EMPTY = "00200080"
VERIFY_1234 = "002000800431323334"

# EF 0002 of the demo persona as the virtual card serves it (captured once).
DEMO_BASIC_INFO = (
    "FF2059 DF2103010D31 DF220DE5A4A7E998AA20E88AB1E5AD90"
    "DF2331E5A4A7E998AAE5BA9CE5A4A7E998AAE5B882E58C97E58CBAE4B8ADE4B98BE5B3B6"
    "31E4B881E79BAE33E795AA3230E58FB7"
    "DF24083139383530343132 DF250132"
).replace(" ", "")


class ScriptedConnection(Connection):
    """Expects exactly the scripted commands, in order; answers with the scripted responses."""

    def __init__(self, script: list[tuple[str, str]]) -> None:
        self._script = deque((bytes.fromhex(c), bytes.fromhex(r)) for c, r in script)
        self.closed = False

    def send_and_receive(self, apdu: bytes) -> tuple[bytes, int]:
        assert self._script, f"unexpected extra command {apdu.hex(' ')}"
        expected, response = self._script.popleft()
        assert apdu == expected, f"sent {apdu.hex(' ')}, script expects {expected.hex(' ')}"
        return split_response(response)

    def close(self) -> None:
        self.closed = True

    @property
    def done(self) -> bool:
        return not self._script
