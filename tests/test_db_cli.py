"""``ward-kiosk db`` and database passwords, through the installed command: passwords
never appear in ``config show``, logs or messages; ``db upgrade`` migrates SQLite too;
on PostgreSQL, commands other than ``db upgrade`` do not migrate."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import make_url

from tests.pg_server import PgServer

WARD_KIOSK = str(Path(sys.executable).with_name("ward-kiosk"))
SECRET = "Very-Secret-42"  # noqa: S105 (a test password)


def ward_kiosk(
    *args: str, config: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("WARD_KIOSK_")}
    environ |= {"WARD_KIOSK_LOG_LEVEL": "DEBUG", **(env or {})}
    return subprocess.run(
        [WARD_KIOSK, *args, "--config", str(config)],
        capture_output=True,
        text=True,
        env=environ,
        timeout=120,
        check=False,
    )


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text("", encoding="utf-8")
    return path


def _with_password(url: str) -> str:
    return make_url(url).set(password=SECRET).render_as_string(hide_password=False)


def test_config_show_hides_the_password_in_the_url(config: Path) -> None:
    url = f"postgresql+psycopg://kiosk:{SECRET}@db.ward.example/ward?sslmode=verify-full"
    done = ward_kiosk("config", "show", config=config, env={"WARD_KIOSK_DATABASE_URL": url})
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout)["database"]
    assert shown["url"] == "postgresql+psycopg://kiosk:***@db.ward.example/ward?sslmode=verify-full"
    assert SECRET not in done.stdout + done.stderr


def test_config_show_with_a_password_file(tmp_path: Path, config: Path) -> None:
    secret = tmp_path / "db.password"
    secret.write_text(SECRET + "\n", encoding="utf-8")
    secret.chmod(0o600)
    config.write_text(
        '[database]\nurl = "postgresql+psycopg://kiosk@db.ward.example/ward?sslmode=verify-full"\n'
        f'password_file = "{secret}"\n'
        f'migration_url = "postgresql+psycopg://migrate:{SECRET}@db.ward.example/ward"\n',
        encoding="utf-8",
    )
    done = ward_kiosk("config", "show", config=config)
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout)["database"]
    assert shown["password_file"] == str(secret)
    assert shown["migration_url"] == "postgresql+psycopg://migrate:***@db.ward.example/ward"
    assert SECRET not in done.stdout + done.stderr


def test_a_remote_server_without_tls_is_refused_without_showing_the_password(
    config: Path,
) -> None:
    url = f"postgresql+psycopg://kiosk:{SECRET}@db.ward.example/ward"
    done = ward_kiosk("queue", "status", config=config, env={"WARD_KIOSK_DATABASE_URL": url})
    assert done.returncode == 1
    assert "sslmode=verify-full" in done.stderr and "kiosk:***@db.ward.example" in done.stderr
    assert SECRET not in done.stdout + done.stderr


def test_db_upgrade_migrates_sqlite(tmp_path: Path, config: Path) -> None:
    url = f"sqlite:///{tmp_path / 'data' / 'kiosk.db'}"
    done = ward_kiosk("db", "upgrade", "--url", url, config=config)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["revision_before"] == [] and report["revision"]
    assert report["grants"].startswith("not applicable")


def test_db_roles_prints_the_sql_for_it(config: Path) -> None:
    done = ward_kiosk("db", "roles", "--login", "koto_kiosk_01=kiosk", config=config)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        'CREATE ROLE "ward_kiosk" NOLOGIN;',
        'CREATE ROLE "ward_counter" NOLOGIN;',
        'CREATE ROLE "ward_board" NOLOGIN;',
        'CREATE ROLE "ward_web" NOLOGIN;',
        'CREATE ROLE "koto_kiosk_01" LOGIN;',
        'GRANT "ward_kiosk" TO "koto_kiosk_01";',
    ]
    bad = ward_kiosk("db", "roles", "--login", 'x"; DROP TABLE visits=kiosk', config=config)
    assert bad.returncode == 1 and "login role name" in bad.stderr


def test_postgresql_commands_do_not_migrate_and_never_log_the_password(
    pg_empty_url: str, pg_server: PgServer, config: Path
) -> None:
    pg_server.create_group_roles()
    env = {"WARD_KIOSK_DATABASE_URL": _with_password(pg_empty_url)}  # trust: not checked
    refused = ward_kiosk("queue", "status", config=config, env=env)
    assert refused.returncode == 1
    assert "`ward-kiosk db upgrade`" in refused.stderr
    upgraded = ward_kiosk("db", "upgrade", config=config, env=env)
    assert upgraded.returncode == 0, upgraded.stderr
    assert json.loads(upgraded.stdout)["database"].startswith("postgresql+psycopg://postgres:***@")
    started = ward_kiosk("queue", "status", config=config, env=env)  # logs at DEBUG
    assert started.returncode == 0, started.stderr
    assert "could change the schema" in started.stderr  # the superuser is no kiosk role
    for done in (refused, upgraded, started):
        assert SECRET not in done.stdout + done.stderr
