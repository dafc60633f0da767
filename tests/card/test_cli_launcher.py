"""``card`` CLI commands, ``python -m kiosk.card.virtual`` and the demo launcher."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.card import pcsc
from kiosk.card.service import CardService
from kiosk.card.virtual.card import VirtualMyNumberCard
from kiosk.card.virtual.launcher import ensure_virtual_reader
from kiosk.card.virtual.persona import PersonaError
from kiosk.cli.card import card
from kiosk.resources import resource
from tests.pcsc_fixture import ALLOW_VIRTUAL_ENV, VirtualReader

ROOT = Path(__file__).resolve().parents[2]
DEMO = resource("personas", "demo.toml")


def status(*args: str) -> tuple[int, dict[str, object]]:
    result = CliRunner().invoke(card, ["status", *args], env={ALLOW_VIRTUAL_ENV: "true"})
    return result.exit_code, json.loads(result.output)


@pytest.mark.pcsc
def test_status_of_a_mynumber_card(
    pcsc_reader: VirtualReader, virtual_card: VirtualMyNumberCard
) -> None:
    code, report = status()
    assert code == 0
    assert report["reader"] == pcsc_reader.name
    assert pcsc_reader.name in report["readers"]  # type: ignore[operator]
    assert (report["card_present"], report["is_mynumber"], report["tries_left"]) == (True, True, 3)
    assert report["error"] is None
    assert "00 20 00 80 04 ****" not in virtual_card.log


@pytest.mark.pcsc
def test_status_of_another_card(
    pcsc_reader: VirtualReader, insert_card: Callable[..., VirtualMyNumberCard]
) -> None:
    insert_card("not_mynumber.toml")
    code, report = status("--reader", "PCD 00 00")
    assert (code, report["card_present"], report["is_mynumber"]) == (0, True, False)


@pytest.mark.pcsc
def test_status_without_card_or_reader(pcsc_reader: VirtualReader) -> None:
    code, report = status("--reader", pcsc_reader.name)
    assert (code, report["card_present"], report["error"]) == (0, False, None)
    code, report = status("--reader", "No Such Reader")
    assert (code, report["error"]) == (1, "no_reader")


def test_emulate_refuses_a_bad_persona_without_echoing_it(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(DEMO.read_text(encoding="utf-8").replace('"1234"', '"12x4"'), "utf-8")
    result = CliRunner().invoke(card, ["emulate", "--persona", str(bad)])
    assert result.exit_code != 0
    assert "pin" in result.output
    assert "12x4" not in result.output


@pytest.mark.pcsc
def test_launcher_with_a_running_pcscd(pcsc_reader: VirtualReader) -> None:
    """pcscd runs already: only the emulator process starts, on vpcd's second slot."""
    with ensure_virtual_reader(DEMO, port=pcsc_reader.port + 1, timeout=15) as handle:
        assert handle.pcscd is None
        assert handle.reader == "Virtual PCD 00 01"
        service = CardService(handle.reader, allow_virtual=True)
        assert service.read_basic_info("1234").name == "大阪 花子"
    assert handle.emulator is not None
    assert handle.emulator.returncode == 0  # SIGTERM ends `python -m kiosk.card.virtual` cleanly
    deadline = time.monotonic() + 5
    while pcsc.card_present(handle.reader) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not pcsc.card_present(handle.reader)


LAUNCH = """
import json, sys
from pathlib import Path
from kiosk.card.service import CardService
from kiosk.card.virtual.launcher import ensure_virtual_reader
from kiosk.card.virtual.persona import PersonaError
from kiosk.card.virtual.pcscd import free_port_pair, pcscd_running
with ensure_virtual_reader(Path(sys.argv[1]), port=free_port_pair()) as handle:
    report = {"started": handle.pcscd is not None, "reader": handle.reader}
    report["tries"] = CardService(handle.reader, allow_virtual=True).tries_left()
report["running_after"] = pcscd_running()
print(json.dumps(report))
"""


@pytest.mark.pcsc
@pytest.mark.skipif(os.geteuid() != 0, reason="starting pcscd needs root")
def test_launcher_starts_and_stops_pcscd(tmp_path: Path) -> None:
    """No pcscd on the socket: the launcher starts one (in a fresh process: libpcsclite
    caches the socket name), shows the card, and stops both."""
    env = dict(os.environ, PCSCLITE_CSOCK_NAME=str(tmp_path / "demo.comm"))
    result = subprocess.run(
        [sys.executable, "-c", LAUNCH, str(DEMO)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report == {
        "started": True,
        "reader": "Virtual PCD 00 00",
        "tries": 3,
        "running_after": False,
    }
    assert not (tmp_path / "demo.comm").exists()


def test_launcher_refuses_a_bad_persona(tmp_path: Path) -> None:
    with pytest.raises(PersonaError):
        ensure_virtual_reader(tmp_path / "missing.toml")
