"""``ward-kiosk card read``: the real command through pcscd, the PIN only on standard input."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.card.virtual.card import VirtualMyNumberCard
from kiosk.cli.card import card
from tests.pcsc_fixture import VirtualReader

pytestmark = [pytest.mark.pcsc, pytest.mark.usefixtures("virtual_reader_allowed")]

ROOT = Path(__file__).resolve().parents[2]
WARD_KIOSK = [sys.executable, "-m", "kiosk"]
VERIFY_WITH_DATA = "00 20 00 80 04 ****"
Inserter = Callable[..., VirtualMyNumberCard]
DEMO = {
    "name": "大阪 花子",
    "address": "大阪府大阪市北区中之島1丁目3番20号",
    "birth_date": "1985-04-12",
    "sex": "female",
}


def read(pin: str, *args: str) -> tuple[int, dict[str, object]]:
    result = CliRunner().invoke(card, ["read", *args], input=pin)
    assert "Traceback" not in result.output
    return result.exit_code, json.loads(result.stdout)


def test_reads_the_four_items(
    pcsc_reader: VirtualReader, virtual_card: VirtualMyNumberCard
) -> None:
    assert read("1234\n", "--reader", pcsc_reader.name) == (0, DEMO)
    assert virtual_card.log.count(VERIFY_WITH_DATA) == 1


def test_with_number_in_one_session_and_one_verify(
    pcsc_reader: VirtualReader, virtual_card: VirtualMyNumberCard
) -> None:
    code, report = read("1234\n", "--with-number")
    assert (code, report) == (0, DEMO | {"individual_number": "123456789018"})
    assert virtual_card.log.count(VERIFY_WITH_DATA) == 1
    assert virtual_card.log.count("00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08") == 1


@pytest.mark.parametrize("virtual_card", ["rare_kanji.toml"], indirect=True)
def test_rare_characters_come_through_unchanged(virtual_card: VirtualMyNumberCard) -> None:
    code, report = read("0000\n", "--with-number")
    person = virtual_card.persona.person
    assert code == 0
    assert report["name"] == person.name == "髙橋 \U00020bb7乃"
    assert report["address"] == person.address
    assert report["individual_number"] == virtual_card.persona.individual_number


def test_wrong_pin_reports_the_tries_left(virtual_card: VirtualMyNumberCard) -> None:
    code, report = read("9999\n")
    assert code == 1
    assert report["error"] == "wrong_pin"
    assert report["tries_left"] == 2
    assert "9999" not in json.dumps(report)


@pytest.mark.parametrize(
    ("persona", "pin", "expected"),
    [
        ("last_try.toml", "4321", {"error": "pin_last_try", "tries_left": 1}),
        ("blocked.toml", "5678", {"error": "pin_blocked", "tries_left": 0}),
        ("not_mynumber.toml", "1111", {"error": "not_mynumber_card"}),
        ("malformed.toml", "1234", {"error": "card_error"}),
    ],
)
def test_refusals(
    insert_card: Inserter, persona: str, pin: str, expected: dict[str, object]
) -> None:
    card_in_reader = insert_card(persona)
    code, report = read(pin + "\n")
    assert code == 1
    assert {k: v for k, v in report.items() if k != "message"} == expected
    assert isinstance(report["message"], str)
    if persona != "malformed.toml":
        assert VERIFY_WITH_DATA not in card_in_reader.log


def test_no_card_and_no_reader(pcsc_reader: VirtualReader) -> None:
    code, report = read("1234\n", "--reader", pcsc_reader.name)
    assert (code, report["error"]) == (1, "no_card")
    code, report = read("1234\n", "--reader", "No Such Reader")
    assert (code, report["error"]) == (1, "no_reader")


def test_no_pcscd(pcsc_reader: VirtualReader) -> None:
    pcsc_reader.stop_pcscd()
    code, report = read("1234\n")
    assert (code, report["error"]) == (1, "no_reader")


def test_reader_from_the_config_file(
    tmp_path: Path, pcsc_reader: VirtualReader, virtual_card: VirtualMyNumberCard
) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text('[card]\nreader = "PCD 00 01"\n', encoding="utf-8")
    code, report = read("1234\n", "--config", str(config))
    assert (code, report["error"]) == (1, "no_card")  # slot 1 is empty
    config.write_text('[card]\nreader = "PCD 00 00"\n', encoding="utf-8")
    assert read("1234\n", "--config", str(config)) == (0, DEMO)


@pytest.mark.parametrize("pin", ["", "\n", "123\n", "12345\n", "12a4\n", "１２３４\n", " 1234\n"])
def test_a_bad_pin_is_a_usage_error_and_the_card_is_untouched(
    virtual_card: VirtualMyNumberCard, pin: str
) -> None:
    result = CliRunner().invoke(card, ["read"], input=pin)
    assert result.exit_code == 2
    assert "4 digits" in result.stderr
    assert not result.stdout
    assert virtual_card.log == []


def test_the_pin_is_never_an_argument(virtual_card: VirtualMyNumberCard) -> None:
    result = CliRunner().invoke(card, ["read", "1234"], input="")
    assert result.exit_code == 2
    assert virtual_card.log == []


def test_the_real_command_in_a_subprocess(virtual_card: VirtualMyNumberCard) -> None:
    """``python -m kiosk card read``: the same code as ``ward-kiosk``; the PIN never shows."""
    result = subprocess.run(
        [*WARD_KIOSK, "card", "read", "--with-number"],
        input="1234\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["individual_number"] == "123456789018"
    assert "1234\n" not in result.stdout + result.stderr


def _echoed(controller: int) -> bytes:
    """What the terminal showed (its echo), read from the controlling side."""
    output = b""
    while select.select([controller], [], [], 0.2)[0]:
        output += os.read(controller, 1000)
    return output


def test_a_terminal_does_not_echo_the_pin(virtual_card: VirtualMyNumberCard) -> None:
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [*WARD_KIOSK, "card", "read"],
        stdin=terminal,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    try:
        assert process.stderr is not None
        assert select.select([process.stderr], [], [], 30)[0], "no prompt"
        assert process.stderr.read1(100).startswith(b"PIN: ")  # echo is off by now
        os.write(controller, b"1234\n")
        stdout, _ = process.communicate(timeout=30)
        echoed = _echoed(controller)
    finally:
        process.kill()
        os.close(terminal)
        os.close(controller)
    assert json.loads(stdout)["name"] == "大阪 花子"
    assert b"1234" not in echoed


def test_the_echo_check_sees_an_echo() -> None:
    """The check above would notice: a terminal with echo on shows what is typed."""
    controller, terminal = pty.openpty()
    try:
        os.write(controller, b"1234\n")
        assert b"1234" in _echoed(controller)
    finally:
        os.close(terminal)
        os.close(controller)
