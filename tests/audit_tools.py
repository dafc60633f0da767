"""Access log test helpers: append entries, verify, and tamper with the database's own
tools (``sqlite3``, ``psql``) as someone with file or superuser access would."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from sqlalchemy import Engine, make_url
from sqlalchemy.orm import Session

from kiosk.storage import audit, create_kiosk_engine, upgrade_database
from kiosk.storage.audit_check import Verdict, verify
from kiosk.storage.database import IMMEDIATE
from tests.pg_server import find_bindir

DISABLE_TRIGGERS = {
    "sqlite": "DROP TRIGGER access_log_no_update; DROP TRIGGER access_log_no_delete;",
    "postgresql": "ALTER TABLE access_log DISABLE TRIGGER USER;",
}
SWAP_2_AND_3 = (
    "UPDATE access_log SET id = -3 WHERE id = 3; "
    "UPDATE access_log SET id = 3 WHERE id = 2; "
    "UPDATE access_log SET id = 2 WHERE id = -3;"
)


def migrated_engine(url: str) -> Engine:
    engine = create_kiosk_engine(url)
    upgrade_database(engine)
    return engine


def append_entries(engine: Engine, count: int, *, actor: str = "kiosk:k") -> list[int]:
    """``count`` entries, each in its own write transaction as a kiosk writes them."""
    ids = []
    for i in range(count):
        with Session(engine) as session, session.begin():
            session.connection(execution_options={IMMEDIATE: True})
            ids.append(
                audit.append(
                    session,
                    actor=actor,
                    action="visit_opened",
                    visit_reference=None,
                    detail=f"#{i}",
                )
            )
    return ids


def verdict(engine: Engine) -> Verdict:
    with engine.connect() as conn, conn.begin():
        return verify(conn)


class DatabaseTool:
    """The database's own command-line client, run against the test database."""

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        self.dialect = self.url.get_backend_name()

    def run(self, sql: str) -> subprocess.CompletedProcess[str]:
        """Run ``sql``; stop at the first error (non-zero exit, message on stderr)."""
        return subprocess.run(
            self._command(), input=sql, capture_output=True, text=True, timeout=60, check=False
        )

    def tamper(self, sql: str) -> None:
        """Switch the triggers off, then run ``sql``; it must succeed."""
        result = self.run(DISABLE_TRIGGERS[self.dialect] + "\n" + sql)
        assert result.returncode == 0, result.stderr

    def _command(self) -> list[str]:
        if self.dialect == "sqlite":
            sqlite3 = shutil.which("sqlite3")
            assert sqlite3, "sqlite3 is missing: apt-get install sqlite3 (setup.sh --dev)"
            return [sqlite3, "-bail", str(Path(self.url.database or ""))]
        bindir = find_bindir()
        psql = str(bindir / "psql") if bindir else shutil.which("psql")
        assert psql, "psql is missing: apt-get install postgresql"
        host = str(self.url.query["host"])
        user, database = self.url.username or "postgres", self.url.database or ""
        return [psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", host, "-U", user, "-d", database]
