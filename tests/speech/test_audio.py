"""Audio sources: WAV files and a missing microphone."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.speech.audio import CHUNK_BYTES, MicrophoneSource, WavSource
from kiosk.speech.errors import AudioError, MicrophoneMissing
from tests.speech.conftest import write_wav


def test_a_16khz_wav_is_played_in_chunks(tmp_path: Path):
    path = write_wav(tmp_path / "a.wav", b"\1\0" * 8000)
    chunks = list(WavSource(path).chunks())
    assert b"".join(chunks) == b"\1\0" * 8000
    assert max(len(c) for c in chunks) == CHUNK_BYTES


def test_a_file_that_is_no_audio_is_a_typed_error(tmp_path: Path):
    path = tmp_path / "a.wav"
    path.write_text("hello")
    with pytest.raises(AudioError) as caught:
        WavSource(path).pcm()
    assert caught.value.code == "bad_audio"


def test_a_missing_microphone_is_a_typed_error():
    with pytest.raises(MicrophoneMissing) as caught:
        next(MicrophoneSource(device="no such microphone").chunks())
    assert caught.value.code == "microphone_missing"
