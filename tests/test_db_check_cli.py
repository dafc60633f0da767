"""``ward-kiosk db current`` and ``db check`` through the installed command, and
``[database] migrate_at_start = false``: an SQLite database then waits for ``db upgrade``
like PostgreSQL does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command

from kiosk.storage import alembic_config

WARD_KIOSK = str(Path(sys.executable).with_name("ward-kiosk"))


def ward_kiosk(*args: str, config: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARD_KIOSK_")}
    return subprocess.run(
        [WARD_KIOSK, *args, "--config", str(config)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "kiosk.db"
    command.upgrade(alembic_config(f"sqlite:///{path}"), "0008")  # an older release's
    return path


def _config(tmp_path: Path, database: Path, *, migrate_at_start: bool) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[database]\nurl = "sqlite:///{database}"\n'
        f"migrate_at_start = {str(migrate_at_start).lower()}\n",
        encoding="utf-8",
    )
    return path


def _current(config: Path) -> dict[str, object]:
    done = ward_kiosk("db", "current", config=config)
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_check_says_which_revision_is_needed_and_what_to_run(
    tmp_path: Path, database: Path
) -> None:
    config = _config(tmp_path, database, migrate_at_start=False)
    current = _current(config)
    assert current["revision"] == ["0008"] and current["matches"] is False
    assert current["state"] == "behind" and current["runs"] is False
    head = current["head"]

    check = ward_kiosk("db", "check", config=config)
    assert check.returncode == 1
    assert f"it needs revision {head[0]}" in check.stderr  # type: ignore[index]
    assert "Run `ward-kiosk db upgrade`" in check.stderr

    assert ward_kiosk("db", "upgrade", config=config).returncode == 0
    check = ward_kiosk("db", "check", config=config)
    assert check.returncode == 0, check.stderr
    assert json.loads(check.stdout)["matches"] is True


def test_with_migrate_at_start_off_a_program_refuses_an_older_sqlite_schema(
    tmp_path: Path, database: Path
) -> None:
    config = _config(tmp_path, database, migrate_at_start=False)
    done = ward_kiosk("queue", "status", config=config)
    assert done.returncode == 1
    assert "Run `ward-kiosk db upgrade`" in done.stderr
    assert _current(config)["revision"] == ["0008"]  # untouched


def test_by_default_sqlite_still_migrates_at_start(tmp_path: Path, database: Path) -> None:
    config = _config(tmp_path, database, migrate_at_start=True)
    done = ward_kiosk("queue", "status", config=config)
    assert done.returncode == 0, done.stderr
    assert _current(config)["matches"] is True
