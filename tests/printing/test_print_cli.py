"""``ward-kiosk print test``: a test page on each configured printer, followed to the end."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kiosk.cli import main
from kiosk.cli.printing import PAGES, render_test_page
from tests.cups_fixture import CupsServer, FaultQueue

KEYS = {"printer", "destination", "job", "state", "error", "message"}


def run(config: Path, *args: str) -> tuple[int, list[dict[str, Any]]]:
    result = CliRunner().invoke(main, ["print", "test", "--config", str(config), *args])
    assert "Traceback" not in result.output
    return result.exit_code, [json.loads(line) for line in result.output.splitlines()]


def write_config(tmp_path: Path, printing: str = "") -> Path:
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[ward]\nname = "大阪市北区役所"\n\n[printing]\noutput_dir = "{tmp_path / "out"}"\n'
        "folder_printer = true\n" + printing,
        encoding="utf-8",
    )
    return config


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_folder_printers_write_test_pages(tmp_path: Path) -> None:
    code, results = run(write_config(tmp_path))
    assert code == 0, results
    assert [r["printer"] for r in results] == ["forms", "ticket"]
    for result in results:
        assert set(result) == KEYS
        assert result["state"] == "completed"
        assert result["error"] is None
        page = Path(result["destination"])
        assert page.parent == tmp_path / "out"
        text = pdf_text(page)
        assert "大阪市北区役所" in text
        assert "印刷のテストです" in text
        assert "English prints correctly" in text
        assert f"{result['printer']} printer" in text


def test_one_printer_only(tmp_path: Path) -> None:
    code, results = run(write_config(tmp_path), "--printer", "ticket")
    assert code == 0
    assert [r["printer"] for r in results] == ["ticket"]


def test_the_page_fits_a_ticket_roll() -> None:
    pdf = render_test_page(["印刷テスト", "x" * 200], PAGES["ticket"])
    assert pdf.startswith(b"%PDF-")


@pytest.mark.cups
def test_a_cups_test_page_arrives(cups_pdf_queue: CupsServer, tmp_path: Path) -> None:
    queue, server = cups_pdf_queue.queue, cups_pdf_queue.server
    config = write_config(tmp_path, f'forms_printer = "{queue}"\ncups_server = "{server}"\n')
    code, [result] = run(config, "--printer", "forms", "--timeout", "10")
    assert code == 0, result
    assert result["destination"] == queue
    assert result["state"] == "completed"
    number = result["job"].rsplit("-", 1)[-1]
    [pdf] = cups_pdf_queue.output_dir.glob(f"*job_{number}.pdf")
    # cups-pdf re-renders through PostScript: the Latin lines survive extraction.
    assert f"CUPS queue {queue}" in pdf_text(pdf)


@pytest.mark.cups
def test_failures_are_reported_and_exit_1(
    cups_server: CupsServer, fault_queue: FaultQueue, tmp_path: Path
) -> None:
    jammed = fault_queue("media-jam-error", sleep=30)
    config = write_config(
        tmp_path,
        f'forms_printer = "{jammed}"\nticket_printer = "no-such-queue"\n'
        f'cups_server = "{cups_server.server}"\n',
    )
    code, results = run(config, "--timeout", "5")
    assert code == 1
    forms, ticket = results
    assert (forms["state"], forms["error"]) == ("cancelled", "paper_jam")  # never prints later
    assert forms["job"].startswith(f"{jammed}-")
    assert "clear the jam" in forms["message"]
    assert (ticket["state"], ticket["error"]) == ("not_submitted", "printer_unavailable")
    assert ticket["job"] is None
    assert "does not exist" in ticket["message"]


def test_a_stopped_cups_reports_cups_not_running(tmp_path: Path) -> None:
    socket = tmp_path / "no-cupsd.sock"
    config = write_config(tmp_path, f'forms_printer = "kiosk-pdf"\ncups_server = "{socket}"\n')
    code, [result] = run(config, "--printer", "forms")
    assert code == 1
    assert result["error"] == "cups_not_running"
    assert result["destination"] == "kiosk-pdf"
