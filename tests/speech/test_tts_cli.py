"""``say``: the kiosk's voice on the command line, into a WAV file without a sound card."""

from __future__ import annotations

import ctypes.util
import json
import re
import shutil
import subprocess
import wave
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.speech.say_cli import say

pytestmark = pytest.mark.skipif(
    ctypes.util.find_library("espeak-ng") is None, reason="libespeak-ng1 is not installed"
)


def sox_stat(path: Path) -> dict[str, float]:
    result = subprocess.run(["sox", str(path), "-n", "stat"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    stats = {}
    for line in result.stderr.splitlines():
        name, _, value = line.partition(":")
        if re.fullmatch(r"\s*-?[\d.]+\s*", value):
            stats[name.strip()] = float(value)
    return stats


@pytest.mark.parametrize(
    ("language", "text"),
    [("ja", "転入届を出しに来ました。"), ("en", "Please take a ticket."), ("ko", "안녕하세요")],
)
def test_say_writes_a_wav(tmp_path: Path, language: str, text: str):
    out = tmp_path / f"{language}.wav"
    result = CliRunner().invoke(say, ["--lang", language, "--out", str(out), text])
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:4] == b"RIFF"
    with wave.open(str(out)) as w:
        assert w.getsampwidth() == 2
        assert w.getnchannels() == 1
        seconds = w.getnframes() / w.getframerate()
    assert seconds > 0.3
    assert json.loads(result.output) == {"file": str(out), "seconds": round(seconds, 2)}
    if shutil.which("sox"):
        stats = sox_stat(out)
        assert stats["RMS     amplitude"] > 0.01
        assert stats["Maximum amplitude"] > 0.1


def test_say_uses_the_configured_rate(tmp_path: Path):
    config = tmp_path / "config.toml"
    config.write_text("[speech.voices.en]\nrate = 300\n", encoding="utf-8")
    text = "The counter will call your number shortly."

    def seconds(*options: str) -> float:
        out = tmp_path / "out.wav"
        result = CliRunner().invoke(say, ["--lang", "en", *options, "--out", str(out), text])
        assert result.exit_code == 0, result.output
        return float(json.loads(result.output)["seconds"])

    assert seconds("--config", str(config)) * 1.5 < seconds()


def test_say_reports_a_voice_that_does_not_exist(tmp_path: Path):
    config = tmp_path / "config.toml"
    config.write_text('[speech.voices.en]\nvoice = "no-such-voice"\n', encoding="utf-8")
    out = tmp_path / "x.wav"
    result = CliRunner().invoke(
        say, ["--lang", "en", "--config", str(config), "--out", str(out), "hello"]
    )
    assert result.exit_code == 1
    assert "no-such-voice" in result.output
