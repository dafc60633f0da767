"""ESC/POS tickets sent to a receipt printer on a loopback TCP port (and a serial pty)."""

from __future__ import annotations

import errno
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.config import EscposSettings
from kiosk.printing import PrinterError, PrinterUnavailable, PrintFailed
from kiosk.tickets import OutOfPaper, TicketSlip
from kiosk.tickets.escpos_printer import (
    EscposTicketPrinter,
    Target,
    network_target,
    paper_state,
    serial_target,
    target_from_settings,
)
from kiosk.tickets.receipt import compose_receipt, receipt_images
from tests.tickets.conftest import REFERENCE
from tests.tickets.escpos_server import PAPER_STATUS_QUERY, LoopbackPrinter
from tests.tickets.escpos_stream import parse, preview, qr_content, raster_image

MakeSlip = Callable[..., TicketSlip]


def network_printer(port: int, **kwargs: float) -> EscposTicketPrinter:
    timeout = kwargs.pop("timeout", 5.0)
    return EscposTicketPrinter(network_target("127.0.0.1", port, timeout=timeout), **kwargs)


def test_a_ticket_reaches_the_printer_as_escpos(
    printer_on_loopback: LoopbackPrinter, make_slip: MakeSlip
) -> None:
    job = network_printer(printer_on_loopback.port).print_ticket(make_slip("ja"))
    sent = printer_on_loopback.wait_for_connection().received
    assert job.destination == f"receipt printer 127.0.0.1:{printer_on_loopback.port}"
    assert sent.startswith(PAPER_STATUS_QUERY)  # the paper is checked before printing
    commands = parse(sent)
    names = [c.name for c in commands]
    assert names[1] == "init"
    assert names[-2:] == ["cut", "status"]  # and again after: did the roll run out?
    assert b"\x1dV\x00" in sent  # GS V 0: full cut
    assert qr_content(commands) == f"WK:{REFERENCE}"
    assert b"\x1d(k" in sent and b"1P0WK:V-7K2Q9" in sent  # GS ( k: store, then print
    assert any(c.name == "qr" and c.value == 81 for c in commands)
    code = next(c for c in commands if c.name == "text" and b"A-012" in c.data)
    size = [c for c in commands[: commands.index(code)] if c.name == "size"][-1]
    assert size.value == 0x33  # GS ! : four times as wide and as high
    rasters = [c for c in commands if c.name == "raster"]
    assert len(rasters) == 3 and b"\x1dv0" in sent  # GS v 0 raster images
    assert {r.width for r in rasters} == {576}


def test_the_raster_images_are_the_ticket_texts(
    printer_on_loopback: LoopbackPrinter, make_slip: MakeSlip
) -> None:
    slip = make_slip("ko")
    network_printer(printer_on_loopback.port).print_ticket(slip)
    rasters = [c for c in parse(printer_on_loopback.wait_for_connection().received)]
    sent = [raster_image(c) for c in rasters if c.name == "raster"]
    drawn = receipt_images(slip, 576)
    assert drawn.missing == 0, "Hangul needs the Korean font in resources/fonts"
    for image, expected in zip(sent, (drawn.header, drawn.body, drawn.footer), strict=True):
        assert image.size == expected.size
        assert image.tobytes() == expected.convert("L").tobytes()


@pytest.mark.parametrize("language", ["ja", "en", "ko"])
def test_save_escpos_pngs(
    printer_on_loopback: LoopbackPrinter, make_slip: MakeSlip, artifacts: Path, language: str
) -> None:
    slip = make_slip(language)
    network_printer(printer_on_loopback.port).print_ticket(slip)
    sent = printer_on_loopback.wait_for_connection().received
    preview(sent).save(artifacts / f"escpos-{language}.png")
    receipt_images(slip, 576).body.save(artifacts / f"escpos-{language}-body-raster.png")
    assert (artifacts / f"escpos-{language}.png").stat().st_size > 5_000


