"""``ward-kiosk speech say`` and ``speech voices``, through the installed command."""

from __future__ import annotations

import ctypes.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.audio_checks import assert_speaks

pytestmark = pytest.mark.skipif(
    ctypes.util.find_library("espeak-ng") is None, reason="libespeak-ng1 is not installed"
)
WARD_KIOSK = str(Path(sys.executable).with_name("ward-kiosk"))
SCREEN = {
    "ja": "全7問中、1問目\n本日はどのようなご用件ですか？\n引っ越してきた（転入）\n"
    "引っ越していく（転出）\n区内・市内での引っ越し（転居）\n証明書がほしい・印鑑登録\n"
    "赤ちゃんが生まれた\n国民健康保険\n児童手当\nその他・わからない\nもどる",
    "en": "Question 1 of 7\nWhat brings you here today?\nI moved into this ward\n"
    "I am moving out of this ward\nI am moving within Osaka City\nI need a certificate\n"
    "We had a baby\nNational Health Insurance\nChild allowance\nSomething else\nBack",
    "ko": "질문 7개 중 1번째\n오늘은 어떤 일로 오셨습니까?\n이사 왔다(전입)\n이사 간다(전출)\n"
    "증명서가 필요하다\n아기가 태어났다\n국민건강보험\n아동수당\n기타\n뒤로",
}


def ward_kiosk(*args: str, config: Path | None = None) -> subprocess.CompletedProcess[str]:
    options = ["--config", str(config)] if config else []
    command = [WARD_KIOSK, "speech", *args[:1], *options, *args[1:]]
    return subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)


def test_the_command_is_installed():
    assert shutil.which(WARD_KIOSK), "pip install -e . puts ward-kiosk beside the interpreter"


@pytest.mark.parametrize("language", sorted(SCREEN))
def test_say_writes_a_whole_screen_that_is_heard(tmp_path: Path, language: str):
    out = tmp_path / f"{language}.wav"
    done = ward_kiosk("say", "--lang", language, "--out", str(out), SCREEN[language])
    assert done.returncode == 0, done.stderr
    heard = assert_speaks(out, SCREEN[language])
    assert json.loads(done.stdout) == {"file": str(out), "seconds": round(heard.seconds, 2)}


def test_say_takes_a_long_text(tmp_path: Path):
    text = "\n".join([SCREEN["en"]] * 4)
    out = tmp_path / "long.wav"
    done = ward_kiosk("say", "--lang", "en", "--out", str(out), text)
    assert done.returncode == 0, done.stderr
    assert assert_speaks(out, text).seconds > 30


def test_say_uses_the_configured_rate(tmp_path: Path):
    config = tmp_path / "config.toml"
    config.write_text("[speech.voices.en]\nrate = 300\n", encoding="utf-8")
    text = "The counter will call your number shortly."

    def seconds(config_file: Path | None) -> float:
        out = tmp_path / "out.wav"
        done = ward_kiosk("say", "--lang", "en", "--out", str(out), text, config=config_file)
        assert done.returncode == 0, done.stderr
        return float(json.loads(done.stdout)["seconds"])

    assert seconds(config) * 1.5 < seconds(None)


def test_say_reports_a_voice_that_does_not_exist(tmp_path: Path):
    config = tmp_path / "config.toml"
    config.write_text('[speech.voices.en]\nvoice = "no-such-voice"\n', encoding="utf-8")
    done = ward_kiosk("say", "--lang", "en", "--out", str(tmp_path / "x.wav"), "hi", config=config)
    assert done.returncode == 1
    assert "no-such-voice" in done.stderr
    assert "Traceback" not in done.stderr


def test_voices_lists_each_offered_language_and_renders_it(tmp_path: Path):
    config = tmp_path / "config.toml"
    config.write_text('[kiosk]\nlanguages = ["ja", "en", "ko"]\n', encoding="utf-8")
    done = ward_kiosk("voices", "--json", config=config)
    assert done.returncode == 0, done.stderr
    reports = {r["language"]: r for r in json.loads(done.stdout)}
    assert list(reports) == ["ja", "en", "ko"]
    assert reports["ja"]["engine"] == "openjtalk"
    assert reports["ja"]["voice"] == "mei_normal"
    assert reports["en"]["engine"] == reports["ko"]["engine"] == "espeak"
    assert all(r["works"] and r["seconds"] > 0.5 for r in reports.values())
    table = ward_kiosk("voices", config=config)
    assert table.returncode == 0 and "openjtalk" in table.stdout


def test_voices_fails_when_an_offered_language_cannot_be_spoken(tmp_path: Path):
    config = tmp_path / "config.toml"
    config.write_text('[speech.voices.en]\nvoice = "no-such-voice"\n', encoding="utf-8")
    done = ward_kiosk("voices", "--json", config=config)
    assert done.returncode == 1
    reports = {r["language"]: r for r in json.loads(done.stdout)}
    assert reports["ja"]["works"] and not reports["en"]["works"]
    assert "no-such-voice" in reports["en"]["error"]
