"""Independent PC/SC clients (scriptor, opensc-tool) send the reference's raw APDUs."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from kiosk.card.virtual.card import ATR, VirtualMyNumberCard
from tests.pcsc_fixture import VirtualReader

pytestmark = pytest.mark.pcsc

# (command, expected response) for the demo card, straight from the reference tables.
EXCHANGES = [
    ("00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08", "90 00"),  # SELECT 券面事項入力補助AP
    ("00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 09", "6A 82"),  # unknown AID
    ("00 A4 02 0C 02 00 02", "90 00"),  # SELECT EF 0002
    ("00 B0 00 00 00", "69 82"),  # READ BINARY before the PIN
    ("00 A4 02 0C 02 00 11", "90 00"),  # SELECT EF 0011 (PIN)
    ("00 20 00 80", "63 C3"),  # VERIFY without data: tries left
    ("00 20 00 80 04 39 39 39 39", "63 C2"),  # wrong PIN
    ("00 20 00 80 04 31 32 33 34", "90 00"),  # right PIN, counter back to 3
    ("00 20 00 80", "90 00"),  # verified
    ("00 A4 02 0C 02 00 01", "90 00"),  # SELECT EF 0001
    ("00 B0 00 00 00", "FF 10 0C " + " ".join(f"{b:02X}" for b in b"123456789018") + " 90 00"),
    ("00 A4 02 0C 02 00 02", "90 00"),
    ("00 B0 00 00 05", "FF 20 59 DF 21 90 00"),  # first 5 bytes of the basic 4 items
    ("00 B0 01 00 01", "6B 00"),  # offset past the end
]


def _responses(output: str) -> list[str]:
    """Response lines of scriptor ("< 90 00 : Normal processing."), unwrapped."""
    return [" ".join(r.split()) for r in re.findall(r"^< ((?:[0-9A-F]{2}\s+)+):", output, re.M)]


def test_scriptor_gets_the_reference_answers(
    pcsc_reader: VirtualReader, virtual_card: VirtualMyNumberCard
) -> None:
    scriptor = shutil.which("scriptor")
    assert scriptor, "scriptor missing: apt-get install pcsc-tools"
    result = subprocess.run(
        [scriptor, "-r", pcsc_reader.name],
        input="\n".join(command for command, _ in EXCHANGES) + "\n",
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    assert _responses(result.stdout) == [answer for _, answer in EXCHANGES], result.stdout
    assert virtual_card.tries_left == 3


def test_opensc_tool_sees_the_atr_and_the_ap(
    pcsc_reader: VirtualReader, virtual_card: VirtualMyNumberCard
) -> None:
    tool = shutil.which("opensc-tool")
    assert tool, "opensc-tool missing: apt-get install opensc"
    atr = subprocess.run(
        [tool, "-r", pcsc_reader.name, "-a"], capture_output=True, text=True, timeout=30, check=True
    )
    assert ATR.hex(":") in atr.stdout
    commands = [EXCHANGES[0][0], EXCHANGES[4][0], "00 20 00 80"]  # SELECT AP, SELECT PIN, VERIFY
    select = subprocess.run(
        [tool, "-r", pcsc_reader.name, *(arg for c in commands for arg in ("-s", c))],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    answers = re.findall(r"SW1=0x([0-9A-F]{2}), SW2=0x([0-9A-F]{2})", select.stdout, re.I)
    assert answers == [("90", "00"), ("90", "00"), ("63", "C3")], select.stdout
