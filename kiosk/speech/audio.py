"""Audio in: 16 kHz mono 16-bit PCM chunks from the microphone or a WAV file."""

from __future__ import annotations

import shutil
import subprocess
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from kiosk.speech.errors import AudioError, MicrophoneMissing

SAMPLE_RATE = 16000
CHUNK_SECONDS = 0.1
CHUNK_BYTES = int(SAMPLE_RATE * CHUNK_SECONDS) * 2


class AudioSource(Protocol):
    """Delivers 16 kHz mono signed 16-bit little-endian PCM until closed or exhausted."""

    def chunks(self) -> Iterator[bytes]: ...


class WavSource:
    """A WAV file played as if spoken; other rates and channel counts are converted with sox."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._pcm: bytes | None = None

    def pcm(self) -> bytes:
        if self._pcm is None:
            self._pcm = _read_pcm(self.path)
        return self._pcm

    def chunks(self) -> Iterator[bytes]:
        data = self.pcm()
        for start in range(0, len(data), CHUNK_BYTES):
            yield data[start : start + CHUNK_BYTES]


def microphone_problem(device: int | str | None = None) -> str | None:
    """Why the kiosk cannot listen (no audio system, no input device), or None when it can."""
    try:
        MicrophoneSource(device).check()
    except MicrophoneMissing as e:
        return str(e)
    return None


class MicrophoneSource:
    """The default input device, read through sounddevice (PortAudio)."""

    def __init__(self, device: int | str | None = None) -> None:
        self.device = device

    def chunks(self) -> Iterator[bytes]:
        stream = self._open()
        with stream:
            while True:
                data, _overflowed = stream.read(CHUNK_BYTES // 2)
                yield bytes(data)

    def check(self) -> None:
        """MicrophoneMissing unless the device takes 16 kHz mono input."""
        sounddevice = self._library()
        try:
            sounddevice.check_input_settings(
                device=self.device, channels=1, dtype="int16", samplerate=SAMPLE_RATE
            )
        except (sounddevice.PortAudioError, ValueError) as e:
            raise MicrophoneMissing(f"no usable microphone: {e}") from None

    def _library(self) -> Any:
        try:
            import sounddevice
        except OSError as e:  # PortAudio itself is missing
            raise MicrophoneMissing(f"no audio system: {e}") from None
        return sounddevice

    def _open(self) -> Any:
        self.check()
        sounddevice = self._library()
        try:
            return sounddevice.RawInputStream(
                device=self.device,
                channels=1,
                dtype="int16",
                samplerate=SAMPLE_RATE,
                blocksize=CHUNK_BYTES // 2,
            )
        except (sounddevice.PortAudioError, ValueError) as e:
            raise MicrophoneMissing(f"no usable microphone: {e}") from None


def _read_pcm(path: Path) -> bytes:
    try:
        with wave.open(str(path), "rb") as w:
            if (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (SAMPLE_RATE, 1, 2):
                return w.readframes(w.getnframes())
    except FileNotFoundError:
        raise AudioError(f"{path}: no such file") from None
    except (wave.Error, EOFError):
        pass  # e.g. float or extensible WAV: sox reads those
    return _convert_with_sox(path)


def _convert_with_sox(path: Path) -> bytes:
    sox = shutil.which("sox")
    if sox is None:
        raise AudioError(f"{path} is not 16 kHz mono 16-bit, and sox is not installed")
    command = [sox, str(path), "-t", "raw", "-r", str(SAMPLE_RATE), "-c", "1", "-b", "16"]
    command += ["-e", "signed-integer", "-L", "-"]
    result = subprocess.run(command, capture_output=True, check=False)  # noqa: S603
    if result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip()
        raise AudioError(f"{path} cannot be read as audio: {message}")
    return result.stdout
