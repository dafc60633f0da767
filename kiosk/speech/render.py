"""Render one text to a WAV file with pyttsx3 in a fresh process.

espeak-ng keeps one voice, rate and volume per process, and pyttsx3's espeak
driver applies a changed rate or volume only some utterances later: the second
visitor would get the first one's volume. A process per utterance starts from
a clean espeak (about 70 ms), so every utterance gets exactly its own settings.

pyttsx3's espeak driver also ends its loop as soon as synthesis has *started*:
espeak goes on in a thread of its own and writes the WAV when it is done, so a
process that returned from ``runAndWait`` at once lost every text longer than
a few words. ``render`` therefore waits for the driver's "finished-utterance".

Protocol: a JSON object on stdin ``{"text", "voice", "rate", "volume", "pitch",
"out", "driver"}``; exit status 0 when the WAV was written, else 1 with the reason on
stderr.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import threading
from pathlib import Path
from typing import Any

FINISH_TIMEOUT = 30.0


def render(job: dict[str, Any]) -> None:
    import pyttsx3

    errors: list[str] = []
    finished = threading.Event()
    engine: Any = pyttsx3.Engine(job.get("driver"))
    engine.connect("error", lambda **event: errors.append(str(event.get("exception"))))
    engine.connect("finished-utterance", lambda **_event: finished.set())
    engine.setProperty("voice", job["voice"])
    engine.setProperty("rate", int(job["rate"]))
    engine.setProperty("volume", float(job["volume"]))
    engine.setProperty("pitch", int(job.get("pitch", 50)))
    engine.save_to_file(job["text"], job["out"])
    engine.runAndWait()
    if not finished.wait(FINISH_TIMEOUT):
        raise RuntimeError(f"the engine did not finish within {FINISH_TIMEOUT:g} s")
    if errors:
        raise RuntimeError(errors[0])
    if not Path(job["out"]).is_file():
        raise RuntimeError("the engine wrote no audio")


def main() -> int:
    job = json.loads(sys.stdin.read())
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # the driver print()s "Audio saved"
            render(job)
    except Exception as e:  # noqa: BLE001 - any engine failure is reported, not raised
        sys.stderr.write(f"{type(e).__name__}: {e}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
