"""[printing.escpos] and counter desks: the file, environment overrides, and the printer built."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import ConfigError, load_settings
from kiosk.printing import CupsPrinter, FolderPrinter, NoPrinter
from kiosk.tickets import PdfTicketPrinter, ticket_printer_from_settings
from kiosk.tickets.escpos_printer import EscposTicketPrinter


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_network_receipt_printer_from_the_file(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[printing.escpos]\nconnection = "network"\nhost = "192.168.10.20"\ntimeout_seconds = 4\n',
    )
    escpos = load_settings(path, environ={}).printing.escpos
    assert (escpos.connection, escpos.host, escpos.port, escpos.timeout_seconds) == (
        "network",
        "192.168.10.20",
        9100,
        4.0,
    )


def test_usb_ids_are_hex(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[printing.escpos]\nconnection = "usb"\nusb_vendor = 0x04b8\nusb_product = 0x0202\n',
    )
    escpos = load_settings(path, environ={}).printing.escpos
    assert (escpos.usb_vendor, escpos.usb_product) == (0x04B8, 0x0202)
    env = {
        "WARD_KIOSK_PRINTING_ESCPOS_CONNECTION": "usb",
        "WARD_KIOSK_PRINTING_ESCPOS_USB_VENDOR": "04b8",  # as lsusb prints it
        "WARD_KIOSK_PRINTING_ESCPOS_USB_PRODUCT": "0x0e15",
    }
    escpos = load_settings(environ=env).printing.escpos
    assert (escpos.usb_vendor, escpos.usb_product) == (0x04B8, 0x0E15)


def test_the_environment_reaches_the_nested_table(tmp_path: Path) -> None:
    path = write(tmp_path, '[printing.escpos]\nconnection = "network"\nhost = "from-file"\n')
    env = {
        "WARD_KIOSK_PRINTING_ESCPOS_HOST": "printer-2.ward.local",
        "WARD_KIOSK_PRINTING_ESCPOS_PORT": "9101",
        "WARD_KIOSK_PRINTING_TICKET_PRINTER": "tickets",
    }
    settings = load_settings(path, environ=env)
    assert settings.printing.escpos.host == "printer-2.ward.local"
    assert settings.printing.escpos.port == 9101
    assert settings.printing.escpos.connection == "network"  # the file's value stays
    assert settings.printing.ticket_printer == "tickets"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('connection = "network"\n', r"printing\.escpos: .*needs host"),
        ('connection = "usb"\nusb_vendor = 0x04b8\n', r"needs usb_product"),
        ('connection = "serial"\n', r"needs serial_device"),
        ('connection = "bluetooth"\n', r"printing\.escpos\.connection"),
        ('connection = "network"\nhost = "h"\nport = 0\n', r"printing\.escpos\.port"),
        ("hostname = 'x'\n", r"printing\.escpos\.hostname: Extra inputs"),
    ],
)
def test_bad_receipt_printer_settings_name_the_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(write(tmp_path, "[printing.escpos]\n" + text), environ={})


def test_an_unknown_nested_variable_is_an_error() -> None:
    with pytest.raises(ConfigError, match=r"printing\.escpos\.colour"):
        load_settings(environ={"WARD_KIOSK_PRINTING_ESCPOS_COLOUR": "red"})


def test_counter_desks(tmp_path: Path) -> None:
    path = write(tmp_path, '[counters.resident]\nnumber = "2"\ndesks = 3\n')
    assert load_settings(path, environ={}).counters["resident"].desks == 3
    with pytest.raises(ConfigError, match=r"counters\.resident\.desks"):
        load_settings(write(tmp_path, '[counters.resident]\nnumber = "2"\ndesks = 0\n'), environ={})


def test_the_settings_choose_the_ticket_printer(tmp_path: Path) -> None:
    demo = {"WARD_KIOSK_PRINTING_OUTPUT_DIR": str(tmp_path)}
    demo["WARD_KIOSK_PRINTING_FOLDER_PRINTER"] = "true"
    pdf = ticket_printer_from_settings(load_settings(environ=demo))
    assert isinstance(pdf, PdfTicketPrinter) and isinstance(pdf.printer, FolderPrinter)
    assert pdf.printer.folder == tmp_path
    # Outside demo mode no PDF of a ticket is written: it is shown on screen only.
    none = ticket_printer_from_settings(load_settings(environ={}))
    assert isinstance(none, PdfTicketPrinter) and isinstance(none.printer, NoPrinter)

    cups = ticket_printer_from_settings(
        load_settings(environ={"WARD_KIOSK_PRINTING_TICKET_PRINTER": "tickets"})
    )
    assert isinstance(cups, PdfTicketPrinter) and isinstance(cups.printer, CupsPrinter)
    assert cups.printer.queue == "tickets"

    env = {
        "WARD_KIOSK_PRINTING_ESCPOS_CONNECTION": "network",
        "WARD_KIOSK_PRINTING_ESCPOS_HOST": "10.1.2.3",
        "WARD_KIOSK_PRINTING_TICKET_PRINTER": "tickets",  # the receipt printer wins
    }
    receipt = ticket_printer_from_settings(load_settings(environ=env))
    assert isinstance(receipt, EscposTicketPrinter)
    assert receipt.description == "receipt printer 10.1.2.3:9100"


def test_assembly_builds_the_ticket_printer(tmp_path: Path) -> None:
    from kiosk.assembly import assemble
    from kiosk.context import KioskContext

    env = {
        "WARD_KIOSK_PRINTING_ESCPOS_CONNECTION": "serial",
        "WARD_KIOSK_PRINTING_ESCPOS_SERIAL_DEVICE": "/dev/ttyUSB0",
        "WARD_KIOSK_DATABASE_URL": f"sqlite:///{tmp_path / 'kiosk.db'}",
    }
    devices = assemble(KioskContext.load(settings=load_settings(environ=env)))
    try:
        tickets = devices.checkout.ticket_printer
        assert isinstance(tickets, EscposTicketPrinter)
        assert tickets.description == "serial receipt printer /dev/ttyUSB0"
    finally:
        devices.close()
