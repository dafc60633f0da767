"""The installer makes CUPS keep no job files: ``installer/debian/cups-privacy.sh``.

The tests' private cupsd is configured by the same script, and ``test_following.py``
checks that it then keeps no document of a finished job in its spool.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

INSTALLER = Path(__file__).resolve().parents[2] / "installer" / "debian"
SCRIPT = INSTALLER / "cups-privacy.sh"


def run(conf: Path) -> str:
    done = subprocess.run(
        ["bash", str(SCRIPT), str(conf)], capture_output=True, text=True, check=True, timeout=30
    )
    return done.stdout.strip()


def directives(conf: Path) -> list[str]:
    lines = conf.read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def test_the_script_replaces_the_defaults_once(tmp_path: Path) -> None:
    conf = tmp_path / "cupsd.conf"
    conf.write_text(
        "LogLevel warn\nPreserveJobFiles 86400\n  PreserveJobHistory Yes\nMaxJobs 500\n"
    )
    conf.chmod(0o640)
    assert run(conf) == "changed"
    assert directives(conf) == [
        "LogLevel warn",
        "MaxJobs 500",
        "PreserveJobFiles No",
        "PreserveJobHistory 300",
    ]
    assert conf.stat().st_mode & 0o777 == 0o640  # edited in place
    assert run(conf) == "unchanged"


def test_setup_applies_it_to_the_local_cups() -> None:
    setup = (INSTALLER / "setup.sh").read_text()
    assert 'cups-privacy.sh" /etc/cups/cupsd.conf' in setup
    assert "systemctl restart cups" in setup
