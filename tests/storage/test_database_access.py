"""How the kiosk reaches its database: TLS for remote servers, timeouts on every engine,
passwords from an owner-only file and never shown. No server needed, except the hung one
this file starts itself."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.config import Settings, load_settings
from kiosk.db_settings import database_target, hide_password, migration_target
from kiosk.db_settings import settings_for_display as shown
from kiosk.storage import DatabaseUnavailable, Store, create_kiosk_engine
from kiosk.storage.data_keys import Keyring
from kiosk.storage.database import DatabaseTarget, InsecureConnection, is_local_host
from kiosk.storage.models import Base
from kiosk.storage.roles import APP_ROLES, GRANTS
from kiosk.storage.secret_file import PasswordFileInvalid, read_password_file

SECRET = "s3cret-Pa55"  # noqa: S105 (a test password)


def _target(url: str, **options: object) -> DatabaseTarget:
    return DatabaseTarget.parse(url, **options)  # type: ignore[arg-type]


# -- TLS ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://kiosk@db.ward.example/ward",
        "postgresql+psycopg://kiosk@db.ward.example/ward?sslmode=require",
        "postgresql+psycopg://kiosk@10.0.0.5/ward?sslmode=verify-ca",
        "postgresql+psycopg://kiosk@localhost/ward?hostaddr=10.0.0.5",
        "postgresql+psycopg://kiosk@/ward?host=/run/postgresql,db.ward.example",
    ],
)
def test_a_remote_server_without_verified_tls_is_refused(url: str) -> None:
    with pytest.raises(InsecureConnection, match=r"sslmode=verify-full.*allow_insecure"):
        create_kiosk_engine(_target(url))


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://kiosk@db.ward.example/ward?sslmode=verify-full",
        "postgresql+psycopg://kiosk@localhost/ward",
        "postgresql+psycopg://kiosk@127.0.0.1:5433/ward",
        "postgresql+psycopg://kiosk@[::1]/ward",
        "postgresql+psycopg://kiosk@/ward?host=/run/postgresql",
        "postgresql+psycopg://kiosk@/ward",
    ],
)
def test_verified_tls_or_a_local_server_is_accepted(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PGHOST", raising=False)
    monkeypatch.delenv("PGHOSTADDR", raising=False)
    create_kiosk_engine(_target(url)).dispose()  # connects lazily: nothing is reached


def test_allow_insecure_accepts_a_remote_server_and_pghost_counts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PGHOST", "db.ward.example")
    url = "postgresql+psycopg://kiosk@/ward"
    with pytest.raises(InsecureConnection):
        create_kiosk_engine(_target(url))
    create_kiosk_engine(_target(url, allow_insecure=True)).dispose()


def test_local_hosts() -> None:
    assert all(map(is_local_host, ["/tmp/sock", "localhost", "127.0.0.2", "::1", "[::1]"]))
    assert not any(map(is_local_host, ["db", "10.0.0.1", "localhost.example", "::2"]))


# -- timeouts -------------------------------------------------------------------------


def test_every_postgresql_engine_gets_connect_and_statement_timeouts() -> None:
    engine = create_kiosk_engine(
        _target("postgresql+psycopg://k@/w?host=/tmp", connect_timeout_s=3, statement_timeout_s=7)
    )
    assert engine.url.query["connect_timeout"] == "3"
    assert engine.url.query["options"] == "-c statement_timeout=7000"
    engine.dispose()
    kept = create_kiosk_engine("postgresql+psycopg://k@/w?host=/tmp&options=-c%20search_path%3Dx")
    assert kept.url.query["options"] == "-c search_path=x -c statement_timeout=10000"
    assert kept.url.query["connect_timeout"] == "5"  # the defaults, for a plain URL
    kept.dispose()


def test_migrations_have_no_statement_timeout(tmp_path: Path) -> None:
    settings = Settings.model_validate(
        {"database": {"url": "postgresql+psycopg://k@/w?host=/tmp", "connect_timeout_seconds": 9}}
    )
    engine = create_kiosk_engine(migration_target(settings))
    assert "options" not in engine.url.query and engine.url.query["connect_timeout"] == "9"
    engine.dispose()


@pytest.fixture
def hung_server() -> Iterator[int]:
    """A TCP port that accepts connections and never answers, like a hung server."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()


