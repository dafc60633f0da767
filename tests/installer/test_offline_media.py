"""The offline media install the kiosk on a Debian 12 PC with no network at all.

The media are built from ``dist/`` (``installer/debian/build-deb.sh``'s package and
wheelhouse, built first when missing), then ``install.sh`` runs inside ``unshare -n``:
apt sees no network, only the media folder. It installs into an overlay of / (as
test_deb.py does), so the machine running the tests keeps its packages, users and /etc.
``OFFLINE_MEDIA_STANDIN=1`` uses a small stand-in package (Depends on pcscd, cups-client
and tree) instead of the real one.
"""

from __future__ import annotations

import hashlib
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.installer.overlay_root import OverlayRoot

ROOT = Path(__file__).resolve().parents[2]
DEBIAN = ROOT / "installer" / "debian"
DIST = ROOT / "dist"
TOOLS = ("apt-get", "dpkg", "dpkg-deb", "dpkg-scanpackages", "unshare", "sha256sum")

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="installs a Debian package: needs root"),
    pytest.mark.skipif(
        any(shutil.which(tool) is None for tool in TOOLS),
        reason=f"needs {', '.join(TOOLS)} (Debian with dpkg-dev and util-linux)",
    ),
    pytest.mark.skipif(not OverlayRoot.available(), reason="needs unshare and chroot"),
    pytest.mark.timeout(1200),
]


@dataclass(frozen=True)
class Media:
    folder: Path
    tarball: Path
    version: str
    build_seconds: float


def measure(label: str, value: str) -> None:
    """Printed with -s, and kept in the report of a failure."""
    sys.stderr.write(f"offline media: {label}: {value}\n")


def standin_deb(folder: Path) -> tuple[Path, Path]:
    """A tiny ward-kiosk package with real dependencies (tree is one a kiosk lacks here)."""
    pkg = folder / "pkg"
    (pkg / "DEBIAN").mkdir(parents=True)
    (pkg / "DEBIAN" / "control").write_text(
        "Package: ward-kiosk\nVersion: 0.0.0~standin\nArchitecture: amd64\n"
        "Maintainer: Ward kiosk project <ward-kiosk@localhost>\n"
        "Depends: pcscd, cups-client, tree\n"
        "Description: stand-in for the kiosk package (offline media test)\n",
        encoding="utf-8",
    )
    command = pkg / "usr" / "bin" / "ward-kiosk"
    command.parent.mkdir(parents=True)
    # Answers `models install` the way the real command reports it.
    command.write_text(
        '#!/bin/sh\nprintf \'{"language": "%s", "path": "stand-in", "verified": null}\\n\' "$4"\n',
        encoding="utf-8",
    )
    command.chmod(0o755)
    deb = folder / "ward-kiosk_0.0.0~standin_amd64.deb"
    subprocess.run(
        ["dpkg-deb", "--root-owner-group", "--build", str(pkg), str(deb)],
        check=True,
        capture_output=True,
    )
    wheelhouse = folder / "wheelhouse"
    wheelhouse.mkdir()
    (wheelhouse / "README").write_text("stand-in wheelhouse\n", encoding="utf-8")
    return deb, wheelhouse


def real_deb() -> tuple[Path, Path]:
    debs = sorted(DIST.glob("ward-kiosk_*_amd64.deb"))
    if len(debs) != 1 or not (DIST / "wheelhouse").is_dir():
        subprocess.run(["bash", str(DEBIAN / "build-deb.sh")], check=True, cwd=ROOT)
        debs = sorted(DIST.glob("ward-kiosk_*_amd64.deb"))
    assert len(debs) == 1, debs
    return debs[0], DIST / "wheelhouse"


