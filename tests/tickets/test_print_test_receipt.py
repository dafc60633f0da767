"""``ward-kiosk print test`` on a receipt printer: a test ticket through ESC/POS."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from kiosk.cli import main
from kiosk.config import Settings
from kiosk.doctor import receipt_printer_check
from tests.tickets.escpos_server import LoopbackPrinter

CUT = b"\x1dV"


def run(tmp_path: Path, port: int) -> tuple[int, dict[str, object]]:
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[printing]\noutput_dir = "{tmp_path / "out"}"\n\n'
        f'[printing.escpos]\nconnection = "network"\nhost = "127.0.0.1"\nport = {port}\n'
        "timeout_seconds = 3\n",
        encoding="utf-8",
    )
    args = ["print", "test", "--config", str(config), "--printer", "ticket"]
    result = CliRunner().invoke(main, args)
    assert "Traceback" not in result.output, result.output
    return result.exit_code, json.loads(result.output.splitlines()[-1])


def test_a_test_ticket_reaches_the_receipt_printer(
    tmp_path: Path, printer_on_loopback: LoopbackPrinter
) -> None:
    code, report = run(tmp_path, printer_on_loopback.port)
    assert code == 0, report
    assert report["destination"] == "escpos:network" and report["state"] == "completed"
    printer_on_loopback.wait_for_connection()
    sent = printer_on_loopback.received
    assert b"TEST" in sent and CUT in sent


def test_a_receipt_printer_that_is_off_fails_the_test(tmp_path: Path, closed_port: int) -> None:
    code, report = run(tmp_path, closed_port)
    assert code == 1
    assert report["error"] == "printer_unavailable" and report["job"] is None


def escpos_settings(port: int) -> Settings:
    escpos = {"connection": "network", "host": "127.0.0.1", "port": port, "timeout_seconds": 3}
    return Settings.model_validate({"printing": {"escpos": escpos}})


def test_doctor_asks_the_receipt_printer_for_paper(printer_on_loopback: LoopbackPrinter) -> None:
    check = receipt_printer_check(escpos_settings(printer_on_loopback.port))
    assert check.status == "ok", check
    assert "paper: ok" in check.detail


def test_doctor_reports_a_receipt_printer_that_is_off(closed_port: int) -> None:
    check = receipt_printer_check(escpos_settings(closed_port))
    assert check.status == "error"
    assert check.detail.startswith("printer_unavailable")
