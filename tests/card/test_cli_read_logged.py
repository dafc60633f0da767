"""``card read`` writes each read to the access log, as the OS account, without personal data;
with ``--with-number`` a read that cannot be logged is not shown."""

from __future__ import annotations

import json
import os
import pwd
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.card.virtual.card import VirtualMyNumberCard
from kiosk.cli.card import card
from kiosk.storage.models import AccessLogRow
from tests.audit_tools import migrated_engine, verdict

pytestmark = [pytest.mark.pcsc, pytest.mark.usefixtures("virtual_reader_allowed")]

KIOSK = str(Path(sys.executable).parent / "ward-kiosk")


def _log(url: str) -> list[tuple[str, str, str | None, str]]:
    engine = migrated_engine(url)
    try:
        assert verdict(engine).intact
        with Session(engine) as session:
            rows = session.scalars(select(AccessLogRow).order_by(AccessLogRow.id))
            return [(r.actor, r.action, r.visit_reference, r.detail) for r in rows]
    finally:
        engine.dispose()


def test_the_installed_command_logs_a_number_read_as_the_os_account(
    virtual_card: VirtualMyNumberCard, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'kiosk.db'}"
    migrated_engine(url).dispose()
    env = {**os.environ, "WARD_KIOSK_DATABASE_URL": url, "LOGNAME": "mallory", "USER": "mallory"}
    result = subprocess.run(
        [KIOSK, "card", "read", "--with-number"],
        input="1234\n",
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    number = json.loads(result.stdout)["individual_number"]
    account = pwd.getpwuid(os.getuid()).pw_name
    log = _log(url)
    assert log == [(f"cli:{account}", "individual_number.read_by_cli", None, "")]
    persona = virtual_card.persona
    assert not any(
        secret in field for field in log[0] if field for secret in (number, persona.person.name)
    )


def test_a_plain_read_is_logged_too(virtual_card: VirtualMyNumberCard, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kiosk.db'}"
    migrated_engine(url).dispose()
    result = CliRunner().invoke(
        card, ["read"], input="1234\n", env={"WARD_KIOSK_DATABASE_URL": url}
    )
    assert result.exit_code == 0, result.output
    assert [entry[1] for entry in _log(url)] == ["card.read"]


def test_a_number_that_cannot_be_logged_is_not_shown(
    virtual_card: VirtualMyNumberCard, tmp_path: Path
) -> None:
    broken = tmp_path / "kiosk.db"
    broken.write_bytes(b"this is not a database" * 100)
    result = CliRunner().invoke(
        card,
        ["read", "--with-number"],
        input="1234\n",
        env={"WARD_KIOSK_DATABASE_URL": f"sqlite:///{broken}"},
    )
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["error"] == "access_log_unavailable"
    assert virtual_card.persona.individual_number not in result.output
    assert virtual_card.persona.person.name not in result.output