def test_a_server_that_never_answers_fails_within_the_connect_timeout(
    hung_server: int, tmp_path: Path
) -> None:
    target = _target(
        f"postgresql+psycopg://kiosk@127.0.0.1:{hung_server}/ward", connect_timeout_s=2
    )
    started = time.monotonic()
    with pytest.raises(DatabaseUnavailable, match="is unavailable"):
        Store.open(target, Keyring())
    assert time.monotonic() - started < 6


# -- passwords --------------------------------------------------------------------------


def _password_file(tmp_path: Path, text: str = SECRET + "\n", mode: int = 0o600) -> Path:
    path = tmp_path / "db.password"
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


def test_the_password_comes_from_an_owner_only_file(tmp_path: Path) -> None:
    path = _password_file(tmp_path)
    settings = Settings.model_validate(
        {"database": {"url": "postgresql+psycopg://kiosk@/ward", "password_file": str(path)}}
    )
    target = database_target(settings, "kiosk")
    assert target.url.password == SECRET
    assert SECRET not in repr(target) and SECRET not in str(target.url)


@pytest.mark.parametrize(
    ("text", "mode", "message"),
    [
        (SECRET, 0o644, r"mode 0644 .* chmod 600"),
        (SECRET, 0o640, r"mode 0640"),
        ("", 0o600, "alone on one line"),
        (f"{SECRET}\nsecond line\n", 0o600, "alone on one line"),
    ],
)
def test_an_unsafe_or_malformed_password_file_is_refused(
    tmp_path: Path, text: str, mode: int, message: str
) -> None:
    with pytest.raises(PasswordFileInvalid, match=message) as caught:
        read_password_file(_password_file(tmp_path, text, mode))
    assert SECRET not in str(caught.value)


def test_a_symlinked_or_missing_password_file_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "link"
    link.symlink_to(_password_file(tmp_path))
    with pytest.raises(PasswordFileInvalid, match="not a symlink"):
        read_password_file(link)
    with pytest.raises(PasswordFileInvalid, match="cannot be opened"):
        read_password_file(tmp_path / "missing")


def test_a_password_in_both_places_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DatabaseUnavailable, match=r"remove it from the URL") as caught:
        _target("postgresql+psycopg://k:inurl@/w", password_file=_password_file(tmp_path))
    assert "inurl" not in str(caught.value)


def test_displayed_settings_hide_database_passwords(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[database]\nurl = "postgresql+psycopg://kiosk:{SECRET}@db/ward?sslmode=verify-full"\n'
        f'migration_url = "postgresql+psycopg://migrate:{SECRET}@db/ward"\n',
        encoding="utf-8",
    )
    database = shown(load_settings(config, environ={}))["database"]
    assert database["url"] == "postgresql+psycopg://kiosk:***@db/ward?sslmode=verify-full"
    assert database["migration_url"] == "postgresql+psycopg://migrate:***@db/ward"
    assert hide_password(f"postgresql://k:{SECRET}@db:notaport/x") == (
        "(not shown: not a valid database URL)"
    )


# -- grants ---------------------------------------------------------------------------


def test_every_table_has_a_grant_line() -> None:
    lines = [grant.table for grant in GRANTS]
    assert len(lines) == len(set(lines))
    assert set(Base.metadata.tables) | {"alembic_version"} == set(lines)


def test_the_docs_show_the_grants() -> None:
    text = (Path(__file__).parents[2] / "docs" / "storage.md").read_text(encoding="utf-8")
    tables = {grant.table for grant in GRANTS}
    rows = {}
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if len(cells) == 1 + len(APP_ROLES) and cells[0].strip("`") in tables:
            rows[cells[0].strip("`")] = tuple(cells[1:])
    expected = {g.table: tuple(", ".join(g.of(role)) or "–" for role in APP_ROLES) for g in GRANTS}
    assert rows == expected


def test_doctor_warns_while_insecure_connections_are_allowed() -> None:
    from kiosk.doctor_database import connection_check

    insecure = _target("postgresql+psycopg://kiosk@db.ward.example/ward", allow_insecure=True)
    check = connection_check(insecure)
    assert check.status == "warning" and "db.ward.example" in check.detail
    verified = _target("postgresql+psycopg://kiosk@db.ward.example/ward?sslmode=verify-full")
    assert connection_check(verified).status == "ok"
