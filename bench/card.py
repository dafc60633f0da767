"""Reading the My Number card through pcscd: CardService against bare pyscard.

One run is what the kiosk does after the PIN pad: tries left, VERIFY, the 4
basic items, in one card session (``CardService.read_card``). The baseline
sends the reference APDU sequence (SELECT AP, SELECT EF 0011, VERIFY without
data, VERIFY, SELECT EF 0002, one READ BINARY) with bare ``smartcard.scard``
calls in the same process: one context made before timing, then per run
connect (exclusive, as ours), transmit, disconnect with a reset (as ours: the
verified PIN must not outlive the read). No parsing, no reader lookup, no
helper thread. Runs are interleaved, so machine noise hits both alike.
The APDU counts come from the virtual card's log.

The measuring happens in a child process (``python -m bench.card --measure N``)
because libpcsclite reads ``PCSCLITE_CSOCK_NAME`` once, on first use: as root
the child starts a pcscd of its own on a private socket and vpcd port;
otherwise it uses the system pcscd and vpcd's default port 35963. The virtual
card is played from a thread of that process.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.common import Row, run_module

RUNS = 200  # the issue asks for 20; at about 1 ms a run, more give a steadier median
WARMUP = 5
PIN = "1234"
READER = "Virtual PCD 00 00"
REFERENCE = [
    "00A4040C0AD3921000310001010408",  # SELECT 券面事項入力補助AP
    "00A4020C020011",  # SELECT EF 0011 (PIN)
    "00200080",  # VERIFY without data: tries left
    "0020008004" + PIN.encode().hex(),  # VERIFY
    "00A4020C020002",  # SELECT EF 0002 (basic 4 items)
    "00B0000000",  # READ BINARY, up to 256 bytes
]


def run() -> list[Row]:
    data = run_module("bench.card", "--measure", str(RUNS))
    apdus = f"{data['apdus_ours']} APDUs (reference {len(REFERENCE)}), {data['pcscd']} pcscd"
    return [
        Row(
            "card: bare pyscard, same APDUs (baseline)",
            data["bare"],
            note=f"{data['apdus_bare']} APDUs",
        ),
        Row("card: CardService.read_card (tries+VERIFY+4)", data["ours"], data["bare"], apdus),
    ]


def _bare_read(context: int, reader: str) -> None:
    """The reference sequence with nothing but pyscard calls, in a context made once."""
    from smartcard import scard

    protocols = scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1
    hresult, card, protocol = scard.SCardConnect(
        context, reader, scard.SCARD_SHARE_EXCLUSIVE, protocols
    )
    assert hresult == scard.SCARD_S_SUCCESS, scard.SCardGetErrorMessage(hresult)
    for command in REFERENCE:
        hresult, response = scard.SCardTransmit(card, protocol, list(bytes.fromhex(command)))
        assert hresult == scard.SCARD_S_SUCCESS
        assert response[-2] in (0x90, 0x63)
    scard.SCardDisconnect(card, scard.SCARD_RESET_CARD)


@contextmanager
def _virtual_reader() -> Iterator[tuple[str, list[str], str]]:
    """pcscd (ours as root) with the demo card: reader name, the card's APDU log, which pcscd."""
    from kiosk.card.virtual.card import VirtualMyNumberCard
    from kiosk.card.virtual.pcscd import free_port_pair, start_pcscd, vpcd_config
    from kiosk.card.virtual.persona import load_persona
    from kiosk.card.virtual.vpcd import VPCD_PORT, VpcdEmulator
    from kiosk.resources import resource

    card = VirtualMyNumberCard(load_persona(resource("personas", "demo.toml")))
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-card-") as workdir:
        pcscd, port, which = None, VPCD_PORT, "system"
        if os.geteuid() == 0:
            port, which = free_port_pair(), "private"
            socket_file = Path(workdir, "pcscd.comm")
            os.environ["PCSCLITE_CSOCK_NAME"] = str(socket_file)  # before pyscard's first call
            Path(workdir, "vpcd").write_text(vpcd_config(port), encoding="ascii")
            pcscd = start_pcscd(socket_file, Path(workdir))
        emulator = VpcdEmulator(card, port=port)
        emulator.start()
        try:
            _wait_for_card(READER)
            yield READER, card.log, which
        finally:
            emulator.stop()
            if pcscd is not None:
                pcscd.stop()


def _wait_for_card(reader: str, timeout: float = 15.0) -> None:
    from kiosk.card import pcsc
    from kiosk.card.errors import CardError

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if pcsc.card_present(reader):
                return
        except CardError:
            pass  # pcscd still starting
        time.sleep(0.05)
    raise RuntimeError(f"{reader} showed no virtual card (pcscd with vsmartcard-vpcd running?)")


def _timed(call: Callable[[], object], log: list[str], samples: list[float]) -> int:
    """Time one call; return how many APDUs it sent."""
    before = len(log)
    started = time.perf_counter()
    call()
    samples.append(time.perf_counter() - started)
    return len(log) - before


def _measure(runs: int) -> dict[str, object]:
    from smartcard import scard

    from kiosk.card.service import CardService

    with _virtual_reader() as (reader, log, which):
        service = CardService(reader, allow_virtual=True)
        _, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        calls = {
            "ours": lambda: service.read_card(PIN),
            "bare": lambda: _bare_read(context, reader),
        }
        for _ in range(WARMUP):
            for call in calls.values():
                call()
        samples: dict[str, list[float]] = {name: [] for name in calls}
        apdus: dict[str, set[int]] = {name: set() for name in calls}
        for run in range(runs):
            order = list(calls) if run % 2 else list(reversed(calls))  # neither always goes first
            for name in order:
                apdus[name].add(_timed(calls[name], log, samples[name]))
    return {
        **samples,
        "apdus_ours": "/".join(map(str, sorted(apdus["ours"]))),
        "apdus_bare": "/".join(map(str, sorted(apdus["bare"]))),
        "pcscd": which,
    }


if __name__ == "__main__":
    if sys.argv[1:2] != ["--measure"]:
        sys.exit("usage: python -m bench.card --measure RUNS (or: bench/run.py card)")
    print(json.dumps(_measure(int(sys.argv[2]))))
