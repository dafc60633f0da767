"""Installing an official model checks every file against its manifest of sha256 checksums."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.cli import main
from kiosk.speech.errors import ModelInstallError
from kiosk.speech.manifests import SUFFIX, manifests_dir, read_manifest, verified_as
from kiosk.speech.models import InstalledModel, install_model

KIOSK = str(Path(sys.executable).parent / "ward-kiosk")
JA = "vosk-model-small-ja-0.22"
XX = "vosk-model-small-xx-0.1"
FILES = {
    "am/final.mdl": b"acoustic model",
    "conf/model.conf": b"--min-active=200\n",
    "graph/Gr.fst": b"grammar",
    "graph/phones/word_boundary.int": b"1 nonword\n",
    "ivector/online_cmvn.conf": b"",
    "README": b"a tiny model for tests\n",
}


def _zip(path: Path, folder: str, files: dict[str, bytes]) -> Path:
    """A zip like the official ones: one model folder, with entries for its directories."""
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(f"{folder}/", b"")
        for name in sorted({n.rpartition("/")[0] for n in files if "/" in n}):
            z.writestr(f"{folder}/{name}/", b"")
        for name, data in files.items():
            z.writestr(f"{folder}/{name}", data)
    return path


@pytest.fixture
def manifests(tmp_path: Path) -> Path:
    """A manifest folder knowing the fake official model XX with the true sums of FILES."""
    folder = tmp_path / "manifests"
    folder.mkdir()
    lines = [f"{hashlib.sha256(data).hexdigest()}  {name}" for name, data in FILES.items()]
    text = "\n".join(["# language: xx", "# a model for tests", *lines]) + "\n"
    (folder / f"{XX}{SUFFIX}").write_text(text, encoding="utf-8")
    return folder


def _config(tmp_path: Path) -> Path:
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[speech]\nmodel_dir = "{tmp_path / "models"}"\n', encoding="utf-8")
    return config


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _install_other(tmp_path: Path, language: str) -> InstalledModel:
    """A model no manifest knows, installed with its checksum."""
    archive = _zip(tmp_path / "old.zip", "old", FILES)
    return install_model(archive, language, tmp_path / "models", _sha256(archive))


def _refusal(
    archive: Path, language: str, models: Path, manifests: Path | None = None
) -> ModelInstallError:
    with pytest.raises(ModelInstallError) as caught:
        install_model(archive, language, models, manifests=manifests)
    return caught.value


@pytest.mark.parametrize("name", [f"{XX}.zip", "copied-from-the-usb-stick.zip"])
def test_an_official_model_with_its_exact_files_installs_verified(
    tmp_path: Path, manifests: Path, name: str
):
    archive = _zip(tmp_path / name, XX, FILES)
    installed = install_model(archive, "xx", tmp_path / "models", manifests=manifests)
    assert installed.verified == XX
    assert installed.path == tmp_path / "models" / "xx"
    for file, data in FILES.items():
        assert (installed.path / file).read_bytes() == data
    assert verified_as(installed.path) == XX


def test_the_official_folder_at_the_top_of_the_zip_is_verified_by_the_zip_name(
    tmp_path: Path, manifests: Path
):
    archive = tmp_path / f"{XX}.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for file, data in FILES.items():
            z.writestr(file, data)
    installed = install_model(archive, "xx", tmp_path / "models", manifests=manifests)
    assert installed.verified == XX


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"conf/model.conf": b"--min-active=1\n"}, "changed conf/model.conf"),
        ({"graph/extra.txt": b"not official"}, "not in it: graph/extra.txt"),
        ({"README": None}, "missing README"),
    ],
)
def test_an_official_model_with_other_files_is_refused_and_nothing_changes(
    tmp_path: Path, manifests: Path, change: dict[str, bytes | None], named: str
):
    before = _install_other(tmp_path, "xx")
    files = {n: d for n, d in (FILES | change).items() if d is not None}
    error = _refusal(
        _zip(tmp_path / f"{XX}.zip", XX, files), "xx", tmp_path / "models", manifests=manifests
    )
    assert error.code == "manifest_mismatch"
    assert named in str(error) and "get the official archive again" in str(error)
    assert [p.name for p in (tmp_path / "models").iterdir()] == ["xx"]
    assert verified_as(before.path) is None  # still the model installed before
    assert (before.path / "conf" / "model.conf").read_bytes() == FILES["conf/model.conf"]


def test_a_file_outside_the_model_folder_is_refused(tmp_path: Path, manifests: Path):
    archive = _zip(tmp_path / f"{XX}.zip", XX, FILES)
    with zipfile.ZipFile(archive, "a") as z:
        z.writestr("__MACOSX/._README", b"resource fork")
    error = _refusal(archive, "xx", tmp_path / "models", manifests=manifests)
    assert error.code == "manifest_mismatch"
    assert "not in it: __MACOSX/._README" in str(error)
    assert not (tmp_path / "models" / "xx").exists()


def test_a_fake_japanese_model_is_refused_by_the_shipped_manifest(tmp_path: Path):
    config = _config(tmp_path)
    before = _install_other(tmp_path, "ja")
    official = read_manifest(manifests_dir() / f"{JA}{SUFFIX}")
    fake = _zip(tmp_path / f"{JA}.zip", JA, {name: b"fake" for name in official.files})
    error = _refusal(fake, "ja", tmp_path / "models")
    assert error.code == "manifest_mismatch"
    assert "changed README, changed am/final.mdl" in str(error) and "and 11 more" in str(error)
    assert (before.path / "am" / "final.mdl").read_bytes() == FILES["am/final.mdl"]
    assert [p.name for p in (tmp_path / "models").iterdir()] == ["ja"]
    listed = CliRunner().invoke(main, ["models", "list", "--no-load", "--config", str(config)])
    assert json.loads(listed.output)["ja"]["verified"] is None


def _install_with_the_command(
    tmp_path: Path, language: str, archive: Path
) -> subprocess.CompletedProcess[str]:
    command = [KIOSK, "models", "install", "--lang", language, str(archive)]
    return subprocess.run(
        [*command, "--config", str(_config(tmp_path))],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_installed_command_refuses_a_fake_japanese_model(tmp_path: Path):
    before = _install_other(tmp_path, "ja")
    fake = _zip(tmp_path / f"{JA}.zip", JA, FILES)  # the layout of a model, not its files
    result = _install_with_the_command(tmp_path, "ja", fake)
    assert result.returncode == 1, result.stderr
    assert result.stdout == ""
    assert "Error: manifest_mismatch: the archive is not the official" in result.stderr
    assert "missing am/final.mdl" not in result.stderr  # present, only changed
    assert "missing conf/mfcc.conf" in result.stderr
    assert "do not install a changed model" in result.stderr
    assert "Traceback" not in result.stderr
    assert (before.path / "README").read_bytes() == FILES["README"]


def test_the_installed_command_refuses_a_japanese_model_for_korean(tmp_path: Path):
    fake = _zip(tmp_path / f"{JA}.zip", JA, FILES)
    result = _install_with_the_command(tmp_path, "ko", fake)
    assert result.returncode == 1
    assert "language_mismatch" in result.stderr and "install it with --lang ja" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "models" / "ko").exists()


def test_a_model_with_another_name_installs_unverified(tmp_path: Path, manifests: Path):
    config = _config(tmp_path)
    archive = _zip(tmp_path / "my-model.zip", "my-model", FILES | {"extra.txt": b"mine"})
    args = ["models", "install", "--lang", "ja", "--sha256", _sha256(archive), str(archive)]
    result = CliRunner().invoke(main, [*args, "--config", str(config)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report == {"language": "ja", "path": str(tmp_path / "models" / "ja"), "verified": None}
    assert not (tmp_path / "models" / "ja" / ".verified").exists()


def test_models_list_says_which_official_model_was_verified(tmp_path: Path, manifests: Path):
    config = _config(tmp_path)
    install_model(
        _zip(tmp_path / f"{XX}.zip", XX, FILES), "xx", tmp_path / "models", manifests=manifests
    )
    listed = CliRunner().invoke(main, ["models", "list", "--no-load", "--config", str(config)])
    assert listed.exit_code == 0, listed.output
    report = json.loads(listed.output)
    assert report["xx"]["verified"] == XX
    assert all(entry["verified"] is None for lang, entry in report.items() if lang != "xx")


@pytest.mark.parametrize("path", sorted(manifests_dir().glob(f"*{SUFFIX}")), ids=lambda p: p.name)
def test_every_shipped_manifest_reads_and_declares_its_language(path: Path):
    manifest = read_manifest(path)
    assert manifest.language is not None and f"-{manifest.language}-" in manifest.name
    assert {"am/final.mdl", "conf/model.conf"} <= manifest.files.keys()


def test_the_japanese_manifest_is_the_reference_list():
    manifest = read_manifest(manifests_dir() / f"{JA}{SUFFIX}")
    assert (manifest.name, manifest.language, len(manifest.files)) == (JA, "ja", 16)
    assert manifest.files["ivector/online_cmvn.conf"] == hashlib.sha256(b"").hexdigest()


def test_a_broken_manifest_line_is_named(tmp_path: Path, manifests: Path):
    (manifests / f"{XX}{SUFFIX}").write_text("# language: xx\nabc  am/final.mdl\n", "utf-8")
    error = _refusal(
        _zip(tmp_path / f"{XX}.zip", XX, FILES), "xx", tmp_path / "models", manifests=manifests
    )
    assert error.code == "bad_manifest" and f"{XX}{SUFFIX}:2" in str(error)
