"""A visit whose forms did not print is kept, and staff print it again with ``print reprint``."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kiosk.card.virtual.persona import load_persona
from kiosk.cli import main
from kiosk.config import load_settings
from kiosk.context import KioskContext
from kiosk.printing import CupsPrinter, FolderPrinter
from kiosk.resources import resource
from kiosk.visit import Visit
from tests.cups_fixture import CupsServer, FaultQueue
from tests.keys import open_store
from tests.kiosk_fixture import make_checkout

PERSON = load_persona(resource("personas", "demo.toml")).person


def write_config(tmp_path: Path, printing: str = "") -> Path:
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[database]\nurl = "sqlite:///{tmp_path / "kiosk.db"}"\n'
        f'private_key_file = "{tmp_path / "keys" / "ward-key.pem"}"\n'
        f'public_key_file = "{tmp_path / "keys" / "ward-key.pem.pub"}"\n\n'
        f'[printing]\noutput_dir = "{tmp_path / "out"}"\njob_timeout_seconds = 10\n'
        "folder_printer = true\n" + printing,
        encoding="utf-8",
    )
    return config


def moving_in(language: str = "en") -> Visit:
    visit = Visit(language=language, person=PERSON, used_card=True)
    visit.answers = {"purpose": "move_in", "move_in_from": "abroad", "household_size": "1"}
    visit.procedures = ["tennyu"]
    visit.started_at = datetime.now().astimezone()
    return visit


def completed_visit(config: Path, **printers: Any) -> tuple[str, Any]:
    context = KioskContext.load(settings=load_settings(config))
    checkout = make_checkout(context, **printers)
    outcome = checkout.complete(moving_in())
    checkout.close()
    return outcome.reference, outcome


def reprint(config: Path, reference: str) -> tuple[int, dict[str, Any] | str]:
    result = CliRunner().invoke(main, ["print", "reprint", "--config", str(config), reference])
    assert "Traceback" not in result.output
    try:
        return result.exit_code, json.loads(result.output)
    except json.JSONDecodeError:
        return result.exit_code, result.output


@pytest.mark.cups
def test_forms_that_a_jammed_printer_did_not_print_are_printed_again(
    tmp_path: Path, cups_pdf_queue: CupsServer, fault_queue: FaultQueue
):
    config = write_config(tmp_path)
    jammed = CupsPrinter(fault_queue("media-jam-error", sleep=30), cups_pdf_queue.server)
    reference, outcome = completed_visit(config, forms=jammed)
    assert outcome.forms_error == "paper_jam"
    assert outcome.ticket_error == "", "the ticket prints whatever the forms printer does"
    assert list((tmp_path / "out").glob("*-ticket-*.pdf"))
    queue = f'forms_printer = "{cups_pdf_queue.queue}"\ncups_server = "{cups_pdf_queue.server}"\n'
    code, report = reprint(write_config(tmp_path, queue), reference.lower())
    assert code == 0, report
    assert isinstance(report, dict)
    assert report["visit"] == reference and report["state"] == "completed"
    assert cups_pdf_queue.queue in str(report["destination"]) and report["error"] is None
    settings = load_settings(config)
    store = open_store(settings.database_url(), settings.private_key_file())
    try:
        actions = [e.action for e in store.access_events(visit_reference=reference)]
    finally:
        store.close()
    assert "forms_reprinted" in actions


def test_a_reprint_on_a_missing_printer_says_so_and_exits_1(tmp_path: Path):
    config = write_config(tmp_path)
    reference, _ = completed_visit(config)
    missing = 'forms_printer = "no-such-queue"\ncups_server = "/nonexistent/cups.sock"\n'
    code, report = reprint(write_config(tmp_path, missing), reference)
    assert code == 1
    assert isinstance(report, dict) and report["state"] == "not_submitted"
    assert report["error"] in {"printer_unavailable", "cups_not_running"}


def test_a_folder_reprint_writes_the_forms_again(tmp_path: Path):
    config = write_config(tmp_path)
    reference, _ = completed_visit(config)
    before = set((tmp_path / "out").glob("*-forms-*.pdf"))
    code, report = reprint(config, reference)
    assert code == 0 and isinstance(report, dict), report
    assert set((tmp_path / "out").glob("*-forms-*.pdf")) - before
    assert Path(str(report["destination"])).is_file()


def test_an_unknown_visit_is_an_error(tmp_path: Path):
    config = write_config(tmp_path)
    completed_visit(config)
    code, report = reprint(config, "V-NOPE1")
    assert code != 0
    assert "V-NOPE1" in str(report)


def test_a_ticket_printer_that_fails_does_not_stop_the_forms(tmp_path: Path):
    config = write_config(tmp_path)
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the ticket folder should be")
    _, outcome = completed_visit(config, tickets=FolderPrinter(blocker / "tickets"))
    assert outcome.ticket_error == "printer_unavailable"
    assert outcome.forms_error == ""
    assert list((tmp_path / "out").glob("*-forms-*.pdf"))
