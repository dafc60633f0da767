"""The Japanese voice: Open JTalk (pyopenjtalk-plus) with the HTS voice "Mei".

Open JTalk reads kanji itself, with Japanese accent and intonation, where
espeak-ng could only spell kana. It renders in a render process of its own
(``python -m kiosk.speech.openjtalk``) that stays up for the speaker's life:
loading its dictionaries takes about half a second once, and its synthesis
holds the interpreter lock, which would freeze the kiosk's screen if it ran in
the window's process.

Protocol: one JSON object a line on stdin ``{"text", "speed", "half_tone",
"volume", "out"}``; one line back on stdout, ``ok <seconds>`` when the WAV was
written or ``error <reason>``.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import subprocess
import sys
import threading
import wave
from pathlib import Path
from typing import IO, Any

from kiosk.config import VoiceSettings
from kiosk.speech.errors import SpeechError

ENGINE = "openjtalk"
VOICE = "mei_normal"
VOICE_CREDIT = (
    'HTS voice "Mei" (mei_normal), Copyright (c) 2009-2013 Nagoya Institute of Technology, '
    "Department of Computer Science; licensed under Creative Commons Attribution 3.0 (CC BY 3.0). "
    "Open JTalk and pyopenjtalk-plus: Modified BSD and MIT licences."
)
BASE_RATE = 150
"""The rate (words per minute in the voice settings) at which Open JTalk speaks at speed 1.0."""
START_TIMEOUT = 30.0
RENDER_TIMEOUT = 30.0


class OpenJTalkError(SpeechError):
    code = "speak_failed"


def available() -> bool:
    """Whether pyopenjtalk is installed (it has wheels for Linux and Windows)."""
    return importlib.util.find_spec("pyopenjtalk") is not None


def speed_for(voice: VoiceSettings) -> float:
    """Open JTalk's speed factor for the configured rate (150 words a minute is 1.0)."""
    return max(0.5, min(2.0, voice.rate / BASE_RATE))


class OpenJTalkEngine:
    """Renders Japanese text to WAV files through one long-lived render process."""

    name = ENGINE

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen[str] | None = None

    def voice_name(self, language: str) -> str:
        return VOICE

    def warm_up(self) -> None:
        """Start the render process and load its dictionaries now, not at the first phrase."""
        with self._lock:
            self._running()

    def render(
        self, text: str, language: str, voice: VoiceSettings, volume: float, out: Path
    ) -> None:
        job = {
            "text": text,
            "speed": speed_for(voice),
            "half_tone": voice.pitch,
            "volume": volume,
            "out": str(out),
        }
        with self._lock:
            process = self._running()
            reply = self._ask(process, job)
        if not reply.startswith("ok"):
            raise OpenJTalkError(f"Open JTalk: {reply.removeprefix('error').strip()}")

    def close(self) -> None:
        with self._lock:
            process, self._process = self._process, None
        if process is not None and process.poll() is None:
            assert process.stdin is not None  # noqa: S101 - opened with PIPE
            with contextlib.suppress(OSError):
                process.stdin.close()
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def _running(self) -> subprocess.Popen[str]:
        if self._process is not None and self._process.poll() is None:
            return self._process
        process = subprocess.Popen(
            [sys.executable, "-m", "kiosk.speech.openjtalk"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            encoding="utf-8",
        )
        reply = _read_line(process, START_TIMEOUT)
        if reply != "ready":
            process.kill()
            process.wait()
            raise OpenJTalkError(f"Open JTalk did not start: {reply or 'no answer'}")
        self._process = process
        return process

    def _ask(self, process: subprocess.Popen[str], job: dict[str, Any]) -> str:
        assert process.stdin is not None  # noqa: S101 - opened with PIPE
        try:
            process.stdin.write(json.dumps(job, ensure_ascii=False) + "\n")
            process.stdin.flush()
        except OSError as e:
            self._process = None
            raise OpenJTalkError(f"the Open JTalk render process ended: {e}") from None
        reply = _read_line(process, RENDER_TIMEOUT)
        if not reply:
            process.kill()
            process.wait()
            self._process = None
            raise OpenJTalkError("the Open JTalk render process did not answer")
        return reply


def _read_line(process: subprocess.Popen[str], timeout: float) -> str:
    """One line from the process, or "" when it ends or says nothing within ``timeout``."""
    stdout = process.stdout
    assert stdout is not None  # noqa: S101 - opened with PIPE
    line: list[str] = []
    reader = threading.Thread(target=lambda: line.append(stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    if reader.is_alive():
        process.kill()
        reader.join(5)
        return ""
    return line[0].strip() if line else ""


# -- the render process -----------------------------------------------------------------


def synthesize(job: dict[str, Any]) -> float:
    """Write ``job["text"]`` as a 16-bit mono WAV; returns its length in seconds."""
    import numpy as np

    samples, rate = _tts(str(job["text"]), float(job["speed"]), float(job["half_tone"]))
    scaled = np.clip(samples * float(job["volume"]), -32768, 32767).astype("<i2")
    with wave.open(str(job["out"]), "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(int(rate))
        f.writeframes(scaled.tobytes())
    return len(scaled) / rate


def _tts(text: str, speed: float, half_tone: float) -> tuple[Any, int]:
    import pyopenjtalk

    samples, rate = pyopenjtalk.tts(
        text,
        speed=speed,
        half_tone=half_tone,
        use_sudachi_kanji_yomi=_has_sudachi_dictionary(),
        predict_nani=False,  # needs onnxruntime, which the kiosk does not install
    )
    return samples, int(rate)


def _has_sudachi_dictionary() -> bool:
    # Without sudachidict_core, pyopenjtalk-plus fails on some words when asked to use it.
    return importlib.util.find_spec("sudachidict_core") is not None


def serve(requests: IO[str], replies: IO[str]) -> None:
    """Answer render requests until stdin closes."""
    for line in requests:
        if not line.strip():
            continue
        job: dict[str, Any] = {}
        try:
            job = json.loads(line)
            seconds = synthesize(job)
            reply = f"ok {seconds:.3f}"
        except Exception as e:  # noqa: BLE001 - any failure is answered, the process goes on
            # The text may be a visitor's name: the reason goes to logs without it.
            reason = str(e).replace(str(job.get("text", "")) or "\0", "<text>")
            reply = "error " + " ".join(f"{type(e).__name__}: {reason}".split())
        replies.write(reply + "\n")
        replies.flush()


def main() -> int:
    replies = sys.stdout
    sys.stdout = sys.stderr  # the library prints notices; only replies go to the pipe
    try:
        _tts("あ", 1.0, 0.0)  # loads the dictionaries before the first request
    except Exception as e:  # noqa: BLE001 - reported to the speaker, which explains it
        replies.write(f"error {type(e).__name__}: {e}\n")
        return 1
    replies.write("ready\n")
    replies.flush()
    serve(sys.stdin, replies)
    return 0


if __name__ == "__main__":
    sys.exit(main())