def test_port_9100_itself(make_slip: MakeSlip) -> None:
    try:
        printer = LoopbackPrinter(9100)
    except OSError as e:
        pytest.skip(f"port 9100 is not free here: {e}")
    try:
        settings = EscposSettings(connection="network", host="127.0.0.1", timeout_seconds=5)
        EscposTicketPrinter.from_settings(settings).print_ticket(make_slip())
        assert b"A-012" in printer.wait_for_connection().received
    finally:
        printer.close()


def test_a_closed_port_is_printer_unavailable(closed_port: int, make_slip: MakeSlip) -> None:
    with pytest.raises(PrinterUnavailable) as caught:
        network_printer(closed_port).print_ticket(make_slip())
    assert caught.value.code == "printer_unavailable"
    message = str(caught.value)
    assert f"127.0.0.1:{closed_port}" in message
    assert "switched on" in message and "host and port" in message


def test_an_unreachable_host_is_printer_unavailable(make_slip: MakeSlip) -> None:
    # 192.0.2.0/24 is TEST-NET-1: never routed, so the connection times out or is refused.
    printer = EscposTicketPrinter(network_target("192.0.2.1", 9100, timeout=0.5))
    started = time.monotonic()
    with pytest.raises(PrinterUnavailable, match=r"192\.0\.2\.1:9100"):
        printer.print_ticket(make_slip())
    assert time.monotonic() - started < 5


def test_no_paper_is_out_of_paper_and_nothing_prints(make_slip: MakeSlip) -> None:
    printer = LoopbackPrinter(paper="out")
    try:
        with pytest.raises(OutOfPaper) as caught:
            network_printer(printer.port).print_ticket(make_slip())
        assert printer.wait_for_connection().received == PAPER_STATUS_QUERY
    finally:
        printer.close()
    assert caught.value.code == "out_of_paper"
    assert isinstance(caught.value, PrinterError)
    assert "new roll" in str(caught.value)


def test_paper_near_its_end_prints_and_warns(
    make_slip: MakeSlip, caplog: pytest.LogCaptureFixture
) -> None:
    printer = LoopbackPrinter(paper="near_end")
    try:
        with caplog.at_level(logging.WARNING, logger="kiosk.tickets"):
            network_printer(printer.port).print_ticket(make_slip())
        assert b"A-012" in printer.wait_for_connection().received
    finally:
        printer.close()
    assert "nearly used up" in caplog.text


def test_a_printer_that_gives_no_status_is_printed_to(make_slip: MakeSlip) -> None:
    printer = LoopbackPrinter(paper=None)
    try:
        started = time.monotonic()
        network_printer(printer.port, status_wait=0.3).print_ticket(make_slip())
        elapsed = time.monotonic() - started
        sent = printer.wait_for_connection().received
    finally:
        printer.close()
    assert b"A-012" in sent
    assert sent.count(PAPER_STATUS_QUERY) >= 1
    assert elapsed < 3  # one short wait for the status, not the connection timeout


def test_check_ready_asks_for_the_paper_only(printer_on_loopback: LoopbackPrinter) -> None:
    assert network_printer(printer_on_loopback.port).check_ready() == "ok"
    assert printer_on_loopback.wait_for_connection().received == PAPER_STATUS_QUERY


class _BreaksWhileSending:
    """A connection that answers the status, then fails like a pulled cable."""

    def __init__(self) -> None:
        self.device = None

    def open(self) -> None: ...

    def close(self) -> None: ...

    def _raw(self, data: bytes) -> None:
        if data != PAPER_STATUS_QUERY:
            raise BrokenPipeError(errno.EPIPE, "Broken pipe")

    def _read(self) -> bytes:
        return b"\x12"


def test_a_connection_lost_while_sending_is_print_failed(make_slip: MakeSlip) -> None:
    target = Target(_BreaksWhileSending, "receipt printer test", "check it")
    with pytest.raises(PrintFailed, match=r"broke while sending.*partly printed") as caught:
        EscposTicketPrinter(target).print_ticket(make_slip())
    assert caught.value.code == "print_failed"


