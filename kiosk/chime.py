"""A short sound played without waiting: the board's call, the kiosk's "take your card"."""

from __future__ import annotations

import logging
import subprocess
from collections.abc import Sequence
from pathlib import Path

log = logging.getLogger(__name__)


class Chime:
    """Plays a WAV through a player process without waiting for it; failures are logged."""

    def __init__(self, wav: Path, player: Sequence[str] | None) -> None:
        self.wav = wav
        self.player = list(player) if player else None
        self._processes: list[subprocess.Popen[bytes]] = []

    def play(self) -> bool:
        """Start playing; False (and a log line) when it cannot be played."""
        self._reap()
        if not self.player:
            log.warning("no audio player found for the chime (install alsa-utils)")
            return False
        if any(p.poll() is None for p in self._processes):
            return True  # still ringing: one chime for calls close together
        try:
            process = subprocess.Popen(  # noqa: S603 - a configured player and our own file
                [*self.player, str(self.wav)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        except OSError as err:
            log.warning("the chime could not be played with %s: %s", self.player[0], err)
            return False
        self._processes.append(process)
        return True

    def close(self, timeout: float = 3.0) -> None:
        for process in self._processes:
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._processes.clear()

    def _reap(self) -> None:
        for process in list(self._processes):
            code = process.poll()
            if code is not None:
                self._processes.remove(process)
                if code != 0:
                    log.warning("the chime player %s ended with status %s", self.player, code)
