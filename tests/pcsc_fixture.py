"""pytest plugin: a private pcscd with a vpcd reader, and virtual My Number cards in it.

Load it from ``tests/conftest.py`` with ``pytest_plugins = ["tests.pcsc_fixture"]``
(``tests/card/conftest.py`` also loads it, which is a no-op if already loaded).

At configure time it points ``PCSCLITE_CSOCK_NAME`` at a socket in a fresh
temporary folder, before anything in the test process (or its subprocesses,
e.g. ``scriptor``) talks to PC/SC: the system pcscd is never used. The
session fixture ``pcsc_reader`` starts pcscd on that socket with vpcd on a
free port pair and an in-process emulator thread; each test puts cards in.

Fixtures: ``pcsc_reader`` (session; ``stop_pcscd()`` / ``start_pcscd()`` take
the service away and back, restored after each test), ``insert_card``
(factory), ``virtual_card`` (the demo card, or ``indirect`` parametrize with a
persona file name), ``card_service`` (a CardService on the virtual reader),
``virtual_reader_allowed`` (``card.allow_virtual_reader`` on through the
environment, for commands run in or from the test).

The virtual reader is a virtual one: the kiosk refuses it unless allowed, as in
demo mode. Fixtures that build a CardService allow it; a test of the refusal
builds its own.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kiosk.card import pcsc
from kiosk.card.errors import CardError
from kiosk.card.service import CardService
from kiosk.card.virtual.card import VirtualMyNumberCard
from kiosk.card.virtual.pcscd import (
    VPCD_DRIVER,
    PcscdProcess,
    free_port_pair,
    start_pcscd,
    vpcd_config,
)
from kiosk.card.virtual.persona import Persona, load_persona
from kiosk.card.virtual.vpcd import VpcdEmulator
from kiosk.resources import resource

SOCKET_ENV = "PCSCLITE_CSOCK_NAME"
ALLOW_VIRTUAL_ENV = "WARD_KIOSK_CARD_ALLOW_VIRTUAL_READER"
READER = "Virtual PCD 00 00"  # vpcd slot 0; slot 1 ("... 00 01") listens on port + 1
WAIT_S = 10.0
_workdir_key = pytest.StashKey[Path]()


def pytest_configure(config: pytest.Config) -> None:
    """Point libpcsclite at the private pcscd socket, early (it caches the name)."""
    workdir = Path(tempfile.mkdtemp(prefix="kiosk-pcsc-"))
    config.stash[_workdir_key] = workdir
    os.environ[SOCKET_ENV] = str(workdir / "pcscd.comm")


def pytest_unconfigure(config: pytest.Config) -> None:
    workdir = config.stash.get(_workdir_key, None)
    if workdir is not None:
        shutil.rmtree(workdir, ignore_errors=True)


PersonaSpec = Persona | Path | str


def persona_with(**person: object) -> Persona:
    """The demo persona (PIN 1234) with some of its Person's fields replaced, e.g. ``name``."""
    demo = load_persona(resource("personas", "demo.toml"))
    return dataclasses.replace(demo, person=dataclasses.replace(demo.person, **person))


def _persona(spec: PersonaSpec) -> Persona:
    if isinstance(spec, Persona):
        return spec
    path = Path(spec)
    return load_persona(path if path.exists() else resource("personas", str(spec)))


