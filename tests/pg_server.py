"""A private PostgreSQL server in a temporary folder, for the tests and the benchmarks.

No pytest here, so ``bench/queue.py`` can use it too. The server listens only on a
unix socket in its own folder. PostgreSQL refuses to run as root, so as root the
server runs as the ``postgres`` OS user (``runuser``), which the Debian package creates.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

from sqlalchemy.engine import make_url

SERVER_OPTIONS = (
    "-c listen_addresses='' -c fsync=off -c synchronous_commit=off "
    "-c full_page_writes=off -c max_connections=200"
)
SUPERUSER = "postgres"


def find_bindir() -> Path | None:
    """The newest ``/usr/lib/postgresql/<n>/bin`` holding initdb, or where PATH has it."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name)
    )
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def unavailable_reason() -> str | None:
    """Why a private server cannot start here, or None if it can."""
    if find_bindir() is None:
        return "PostgreSQL server binaries not found (apt-get install postgresql)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root, and there is no 'postgres' OS user to run the server"
        if shutil.which("runuser") is None:
            return "running as root, and runuser (util-linux) is missing"
    return None


class PgServer:
    """``start()`` initdb + pg_ctl start; ``url(db)`` SQLAlchemy URLs; ``stop()`` removes all."""

    def __init__(self) -> None:
        bindir = find_bindir()
        if bindir is None:
            raise RuntimeError(unavailable_reason() or "no PostgreSQL")
        self.bindir = bindir
        self.folder = Path(tempfile.mkdtemp(prefix="ward-kiosk-pg-"))
        self.data = self.folder / "data"
        self._names = itertools.count(1)
        self._as_postgres = os.geteuid() == 0
        self._template: str | None = None

    def start(self) -> PgServer:
        if self._as_postgres:
            account = pwd.getpwnam("postgres")
            os.chown(self.folder, account.pw_uid, account.pw_gid)
        self.folder.chmod(0o700)
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            SUPERUSER,
            "-E",
            "UTF8",
            "--no-sync",
            "--no-instructions",
        )
        options = f"-k {self.folder} {SERVER_OPTIONS}"
        log = str(self.folder / "server.log")
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", log, "-o", options, "-w", "-t", "60", "start"
        )
        return self

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str = "postgres", driver: str = "postgresql+psycopg") -> str:
        return f"{driver}://{SUPERUSER}@/{database}?host={self.folder}"

    def create_database(
        self, prefix: str = "kiosk", *, migrated: bool = False, owner: str = SUPERUSER
    ) -> str:
        """A new database, empty or (``migrated``) at the schema's head as ``ward-kiosk db
        upgrade`` leaves it (without grants); returns its SQLAlchemy URL."""
        import psycopg

        name = f"{prefix}_{os.getpid()}_{next(self._names)}"
        template = f' TEMPLATE "{self._migrated_template()}"' if migrated else ""
        with psycopg.connect(
            host=str(self.folder), user=SUPERUSER, dbname="postgres", autocommit=True
        ) as conn:
            # names built here or by the caller's test, not user input
            conn.execute(f'CREATE DATABASE "{name}" OWNER "{owner}"{template}')
        return self.url(name)

    def create_group_roles(self) -> None:
        """The ward's group roles (NOLOGIN), as `ward-kiosk db roles --create` makes them."""
        import psycopg

        from kiosk.storage.roles import create_role_statements

        with psycopg.connect(
            host=str(self.folder), user=SUPERUSER, dbname="postgres", autocommit=True
        ) as conn:
            existing = {row[0] for row in conn.execute("SELECT rolname FROM pg_roles")}
            for statement in create_role_statements([], existing):
                conn.execute(statement)  # built from constants

    def _migrated_template(self) -> str:
        """A database migrated to head once per server, copied by ``create_database``."""
        if self._template is None:
            from kiosk.storage import create_kiosk_engine, upgrade_database

            url = self.create_database("template")
            engine = create_kiosk_engine(url)
            try:
                upgrade_database(engine)
            finally:
                engine.dispose()
            self._template = make_url(url).database
        return str(self._template)

    def allow_connections(self, url: str, allowed: bool) -> None:
        """Take a database away from its clients (connections refused, open ones ended),
        as a network or server failure would, or give it back."""
        import psycopg

        name = make_url(url).database
        with psycopg.connect(
            host=str(self.folder), user=SUPERUSER, dbname="postgres", autocommit=True
        ) as conn:
            # name from create_database, not user input
            conn.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {str(allowed).lower()}')
            if not allowed:
                conn.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                    (name,),
                )

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bindir / tool), *args]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        if result.returncode != 0:
            raise subprocess.CalledProcessError(
                result.returncode, command, result.stdout, result.stderr + self._log_tail()
            )

    def _log_tail(self) -> str:
        log = self.folder / "server.log"
        return log.read_text(errors="replace")[-2000:] if log.exists() else ""
