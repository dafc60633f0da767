"""``ward-kiosk audit verify | export`` through the installed command, and CLI actors."""

from __future__ import annotations

import csv
import itertools
import json
import os
import pwd
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from kiosk.cli import main
from kiosk.cli.common import cli_actor, os_account
from kiosk.storage import audit
from tests.audit_tools import DatabaseTool, append_entries, migrated_engine

KIOSK = str(Path(sys.executable).parent / "ward-kiosk")
TODAY = date.today().isoformat()


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'data' / 'kiosk.db'}"


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = migrated_engine(db_url)
    append_entries(engine, 5)
    yield engine
    engine.dispose()


def ward_kiosk(url: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The installed ``ward-kiosk`` command with ``url`` as its database."""
    return subprocess.run(
        [KIOSK, *args],
        env={**os.environ, "WARD_KIOSK_DATABASE_URL": url, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _verify(url: str, *args: str) -> tuple[int, dict[str, object], str]:
    result = ward_kiosk(url, "audit", "verify", *args)
    assert "Traceback" not in result.stderr
    return result.returncode, json.loads(result.stdout), result.stderr


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_verify_passes_then_names_the_changed_entry(
    request: pytest.FixtureRequest, backend: str, db_url: str
) -> None:
    url = db_url if backend == "sqlite" else str(request.getfixturevalue("pg_url"))
    engine = migrated_engine(url)
    try:
        append_entries(engine, 5)
    finally:
        engine.dispose()
    code, report, _ = _verify(url)
    assert (code, report["intact"], report["entries"], report["last_id"]) == (0, True, 5, 5)
    DatabaseTool(url).tamper("UPDATE access_log SET detail = '' WHERE id = 3;")
    code, report, stderr = _verify(url)
    assert code == 1
    assert report["intact"] is False
    problem = report["problem"]
    assert isinstance(problem, dict)
    assert (problem["kind"], problem["id"]) == ("changed", 3)
    assert f"entry id=3 (at {problem['at']}) was changed" in stderr
    assert report["entries"] == 5  # the head is printed either way


def test_export_writes_entries_with_hashes_and_defused_cells(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    risky = ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "\tx", "\rx", "plain"]
    with Session(engine) as session, session.begin():
        for detail in risky:
            audit.append(
                session, actor="staff:S1", action="check", visit_reference=None, detail=detail
            )
    out = tmp_path / "review" / "access.csv"
    out.parent.mkdir()
    result = ward_kiosk(
        db_url, "audit", "export", "--from", TODAY, "--to", TODAY, "--out", str(out)
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert (summary["entries"], summary["first_id"], summary["last_id"]) == (12, 1, 12)
    assert summary["head"]["entries"] == 12
    with out.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["id"] for r in rows] == [str(i) for i in range(1, 13)]
    assert [r["detail"] for r in rows[5:]] == [
        '\'=HYPERLINK("http://x")',
        "'+1",
        "'-2",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
        "plain",
    ]
    assert rows[-1]["entry_hash"] == summary["head"]["last_hash"]
    assert all(r["prev_hash"] == p["entry_hash"] for p, r in itertools.pairwise(rows))


def test_export_takes_local_days(engine: Engine, db_url: str, tmp_path: Path) -> None:
    out = tmp_path / "old.csv"
    args = ("audit", "export", "--from", "2020-01-01", "--to", "2020-01-31", "--out", str(out))
    result = ward_kiosk(db_url, *args)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["entries"] == 0
    assert out.read_text(encoding="utf-8-sig").splitlines() == [
        "id,at,actor,action,visit_reference,detail,prev_hash,entry_hash"
    ]


def test_verify_against_the_last_export_finds_a_quietly_removed_last_entry(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    out = tmp_path / "last-review.csv"
    args = ("audit", "export", "--from", TODAY, "--to", TODAY, "--out", str(out))
    assert ward_kiosk(db_url, *args).returncode == 0
    DatabaseTool(db_url).tamper(
        "DELETE FROM access_log WHERE id = 5; UPDATE access_log_head SET last_id = 4, "
        "last_hash = (SELECT entry_hash FROM access_log WHERE id = 4);"
    )
    code, report, _ = _verify(db_url)
    assert (code, report["entries"]) == (0, 4)  # the chain alone cannot tell
    code, report, stderr = _verify(db_url, "--against", str(out))
    assert code == 1
    assert "entry id=5" in stderr
    assert "is no longer in the log" in stderr


def test_bad_arguments_and_missing_databases_are_messages(tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"WARD_KIOSK_DATABASE_URL": f"sqlite:///{tmp_path / 'none.db'}"}
    args = ["audit", "export", "--from", "2024-04-02", "--to", "2024-04-01", "--out", "x.csv"]
    result = runner.invoke(main, args, env=env)
    assert (result.exit_code, "before --from" in result.output) == (2, True)
    result = runner.invoke(main, ["audit", "verify"], env=env)
    assert result.exit_code == 1
    assert "no kiosk database at" in result.output
    assert not (tmp_path / "none.db").exists()  # verification never creates a database
    bad = tmp_path / "bad.csv"
    bad.write_text("name,value\nx,y\n", encoding="utf-8")
    result = runner.invoke(main, ["audit", "verify", "--against", str(bad)], env=env)
    assert "is not an access log export row" in result.output


def test_an_unmigrated_database_is_named(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    sqlite3.connect(db).close()
    result = CliRunner().invoke(
        main, ["audit", "verify"], env={"WARD_KIOSK_DATABASE_URL": f"sqlite:///{db}"}
    )
    assert result.exit_code == 1
    assert "ward-kiosk db upgrade" in result.output


def test_cli_actors_come_from_the_os_account(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOGNAME", "mallory")
    monkeypatch.setenv("USER", "mallory")
    account = pwd.getpwuid(os.getuid()).pw_name
    assert os_account() == account != "mallory"
    assert cli_actor() == f"cli:{account}"
