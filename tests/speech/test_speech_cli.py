"""`ward-kiosk speech recognize`, `models list` and `models install`."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from bench.speech import synthesize
from kiosk.cli import main
from kiosk.speech.errors import ModelInstallError
from kiosk.speech.models import install_model
from tests.speech.conftest import needs_tools


@needs_tools
@pytest.mark.parametrize("how", [["--screen", "purpose"], ["--choices", "전입|전출|출산"]])
def test_recognize_prints_json(how: list[str]):
    wav = synthesize("출산", ("ko", 150, 50))
    result = CliRunner().invoke(main, ["speech", "recognize", "--lang", "ko", *how, str(wav)])
    assert result.exit_code == 0, result.output
    heard = json.loads(result.output)
    assert set(heard) == {"choice", "text", "confidence", "ms", "candidate", "needs_confirmation"}
    assert heard["choice"] in {None, "birth", "출산"}


def test_recognize_needs_screen_or_choices(tmp_path: Path):
    wav = tmp_path / "a.wav"
    wav.write_bytes(b"")
    result = CliRunner().invoke(main, ["speech", "recognize", "--lang", "ko", str(wav)])
    assert result.exit_code != 0


def test_models_list_shows_the_packaged_korean_model():
    result = CliRunner().invoke(main, ["models", "list", "--no-load"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["ko"]["source"] == "packaged"


def _zip(path: Path, names: list[str]) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for name in names:
            z.writestr(name, "x")
    return path


GOOD = ["vosk-model-x/am/final.mdl", "vosk-model-x/conf/model.conf", "vosk-model-x/graph/Gr.fst"]


def test_install_unpacks_into_model_dir_and_list_sees_it(tmp_path: Path):
    archive = _zip(tmp_path / "m.zip", GOOD)
    config = tmp_path / "k.toml"
    config.write_text(f'[speech]\nmodel_dir = "{tmp_path / "models"}"\n', encoding="utf-8")
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    args = ["models", "install", "--lang", "xx", "--sha256", digest, str(archive)]
    result = CliRunner().invoke(main, [*args, "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "models" / "xx" / "am" / "final.mdl").is_file()
    listed = CliRunner().invoke(main, ["models", "list", "--config", str(config)])
    entry = json.loads(listed.output)["xx"]
    assert (entry["source"], entry["loads"], entry["error"]) == (
        "installed",
        False,
        "model_invalid",
    )
    install_model(archive, "xx", tmp_path / "models", digest)  # a reinstall replaces it
    assert [p.name for p in (tmp_path / "models").iterdir()] == ["xx"]


@pytest.mark.parametrize(
    ("names", "sha", "code"),
    [
        (GOOD, "0" * 64, "checksum_mismatch"),
        (["../evil/am/x", "conf/x", "graph/x"], None, "unsafe_archive"),
        (["/abs/am/x"], None, "unsafe_archive"),
        (["model/am/x", "model/conf/x"], None, "bad_layout"),
    ],
)
def test_install_refuses_bad_archives(tmp_path: Path, names: list[str], sha: str | None, code: str):
    archive = _zip(tmp_path / "m.zip", names)
    with pytest.raises(ModelInstallError) as caught:
        install_model(archive, "xx", tmp_path / "models", sha)
    assert caught.value.code == code
    assert not (tmp_path / "models" / "xx").exists()


def test_install_refuses_a_file_that_is_no_zip(tmp_path: Path):
    bad = tmp_path / "m.zip"
    bad.write_bytes(b"not a zip")
    with pytest.raises(ModelInstallError) as caught:
        install_model(bad, "xx", tmp_path / "models")
    assert caught.value.code == "bad_archive"
