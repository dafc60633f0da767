"""``ward-kiosk backup`` and ``restore`` on SQLite, through the installed command.

A backup taken while a kiosk keeps issuing tickets is one consistent snapshot; restore
refuses a database in use (unless forced), a damaged file and a backup a newer version
wrote; PostgreSQL is sent to pg_dump.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from kiosk.storage import Store
from tests.keys import open_store

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
    return tmp_path / "data" / "kiosk.db"


@pytest.fixture
def config(tmp_path: Path, database: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'[database]\nurl = "sqlite:///{database}"\n', encoding="utf-8")
    return path


@pytest.fixture
def store(database: Path, tmp_path: Path) -> Iterator[Store]:
    with open_store(f"sqlite:///{database}", tmp_path / "ward.pem") as opened:
        yield opened


def _issue(store: Store, count: int) -> None:
    for _ in range(count):
        store.issue_ticket(category="resident", letter="A", counter="3", visit_reference=None)


def _tickets(path: Path) -> tuple[int, int]:
    """(tickets stored, the numbering counter): equal in any consistent copy."""
    with closing(sqlite3.connect(path)) as conn:
        tickets = conn.execute("SELECT count(*) FROM tickets").fetchone()[0]
        last = conn.execute("SELECT coalesce(max(last_number), 0) FROM ticket_counters")
        return int(tickets), int(last.fetchone()[0])


def test_a_backup_taken_while_a_kiosk_issues_tickets_is_consistent(
    store: Store, config: Path, tmp_path: Path
) -> None:
    _issue(store, 5)
    stop = threading.Event()

    def keep_issuing() -> None:
        while not stop.is_set():
            _issue(store, 1)

    writer = threading.Thread(target=keep_issuing)
    writer.start()
    try:
        done = ward_kiosk("backup", "--out", str(tmp_path / "b.db"), config=config)
    finally:
        stop.set()
        writer.join()
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["backup"] == str(tmp_path / "b.db")
    assert report["revision"] == report["head"]
    copy = tmp_path / "b.db"
    assert copy.stat().st_mode & 0o777 == 0o600
    assert not copy.with_name("b.db-wal").exists()  # one self-contained file
    tickets, last = _tickets(copy)
    assert tickets == last >= 5

    again = ward_kiosk("backup", "--out", str(copy), config=config)
    assert again.returncode == 1
    assert "never overwrites" in again.stderr


def test_restore_refuses_a_database_in_use_then_puts_the_backup_back(
    store: Store, config: Path, database: Path, tmp_path: Path
) -> None:
    _issue(store, 3)
    assert ward_kiosk("backup", "--out", str(tmp_path / "b.db"), config=config).returncode == 0
    _issue(store, 4)

    refused = ward_kiosk("restore", str(tmp_path / "b.db"), config=config)
    assert refused.returncode == 1
    assert "is in use" in refused.stderr and "--force" in refused.stderr
    assert _tickets(database) == (7, 7)

    store.close()
    done = ward_kiosk("restore", str(tmp_path / "b.db"), config=config)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["restored_from"] == str(tmp_path / "b.db")
    with open_store(f"sqlite:///{database}", tmp_path / "ward.pem") as reopened:
        assert reopened.waiting_count("resident") == 3


def test_restore_with_force_replaces_the_data_under_a_running_process(
    store: Store, config: Path, database: Path, tmp_path: Path
) -> None:
    _issue(store, 2)
    assert ward_kiosk("backup", "--out", str(tmp_path / "b.db"), config=config).returncode == 0
    _issue(store, 2)
    done = ward_kiosk("restore", str(tmp_path / "b.db"), "--force", config=config)
    assert done.returncode == 0, done.stderr
    assert store.waiting_count("resident") == 2  # the open store sees the restored data


def test_restore_refuses_a_backup_written_by_a_newer_version(
    store: Store, config: Path, database: Path, tmp_path: Path
) -> None:
    newer = tmp_path / "newer.db"
    assert ward_kiosk("backup", "--out", str(newer), config=config).returncode == 0
    with closing(sqlite3.connect(newer)) as conn, conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    store.close()
    done = ward_kiosk("restore", str(newer), config=config)
    assert done.returncode == 1
    assert "a newer ward-kiosk version wrote it" in done.stderr


def test_restore_refuses_a_file_that_is_no_database(config: Path, tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    done = ward_kiosk("restore", str(junk), config=config)
    assert done.returncode == 1
    assert "is not an SQLite database backup" in done.stderr


def test_backup_of_postgresql_points_to_pg_dump(tmp_path: Path) -> None:
    config = tmp_path / "pg.toml"
    config.write_text(
        '[database]\nurl = "postgresql+psycopg://kiosk@/ward?host=/run/postgresql"\n',
        encoding="utf-8",
    )
    done = ward_kiosk("backup", "--out", str(tmp_path / "b.db"), config=config)
    assert done.returncode == 1
    assert "pg_dump" in done.stderr
    assert not (tmp_path / "b.db").exists()