def test_a_printer_that_hangs_up_is_a_printer_error(make_slip: MakeSlip) -> None:
    printer = LoopbackPrinter(hang_up=True)
    try:
        with pytest.raises(PrinterError) as caught:
            network_printer(printer.port, status_wait=0.5).print_ticket(make_slip())
    finally:
        printer.close()
    assert caught.value.code in ("printer_unavailable", "print_failed")


@pytest.mark.parametrize(
    ("answer", "state"),
    [
        (b"\x12", "ok"),
        (b"\x1e", "near_end"),  # bits 2-3: near-end sensor
        (b"\x72", "out"),  # bits 5-6: paper-end sensor
        (b"\x7e", "out"),  # both
        (b"", "unknown"),  # no answer
        (b"\x00", "unknown"),  # not a status byte (fixed bits wrong)
        (b"\xff", "unknown"),
        (b"\x00\x12", "ok"),  # a stray byte before the answer
    ],
)
def test_paper_state_table(answer: bytes, state: str) -> None:
    assert paper_state(answer) == state


def test_a_long_code_still_fits_the_paper(make_slip: MakeSlip) -> None:
    from dataclasses import replace

    slip = replace(make_slip(), code="RESIDENT-0123")
    commands = parse(compose_receipt(slip, 576))
    text = next(c for c in commands if c.name == "text" and b"RESIDENT" in c.data)
    size = [c for c in commands[: commands.index(text)] if c.name == "size"][-1]
    assert ((size.value >> 4) + 1) * 12 * len(slip.code) <= 576


def test_a_serial_printer_gets_the_same_job(make_slip: MakeSlip) -> None:
    controller, device = os.openpty()
    received = bytearray()
    done = threading.Event()

    def printer() -> None:  # answers the status query on the other end of the pty
        while not done.is_set():
            try:
                chunk = os.read(controller, 65536)
            except OSError:
                return
            received.extend(chunk)
            if chunk.endswith(PAPER_STATUS_QUERY):
                os.write(controller, b"\x12")

    thread = threading.Thread(target=printer, daemon=True)
    thread.start()
    try:
        target = serial_target(os.ttyname(device), 19200, timeout=5)
        job = EscposTicketPrinter(target).print_ticket(make_slip())
        deadline = time.monotonic() + 5
        while b"\x1dV\x00" not in received and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        done.set()
        os.close(device)
        os.close(controller)
        thread.join(timeout=5)
    assert job.destination.startswith("serial receipt printer /dev/")
    assert qr_content(parse(bytes(received))) == f"WK:{REFERENCE}"


def test_a_missing_serial_port_is_printer_unavailable(make_slip: MakeSlip) -> None:
    target = serial_target("/dev/ttyNOPE9", 9600, timeout=1)
    with pytest.raises(PrinterUnavailable, match=r"/dev/ttyNOPE9.*group dialout"):
        EscposTicketPrinter(target).print_ticket(make_slip())


def test_a_missing_usb_printer_is_printer_unavailable(make_slip: MakeSlip) -> None:
    settings = EscposSettings(connection="usb", usb_vendor=0x04B8, usb_product=0x0E15)
    printer = EscposTicketPrinter.from_settings(settings)
    with pytest.raises(PrinterUnavailable, match=r"04b8:0e15.*lsusb"):
        printer.print_ticket(make_slip())


def test_the_settings_choose_the_connection() -> None:
    network = EscposSettings(connection="network", host="10.0.0.7", port=9101)
    assert target_from_settings(network).description == "receipt printer 10.0.0.7:9101"
    serial = EscposSettings(connection="serial", serial_device="/dev/ttyS0")
    assert target_from_settings(serial).description == "serial receipt printer /dev/ttyS0"
    usb = EscposSettings(connection="usb", usb_vendor=0x0519, usb_product=0x0001)
    assert target_from_settings(usb).description == "USB receipt printer 0519:0001"
    with pytest.raises(ValueError, match="no receipt printer"):
        target_from_settings(EscposSettings())


def test_nothing_connects_before_the_first_ticket(closed_port: int) -> None:
    settings = EscposSettings(connection="network", host="127.0.0.1", port=closed_port)
    EscposTicketPrinter.from_settings(settings)  # building it at start-up must not fail
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", closed_port)) != 0
