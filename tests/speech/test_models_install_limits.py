"""``models install`` takes only a language code, a checksum and a model of sensible size."""

from __future__ import annotations

import hashlib
import os
import struct
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.cli import main
from kiosk.config import Settings
from kiosk.speech.errors import ModelInstallError
from kiosk.speech.models import MIB, install_model

FILES = {
    "am/final.mdl": b"acoustic model",
    "conf/model.conf": b"--min-active=200\n",
    "graph/Gr.fst": b"grammar",
}


def _zip(path: Path, files: dict[str, bytes], folder: str = "my-model") -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(f"{folder}/{name}", data)
    return path


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _install(tmp_path: Path, *args: str, max_mb: int = 2048) -> tuple[int, str]:
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[speech]\nmodel_dir = "{tmp_path / "models"}"\nmodel_max_mb = {max_mb}\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["models", "install", *args, "--config", str(config)])
    return result.exit_code, result.output


def _refused(archive: Path, language: str, models: Path, sha: str | None = None, **kw: int) -> str:
    with pytest.raises(ModelInstallError) as caught:
        install_model(archive, language, models, sha, **kw)
    return caught.value.code


# -- the language code and the folder -------------------------------------------------


def test_lang_dot_dot_is_refused_before_anything_touches_the_disk(tmp_path: Path):
    """The review's case: --lang ../x replaced (and deleted) a folder beside the models."""
    outside = tmp_path / "x"
    outside.mkdir()
    (outside / "keep.txt").write_text("not a model", encoding="utf-8")
    archive = _zip(tmp_path / "m.zip", FILES)
    code, output = _install(tmp_path, "--lang", "../x", "--sha256", _sha256(archive), str(archive))
    assert code == 1
    assert "bad_language" in output and "is not a language code" in output
    assert "Traceback" not in output
    assert (outside / "keep.txt").read_text(encoding="utf-8") == "not a model"
    assert sorted(p.name for p in outside.iterdir()) == ["keep.txt"]
    assert not (tmp_path / "models").exists()


@pytest.mark.parametrize(
    "language", ["../x", "..", ".", "ja/../../x", "/tmp/x", "JA", "j", "ja_JP", "ja ", "", "日本"]
)
def test_what_is_no_language_code_is_refused(tmp_path: Path, language: str):
    archive = _zip(tmp_path / "m.zip", FILES)
    assert _refused(archive, language, tmp_path / "models", _sha256(archive)) == "bad_language"
    assert not (tmp_path / "models").exists()


@pytest.mark.parametrize("language", ["ja", "ko", "yue", "pt-BR", "zh-Hant"])
def test_language_codes_install(tmp_path: Path, language: str):
    archive = _zip(tmp_path / "m.zip", FILES)
    installed = install_model(archive, language, tmp_path / "models", _sha256(archive))
    assert installed.path == tmp_path / "models" / language
    assert (installed.path / "am" / "final.mdl").read_bytes() == FILES["am/final.mdl"]


def test_a_language_folder_that_links_outside_is_refused(tmp_path: Path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "keep.txt").write_text("someone's files", encoding="utf-8")
    models = tmp_path / "models"
    models.mkdir()
    (models / "xx").symlink_to(outside, target_is_directory=True)
    archive = _zip(tmp_path / "m.zip", FILES)
    assert _refused(archive, "xx", models, _sha256(archive)) == "unsafe_target"
    assert sorted(p.name for p in outside.iterdir()) == ["keep.txt"]
    assert (models / "xx").is_symlink()


# -- the checksum ---------------------------------------------------------------------


def test_a_model_no_manifest_knows_needs_sha256(tmp_path: Path):
    archive = _zip(tmp_path / "m.zip", FILES)
    code, output = _install(tmp_path, "--lang", "xx", str(archive))
    assert code == 1
    assert "checksum_required" in output and "--sha256" in output
    assert not (tmp_path / "models").exists()


def test_a_sha256_that_is_no_checksum_is_named(tmp_path: Path):
    archive = _zip(tmp_path / "m.zip", FILES)
    assert _refused(archive, "xx", tmp_path / "models", "../../etc") == "bad_checksum"


# -- the size cap -----------------------------------------------------------------------


def test_the_default_cap_is_two_gib():
    assert Settings().speech.model_max_mb == 2048


def test_a_zip_file_over_the_cap_is_refused(tmp_path: Path):
    archive = _zip(tmp_path / "m.zip", FILES | {"am/noise": os.urandom(2 * MIB)})
    assert archive.stat().st_size > MIB  # random bytes do not pack
    sha = _sha256(archive)
    assert _refused(archive, "xx", tmp_path / "models", sha, max_bytes=MIB) == "too_large"
    assert not (tmp_path / "models").exists()


def test_a_zip_bomb_is_refused_by_its_declared_size(tmp_path: Path):
    """3 MiB of zeros pack into a few KiB: the unpacked size counts, not the zip's."""
    archive = _zip(tmp_path / "m.zip", FILES | {"graph/HCLG.fst": bytes(3 * MIB)})
    assert archive.stat().st_size < 100_000
    args = ["--lang", "xx", "--sha256", _sha256(archive), str(archive)]
    code, output = _install(tmp_path, *args, max_mb=1)
    assert code == 1
    assert "too_large" in output and "speech.model_max_mb" in output
    assert not (tmp_path / "models").exists()


def test_a_file_larger_than_its_header_says_is_refused_and_nothing_stays(tmp_path: Path):
    """A zip whose headers claim 10 bytes for 1 MiB of zeros: unpacking stops at 10."""
    archive = _zip(tmp_path / "m.zip", FILES | {"am/big": bytes(MIB)})
    _declare_size(archive, "my-model/am/big", 10)
    models = tmp_path / "models"
    code = _refused(archive, "xx", models, _sha256(archive))
    assert code in ("bad_archive", "unsafe_archive")
    assert list(models.iterdir()) == []  # the staging folder is gone too


def _declare_size(archive: Path, name: str, size: int) -> None:
    """Rewrite the uncompressed size of ``name`` in its local and central headers."""
    data = bytearray(archive.read_bytes())
    encoded = name.encode()
    for signature, offset, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        start = 0
        while (start := data.find(signature, start)) >= 0:
            if data[start + name_at : start + name_at + len(encoded)] == encoded:
                struct.pack_into("<I", data, start + offset, size)
            start += 4
    archive.write_bytes(bytes(data))
    with zipfile.ZipFile(archive) as z:
        assert z.getinfo(name).file_size == size