@dataclass
class VirtualReader:
    """The private pcscd's vpcd reader and the emulator feeding it.

    :meth:`stop_pcscd` and :meth:`start_pcscd` take the whole PC/SC service away
    and bring it back (same socket, same reader.conf.d); a test that leaves it
    stopped gets it restarted at teardown, pass or fail.
    """

    name: str
    port: int
    socket_path: Path
    log_path: Path
    emulator: VpcdEmulator
    config_dir: Path
    pcscd: PcscdProcess | None = None

    @property
    def pcscd_running(self) -> bool:
        return self.pcscd is not None and self.pcscd.process.poll() is None

    def start_pcscd(self) -> None:
        """Start the session pcscd (again) and wait until it shows the reader."""
        if self.pcscd_running:
            return
        self.pcscd = start_pcscd(self.socket_path, self.config_dir, log_file=self.log_path)
        self.wait_for_reader(self.pcscd)
        card = self.emulator.card
        if card is not None and not card.vanished:
            self.wait_for_card(present=True)  # the emulator links up again within 0.2 s

    def stop_pcscd(self) -> None:
        """Stop the session pcscd: clients see SCARD_E_NO_SERVICE until :meth:`start_pcscd`."""
        if self.pcscd is not None:
            self.pcscd.stop()

    @property
    def card(self) -> VirtualMyNumberCard | None:
        return self.emulator.card

    def insert(
        self,
        persona: PersonaSpec | VirtualMyNumberCard = "demo.toml",
        *,
        vanish_after: int | None = None,
        delay: float = 0.0,
    ) -> VirtualMyNumberCard:
        """Put a card in: a new one for ``persona`` (Persona, path, or file name in
        resources/personas) with optional faults, or a card object again (counter kept)."""
        card = persona
        if not isinstance(card, VirtualMyNumberCard):
            card = VirtualMyNumberCard(_persona(card), vanish_after=vanish_after, delay=delay)
        events = self._events()[1]
        self.emulator.insert(card)
        self.wait_for_card(present=True, after=events)
        return card

    def remove(self) -> None:
        """Take the card out and wait until pcscd has noticed."""
        present, events = self._events()
        self.emulator.remove()
        self.wait_for_card(present=False, after=events if present else None)

    def wait_for_card(
        self, present: bool, after: int | None = None, timeout: float = WAIT_S
    ) -> None:
        """Wait until pcscd shows the card ``present`` or not, by a new card event if ``after``
        (the reader's event count before) is given: a stale state cannot fool it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            now, events = self._events()
            if now == present and (after is None or events != after):
                return
            time.sleep(0.05)
        state = "show" if present else "lose"
        raise TimeoutError(
            f"{self.name} did not {state} the card in {timeout} s\n{self.log_tail()}"
        )

    def wait_for_reader(self, process: PcscdProcess, timeout: float = WAIT_S) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and process.process.poll() is None:
            if self.name in _readers():
                return
            time.sleep(0.05)
        raise RuntimeError(f"private pcscd did not show {self.name}\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "pcscd log:\n" + "\n".join(text.splitlines()[-lines:])

    def _events(self) -> tuple[bool, int]:
        try:
            return pcsc.card_events(self.name)
        except CardError:
            return False, -1


def _readers() -> list[str]:
    try:
        return pcsc.list_readers()
    except CardError:
        return []


@pytest.fixture(scope="session")
def pcsc_reader(pytestconfig: pytest.Config) -> Iterator[VirtualReader]:
    """A private pcscd with the vpcd reader, empty; skips only if pcscd is not installed."""
    if shutil.which("pcscd") is None and shutil.which("pcscd", path="/usr/sbin:/sbin") is None:
        pytest.skip("pcscd is not installed (apt-get install pcscd vsmartcard-vpcd)")
    if not VPCD_DRIVER.exists():
        pytest.fail(f"{VPCD_DRIVER} missing: apt-get install vsmartcard-vpcd")
    workdir = pytestconfig.stash[_workdir_key]
    port = free_port_pair()
    config_dir = workdir / "reader.conf.d"
    config_dir.mkdir(exist_ok=True)
    (config_dir / "vpcd").write_text(vpcd_config(port), encoding="ascii")
    socket_path = Path(os.environ[SOCKET_ENV])
    emulator = VpcdEmulator(port=port)
    reader = VirtualReader(READER, port, socket_path, workdir / "pcscd.log", emulator, config_dir)
    emulator.start()
    try:
        reader.start_pcscd()
        yield reader
    finally:
        emulator.stop()
        reader.stop_pcscd()


@pytest.fixture(autouse=True)
def _pcscd_back_after_the_test(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test that stopped the session pcscd leaves a running one behind, even if it failed."""
    yield
    if "pcsc_reader" in request.fixturenames:
        reader: VirtualReader = request.getfixturevalue("pcsc_reader")
        reader.start_pcscd()


@pytest.fixture
def insert_card(pcsc_reader: VirtualReader) -> Iterator[Callable[..., VirtualMyNumberCard]]:
    """``insert_card(persona="demo.toml", vanish_after=None, delay=0.0)``; removed afterwards."""
    yield pcsc_reader.insert
    pcsc_reader.remove()


@pytest.fixture
def virtual_card(
    request: pytest.FixtureRequest, insert_card: Callable[..., VirtualMyNumberCard]
) -> VirtualMyNumberCard:
    """The demo card in the reader; ``indirect`` parametrize with a persona file name."""
    return insert_card(getattr(request, "param", "demo.toml"))


@pytest.fixture
def card_service(pcsc_reader: VirtualReader) -> CardService:
    """A CardService on the virtual reader, through pcscd and pyscard."""
    return CardService(pcsc_reader.name, allow_virtual=True)


@pytest.fixture
def virtual_reader_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    """``card.allow_virtual_reader`` on for this test's commands (and their subprocesses)."""
    monkeypatch.setenv(ALLOW_VIRTUAL_ENV, "true")