def model_folder(folder: Path) -> tuple[Path, str]:
    """What IT supplies: <lang>/<name>.zip files and their SHA256SUMS."""
    archive = folder / "eo" / "vosk-model-offline-test-eo.zip"
    archive.parent.mkdir(parents=True)
    with zipfile.ZipFile(archive, "w") as z:
        for name in ("am/final.mdl", "conf/model.conf", "graph/HCLr.fst"):
            z.writestr(f"vosk-model-offline-test-eo/{name}", f"not a real {name}\n")
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    (folder / "SHA256SUMS").write_text(f"{digest}  eo/{archive.name}\n", encoding="utf-8")
    return folder, digest


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    return model_folder(tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory, models: tuple[Path, str]) -> Media:
    if os.environ.get("OFFLINE_MEDIA_STANDIN") == "1":
        deb, wheelhouse = standin_deb(tmp_path_factory.mktemp("standin"))
    else:
        deb, wheelhouse = real_deb()
    out = tmp_path_factory.mktemp("offline")
    started = time.monotonic()
    command = ["bash", str(DEBIAN / "build-offline.sh"), "--deb", str(deb)]
    command += ["--wheelhouse", str(wheelhouse), "--models", str(models[0]), "--out", str(out)]
    subprocess.run(command, check=True, cwd=ROOT)
    seconds = time.monotonic() - started
    version = subprocess.run(
        ["dpkg-deb", "-f", str(deb), "Version"], check=True, capture_output=True, text=True
    ).stdout.strip()
    name = f"ward-kiosk-offline-{version}"
    return Media(out / name, out / f"{name}.tar.gz", version, seconds)


@pytest.fixture
def overlay() -> Iterator[OverlayRoot]:
    root = OverlayRoot(Path(tempfile.mkdtemp(prefix="ward-kiosk-offline-")))
    yield root
    root.remove()


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def test_the_media_hold_the_package_its_dependencies_the_wheelhouse_and_the_models(
    media: Media, models: tuple[Path, str]
):
    debs = media.folder / "debs"
    assert (debs / f"ward-kiosk_{media.version}_amd64.deb").is_file()
    assert {"Packages", "Packages.gz", "Release"} <= {p.name for p in debs.iterdir()}
    names = {p.name.split("_")[0] for p in debs.glob("*.deb")}
    # Resolved for an empty system, so even what every Debian has is there.
    assert {"pcscd", "cups-client", "libc6"} <= names
    assert any((media.folder / "wheelhouse").iterdir())
    assert (media.folder / "models" / "SHA256SUMS").read_text(encoding="utf-8") == (
        models[0] / "SHA256SUMS"
    ).read_text(encoding="utf-8")
    listed = {
        line.split(None, 1)[1]
        for line in (media.folder / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    }
    files = {p.relative_to(media.folder).as_posix() for p in media.folder.rglob("*") if p.is_file()}
    assert listed == files - {"SHA256SUMS"}
    assert os.access(media.folder / "install.sh", os.X_OK)
    measure("build time", f"{media.build_seconds:.0f} s ({len(names)} Debian packages)")
    measure("folder size", f"{folder_size(media.folder) / 2**20:.0f} MiB")
    measure("tarball size", f"{media.tarball.stat().st_size / 2**20:.0f} MiB")


def test_install_sh_refuses_damaged_media_before_touching_apt(media: Media, tmp_path: Path):
    copy = tmp_path / media.folder.name
    shutil.copytree(media.folder, copy, copy_function=os.link)  # hard links: no space
    index = copy / "debs" / "Packages"
    text = index.read_text(encoding="utf-8")
    index.unlink()
    index.write_text(text + "\n", encoding="utf-8")
    result = subprocess.run(
        ["unshare", "-n", "bash", str(copy / "install.sh")], capture_output=True, text=True
    )
    assert result.returncode == 1
    assert "does not match SHA256SUMS" in result.stderr
    assert "Installing" not in result.stdout


def test_install_sh_installs_the_kiosk_with_no_network(media: Media, overlay: OverlayRoot):
    # From the tarball, as IT would carry it, on a stick whose name has a space.
    stick = overlay.share / "USB DISK"
    stick.mkdir()
    subprocess.run(["tar", "-C", str(stick), "-xzf", str(media.tarball)], check=True)
    install = f"{overlay.share_at}/USB DISK/{media.folder.name}/install.sh"
    before = overlay.run("dpkg-query -W -f='${db:Status-Status}\\n' | grep -c '^installed'")
    started = time.monotonic()
    result = subprocess.run(
        ["unshare", "--net", *overlay.script(f"bash {shlex.quote(install)}")],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    seconds = time.monotonic() - started
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    status = overlay.run("dpkg -s ward-kiosk").stdout
    assert "Status: install ok installed" in status
    assert f"Version: {media.version}" in status
    assert '"language": "eo"' in result.stdout
    after = overlay.run("dpkg-query -W -f='${db:Status-Status}\\n' | grep -c '^installed'")
    added = int(after.stdout) - int(before.stdout)
    measure("install time", f"{seconds:.0f} s ({added} packages installed)")
