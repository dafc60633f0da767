"""The documented PostgreSQL backup (docs/operations.md): ``pg_dump --format=custom``,
then ``pg_restore --no-owner --no-acl`` into a new empty database and ``db check``; the
restored database has the data, the revision and the access log's append-only triggers.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import exc, make_url, text

from kiosk.storage import create_kiosk_engine
from tests.keys import open_store
from tests.pg_server import SUPERUSER, PgServer

WARD_KIOSK = str(Path(sys.executable).with_name("ward-kiosk"))


def _libpq(url: str) -> list[str]:
    parsed = make_url(url)
    return [
        f"--host={parsed.query['host']}",
        f"--username={SUPERUSER}",
        f"--dbname={parsed.database}",
    ]


def _tool(server: PgServer, name: str) -> str:
    path = server.bindir / name
    if not path.exists():
        pytest.skip(f"{name} not found in {server.bindir}")
    return str(path)


def test_pg_dump_and_pg_restore_round_trip(
    pg_server: PgServer, pg_url: str, tmp_path: Path
) -> None:
    key = tmp_path / "ward.pem"
    with open_store(pg_url, key) as store:
        for _ in range(3):
            store.issue_ticket(category="resident", letter="A", counter="3", visit_reference=None)
        store.log_access(actor="cli:it", action="backup.test", visit_reference=None)
    dump = tmp_path / "ward.dump"
    subprocess.run(
        [_tool(pg_server, "pg_dump"), "--format=custom", f"--file={dump}", *_libpq(pg_url)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    restored = pg_server.create_database("restored")
    subprocess.run(
        [
            _tool(pg_server, "pg_restore"),
            "--no-owner",
            "--no-acl",
            "--exit-on-error",
            "--single-transaction",
            *_libpq(restored),
            str(dump),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )

    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARD_KIOSK_")}
    check = subprocess.run(
        [WARD_KIOSK, "db", "check", "--url", restored, "--config", str(config)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert check.returncode == 0, check.stderr
    with open_store(restored, key, register_key=False) as store:
        assert store.waiting_count("resident") == 3
        assert [e.action for e in store.access_events()] == ["backup.test"]
    engine = create_kiosk_engine(restored)
    try:
        with pytest.raises(exc.DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text("UPDATE access_log SET detail = 'changed'"))
    finally:
        engine.dispose()
