"""The virtual card reader is installed for the demo and the tests, never for a kiosk."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEBIAN = ROOT / "installer" / "debian"


def packages(name: str) -> list[str]:
    lines = (DEBIAN / name).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_the_virtual_reader_is_a_demo_package_not_a_run_time_one():
    assert "vsmartcard-vpcd" not in packages("packages-run.txt")
    assert "pcscd" in packages("packages-run.txt")
    assert packages("packages-demo.txt") == ["vsmartcard-vpcd"]


def test_demo_and_dev_setups_install_the_demo_packages():
    script = (DEBIAN / "setup.sh").read_text(encoding="utf-8")
    assert "--dev) dev=1; demo=1 ;;" in script
    assert "--demo) demo=1 ;;" in script
    assert '"$here/packages-demo.txt"' in script
    assert "apt-get purge vsmartcard-vpcd" in script  # the warning on a kiosk that has it


def test_the_readmes_first_command_sets_up_the_demo_it_starts():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first = re.search(r"```sh\n(.+?)\n```", readme)
    assert first is not None
    assert first.group(1) == "bash installer/debian/setup.sh --demo && installer/debian/demo.sh"
    demo = (DEBIAN / "demo.sh").read_text(encoding="utf-8")
    assert "libifdvpcd.so" in demo and "setup.sh --demo" in demo
