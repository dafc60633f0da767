"""The built wheel, installed into a fresh venv, finds its resources from any folder, and a
ward's own files in ``kiosk.resources_dir`` override the shipped ones (issue 13).

The wheel is built without network (no build isolation) and installed with ``--no-deps``;
the new venv reaches the dependencies already in this venv through a ``.pth`` file.
Building, installing and the commands take about 40 s together.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.wheel

REPO = Path(__file__).resolve().parent.parent
SOURCES = ("kiosk", "resources", "pyproject.toml", "setup.py", "README.md")
SHIFT_JIS = '[questions.purpose]\ntitle = "転入"\n'.encode("shift_jis")


def _run(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, check=False, **kwargs)  # type: ignore[call-overload, no-any-return]


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the sources, so the clone gets no build/ or egg-info folder."""
    copy = tmp_path_factory.mktemp("wheel") / "src"
    copy.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in SOURCES:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, copy / name, ignore=ignore)
        else:
            shutil.copy2(REPO / name, copy / name)
    return copy


def fresh_venv(venv: Path) -> Path:
    """A venv without pip that reaches this venv's packages through a .pth file; its python."""
    made = _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], timeout=60)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    purelib = _run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], timeout=30
    ).stdout.strip()
    (Path(purelib) / "ward_kiosk_dependencies.pth").write_text(
        sysconfig.get_path("purelib") + "\n", encoding="utf-8"
    )
    return python


def pip_install(python: Path, *args: str) -> None:
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps"]
    installed = _run([*pip, "--no-index", "--no-build-isolation", *args], timeout=120)
    assert installed.returncode == 0, installed.stderr


@pytest.fixture(scope="module")
def wheel(source: Path) -> Path:
    """The wheel, built without network."""
    root = source.parent
    pip = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation"]
    built = _run([*pip, "--no-index", "-w", str(root / "dist"), str(source)], timeout=120)
    assert built.returncode == 0, built.stderr
    (found,) = (root / "dist").glob("ward_kiosk-*.whl")
    return found


@pytest.fixture(scope="module")
def ward_kiosk(wheel: Path) -> Path:
    """``ward-kiosk`` of a fresh venv holding only the wheel (dependencies through a .pth)."""
    python = fresh_venv(wheel.parent.parent / "venv")
    pip_install(python, str(wheel))
    return python.parent / "ward-kiosk"


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    """A working folder far from the clone."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    return folder


def kiosk(
    command: Path, cwd: Path, *args: str, ward: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARD_KIOSK_")}
    env.pop("PYTHONPATH", None)
    env["WARD_KIOSK_KIOSK_RESOURCES_DIR"] = str(ward or cwd / "no-ward-resources")
    return _run([str(command), *args], cwd=cwd, env=env, timeout=120)


def test_the_wheel_holds_the_resources_as_a_package(wheel: Path):
    names = set(zipfile.ZipFile(wheel).namelist())
    for file in ("catalog/questions.toml", "i18n/ja/ui.toml", "fonts/ipaexg.ttf", "forms/"):
        assert any(name.startswith(f"kiosk_resources/{file}") for name in names), file


def test_the_installed_package_reads_its_own_resources(ward_kiosk: Path, elsewhere: Path):
    python = str(ward_kiosk.parent / "python")
    code = "import kiosk.resources as r; print(r.__file__); print(r.shipped_dir())"
    result = _run([python, "-c", code], cwd=elsewhere, timeout=60)
    module, shipped = result.stdout.split()
    venv = str(ward_kiosk.parent.parent)
    assert module.startswith(venv), result.stderr
    assert shipped.startswith(venv)
    assert shipped.endswith("kiosk_resources")


def test_doctor_from_another_folder_finds_every_resource(ward_kiosk: Path, elsewhere: Path):
    result = kiosk(ward_kiosk, elsewhere, "doctor", "--no-speech", "--json")
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    assert "file not found" not in output
    checks = {c["check"]: c for c in json.loads(result.stdout)}
    assert checks["settings"]["status"] == "ok", checks["settings"]


def test_config_show_from_another_folder(ward_kiosk: Path, elsewhere: Path):
    result = kiosk(ward_kiosk, elsewhere, "config", "show")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    shown = json.loads(result.stdout)
    assert shown["kiosk"]["resources_dir"] == str(elsewhere / "no-ward-resources")


def test_a_ward_file_overrides_the_shipped_one(ward_kiosk: Path, elsewhere: Path):
    """A ward's own procedure sends visitors to a counter the settings lack: it was read."""
    procedures = elsewhere / "ward" / "catalog" / "procedures"
    procedures.mkdir(parents=True)
    shipped = (REPO / "resources" / "catalog" / "procedures" / "tennyu.toml").read_text("utf-8")
    changed = shipped.replace('counter = "resident"', 'counter = "ward_desk"')
    assert changed != shipped
    (procedures / "tennyu.toml").write_text(changed, encoding="utf-8")
    result = kiosk(ward_kiosk, elsewhere, "config", "show", ward=elsewhere / "ward")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "['ward_desk']" in result.stderr


@pytest.mark.parametrize(
    "command",
    [["config", "show"], ["doctor", "--no-speech", "--json"], ["run", "--windowed"]],
)
def test_a_broken_ward_file_is_a_message_naming_it(
    ward_kiosk: Path, elsewhere: Path, command: list[str]
):
    broken = elsewhere / "ward" / "catalog" / "questions.toml"
    broken.parent.mkdir(parents=True)
    broken.write_bytes(SHIFT_JIS)
    result = kiosk(ward_kiosk, elsewhere, *command, ward=elsewhere / "ward")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"{broken}: not UTF-8 text" in result.stdout + result.stderr


def test_an_editable_install_reads_the_source_tree(source: Path, elsewhere: Path):
    python = fresh_venv(source.parent / "editable")
    pip_install(python, "-e", str(source))
    code = "import kiosk.resources as r; print(r.shipped_dir())"
    result = _run([str(python), "-c", code], cwd=elsewhere, timeout=60)
    assert result.stdout.strip() == str(source / "resources"), result.stderr
    shown = kiosk(python.parent / "ward-kiosk", elsewhere, "config", "show")
    assert shown.returncode == 0, shown.stderr
