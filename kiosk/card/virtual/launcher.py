"""Bring up a reader with the virtual card for the demo: pcscd if needed, then the card."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import kiosk
from kiosk.card import pcsc
from kiosk.card.errors import CardCommunicationError, NoReaderError
from kiosk.card.virtual.card import ATR
from kiosk.card.virtual.pcscd import (
    PcscdProcess,
    pcscd_running,
    socket_path,
    start_pcscd,
    vpcd_config,
)
from kiosk.card.virtual.persona import load_persona
from kiosk.card.virtual.vpcd import VPCD_PORT

VIRTUAL_READER = "Virtual PCD"
POLL_S = 0.1


@dataclass
class VirtualReaderHandle:
    """What :func:`ensure_virtual_reader` started; :meth:`stop` ends exactly that."""

    port: int
    reader: str = ""
    emulator: subprocess.Popen[bytes] | None = None
    pcscd: PcscdProcess | None = None
    _config: tempfile.TemporaryDirectory[str] | None = field(default=None, repr=False)

    def stop(self) -> None:
        if self.emulator is not None:
            _end(self.emulator)
        if self.pcscd is not None:
            self.pcscd.stop()
        if self._config is not None:
            self._config.cleanup()

    def __enter__(self) -> VirtualReaderHandle:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def ensure_virtual_reader(
    persona_path: Path, port: int = VPCD_PORT, timeout: float = 10.0
) -> VirtualReaderHandle:
    """Make a PC/SC reader show the virtual card of ``persona_path``.

    Starts pcscd (root only) when none answers on its socket, then the
    emulator process; waits until pyscard sees the card. Raises NoReaderError.
    """
    load_persona(persona_path)  # a bad file fails here, not in the child
    config, pcscd = (None, None) if pcscd_running() else _start_pcscd(port)
    handle = VirtualReaderHandle(port, pcscd=pcscd, _config=config)
    try:
        handle.emulator = _start_emulator(persona_path, port)
        handle.reader = _wait_for_card(handle.emulator, port, timeout)
    except BaseException:
        handle.stop()
        raise
    return handle


def _start_pcscd(port: int) -> tuple[tempfile.TemporaryDirectory[str], PcscdProcess]:
    if os.geteuid() != 0:
        raise NoReaderError(
            "pcscd is not running and only root can start it: "
            "run `sudo systemctl start pcscd` (Debian: with vsmartcard-vpcd installed)"
        )
    config = tempfile.TemporaryDirectory(prefix="kiosk-vpcd-")
    Path(config.name, "vpcd").write_text(vpcd_config(port), encoding="ascii")
    return config, start_pcscd(socket_path(), Path(config.name))


def _start_emulator(persona_path: Path, port: int) -> subprocess.Popen[bytes]:
    paths = [str(Path(kiosk.__file__).resolve().parent.parent), os.getenv("PYTHONPATH")]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in paths if p))
    command = [sys.executable, "-m", "kiosk.card.virtual", "--persona", str(persona_path)]
    return subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [*command, "--port", str(port)], env=env, stdout=subprocess.DEVNULL
    )


def _wait_for_card(emulator: subprocess.Popen[bytes], port: int, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if emulator.poll() is not None:
            raise CardCommunicationError("the virtual card process exited")
        reader = _reader_with_virtual_card()
        if reader is not None:
            return reader
        time.sleep(POLL_S)
    raise NoReaderError(
        f"no {VIRTUAL_READER} reader showed the virtual card on port {port} within {timeout} s "
        "(is vsmartcard-vpcd installed and pcscd configured for that port?)"
    )


def _reader_with_virtual_card() -> str | None:
    try:
        readers = [r for r in pcsc.list_readers() if VIRTUAL_READER in r]
        return next((r for r in readers if pcsc.card_atr(r) == ATR), None)
    except NoReaderError:
        return None  # pcscd still starting, or the reader just went


def _end(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
