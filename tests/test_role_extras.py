"""A board or counter PC installs only its role's extra: without the kiosk's libraries the
commands start, ``doctor`` reports them as not checked, and the locked requirements keep
each role to its own libraries (issue 13)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from kiosk.extras import EXTRA_OF_MODULE

REPO = Path(__file__).resolve().parent.parent
LOCKS = REPO / "installer" / "requirements"
KIOSK_ONLY = {"smartcard", "vosk", "sounddevice", "escpos", "usb", "serial"}
KIOSK_ONLY_PACKAGES = {"pyscard", "vosk", "sounddevice"}

# Runs ``ward-kiosk`` as if the modules named in argv[1] were not installed.
WITHOUT = """
import importlib.abc, sys
blocked = set(sys.argv[1].split(","))
class Missing(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in blocked:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, Missing())
sys.argv = ["ward-kiosk", *sys.argv[2:]]
from kiosk.cli import main
main()
"""


def without(modules: set[str], *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARD_KIOSK_")}
    return subprocess.run(
        [sys.executable, "-c", WITHOUT, ",".join(sorted(modules)), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )


@pytest.mark.parametrize(
    "command", [["--help"], ["board", "--help"], ["counter", "--help"], ["web", "--help"]]
)
def test_the_commands_start_without_the_kiosk_extra(command: list[str]):
    result = without(KIOSK_ONLY, *command)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


def test_doctor_reports_the_kiosk_parts_as_not_checked():
    result = without(KIOSK_ONLY, "doctor", "--no-speech", "--json")
    assert "Traceback" not in result.stderr
    checks = {c["check"]: c for c in json.loads(result.stdout)}
    for name in ("card reader", "microphone"):
        assert checks[name]["status"] == "warning", checks[name]
        assert "[kiosk] extra" in checks[name]["detail"]


def test_a_command_that_needs_the_extra_says_which():
    result = without(KIOSK_ONLY, "card", "status")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "'smartcard' is not installed: it comes with the [kiosk] extra" in result.stderr


def test_every_library_named_in_extras_py_is_in_that_extra():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    module_of = {
        "pyscard": "smartcard",
        "python-escpos": "escpos",
        "pyopenjtalk-plus": "pyopenjtalk",
        "python-multipart": "multipart",
    }
    base = {_name(d) for d in project["dependencies"]}
    for extra in ("kiosk", "counter", "board", "web"):
        names = {_name(d) for d in project["optional-dependencies"][extra]}
        modules = {module_of.get(n, n) for n in names}
        assert not names & base, extra
        if extra in ("kiosk", "web"):
            assert modules >= {m for m, e in EXTRA_OF_MODULE.items() if e == extra} - {
                "usb",
                "serial",
            }
    assert not base & KIOSK_ONLY_PACKAGES


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0].lower()


def _pins(lock: Path) -> dict[str, str]:
    text = lock.read_text(encoding="utf-8")
    return {m[0].lower(): m[1] for m in re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", text, re.M)}


@pytest.mark.parametrize("role", ["kiosk", "counter", "board", "web", "dev"])
def test_each_lock_pins_every_package_with_hashes(role: str):
    lock = LOCKS / f"{role}.txt"
    text = lock.read_text(encoding="utf-8")
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2])
    for entry in entries:
        assert "==" in entry and "--hash=sha256:" in entry, entry[:80]
    assert _pins(lock).get("pyside6-essentials") != "6.12.0"
    assert "bash installer/lock.sh" in text


def test_a_board_or_counter_lock_holds_no_card_reader_or_recognition():
    for role in ("board", "counter", "web"):
        assert not set(_pins(LOCKS / f"{role}.txt")) & KIOSK_ONLY_PACKAGES, role
    assert set(_pins(LOCKS / "kiosk.txt")) >= KIOSK_ONLY_PACKAGES


def test_the_roles_agree_with_the_dev_lock_the_tests_run_on():
    dev = _pins(LOCKS / "dev.txt")
    for role in ("kiosk", "counter", "board", "web"):
        for name, version in _pins(LOCKS / f"{role}.txt").items():
            assert dev.get(name) == version, (
                f"{role}.txt {name}=={version}, dev.txt {dev.get(name)}"
            )


@pytest.mark.parametrize("role", ["kiosk", "counter", "board", "web"])
def test_each_lock_is_in_step_with_pyproject(role: str):
    """A dependency added to pyproject.toml without running installer/lock.sh is caught."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = {_name(d) for d in [*project["dependencies"], *project["optional-dependencies"][role]]}
    missing = wanted - set(_pins(LOCKS / f"{role}.txt"))
    assert not missing, f"not in {role}.txt: {sorted(missing)}; run: bash installer/lock.sh"
