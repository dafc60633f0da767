"""Render one text to a WAV file with pyttsx3 in a fresh process.

espeak-ng keeps one voice, rate and volume per process, and pyttsx3's espeak
driver applies a changed rate or volume only some utterances later: the second
visitor would get the first one's volume. A process per utterance starts from
a clean espeak (about 70 ms), so every utterance gets exactly its own settings.

Protocol: a JSON object on stdin ``{"text", "voice", "rate", "volume", "out",
"driver"}``; exit status 0 when the WAV was written, else 1 with the reason on
stderr.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
from pathlib import Path
from typing import Any


def render(job: dict[str, Any]) -> None:
    import pyttsx3

    errors: list[str] = []
    engine: Any = pyttsx3.Engine(job.get("driver"))
    engine.connect("error", lambda **event: errors.append(str(event.get("exception"))))
    engine.setProperty("voice", job["voice"])
    engine.setProperty("rate", int(job["rate"]))
    engine.setProperty("volume", float(job["volume"]))
    engine.save_to_file(job["text"], job["out"])
    engine.runAndWait()
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
