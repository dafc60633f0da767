"""A schema ahead of this software serves it only when the revisions in between are
expand-only and the compatibility marker says so (``kiosk.storage.compat``).

The "future release" here is a copy of the packaged migrations with one more revision,
``0015``, as the next release would ship it; this software then finds the database
ahead of it, as a PC not yet upgraded would during a rolling upgrade.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text

from kiosk.storage import Store, alembic_config, compat, create_kiosk_engine
from kiosk.storage.database import MIGRATIONS_DIR
from kiosk.storage.schema import SchemaMismatch, revision_status
from kiosk.visit import Visit
from tests.keys import open_store

_FUTURE = '''"""future: a nullable column and a table, as the next release might add."""
import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None
expand_only = {expand_only}


def upgrade() -> None:
    op.add_column("tickets", sa.Column("future_note", sa.String(40), nullable=True))
    op.create_table("future_things", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade() -> None:
    op.drop_table("future_things")
    op.drop_column("tickets", "future_note")
'''


def _future_migrations(folder: Path, *, expand_only: bool) -> Config:
    copy = folder / "migrations"
    shutil.copytree(MIGRATIONS_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    revision = copy / "versions" / "0014_future.py"
    revision.write_text(_FUTURE.format(expand_only=expand_only), encoding="utf-8")
    config = Config()
    config.set_main_option("script_location", str(copy))
    return config


def _upgrade_as_the_next_release(url: str, config: Config) -> None:
    """What the next release's ``db upgrade`` does: migrate, then record the marker."""
    engine = create_kiosk_engine(url)
    try:
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
            compat.record(conn, ScriptDirectory.from_config(config))
    finally:
        engine.dispose()


def _execute(url: str, statement: str) -> None:
    engine = create_kiosk_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(statement))
    finally:
        engine.dispose()


def _use(store: Store) -> None:
    """What a kiosk does: save a visit, issue its ticket, read the queue."""
    reference = store.save_visit(Visit(language="ja"), kiosk_id="koto-1", status="completed")
    ticket = store.issue_ticket(
        category="resident", letter="A", counter="3", visit_reference=reference
    )
    assert ticket.code == "A-001"
    assert store.waiting_count("resident") == 1


def test_the_packaged_revisions_say_whether_they_are_expand_only() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    for revision in script.walk_revisions():
        if revision.revision >= "0008":  # the policy starts with this release's revisions
            assert isinstance(getattr(revision.module, "expand_only", None), bool), revision
    # 0014 adds a table and a nullable column, 0013 a defaulted column, 0012 and 0011
    # tables; 0010 stops kiosks sealing
    # with the shared key: a contract.
    assert compat.serves_from(script) == "0010"


def test_db_upgrade_records_which_software_the_schema_serves(db_url: str, key_file: Path) -> None:
    open_store(db_url, key_file).close()
    engine = create_kiosk_engine(db_url)
    try:
        with engine.connect() as conn:
            assert compat.read(conn) == compat.Compatibility("0014", "0010")
            assert revision_status(conn).state == "current"
    finally:
        engine.dispose()


def test_a_schema_ahead_by_an_expand_only_revision_still_serves_this_software(
    any_db_url: str, key_file: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    open_store(any_db_url, key_file).close()  # this release's schema, with its ward key
    _upgrade_as_the_next_release(any_db_url, _future_migrations(tmp_path, expand_only=True))
    with open_store(any_db_url, key_file) as store:
        _use(store)
        with store.engine.connect() as conn:
            status = revision_status(conn)
        assert (status.current, status.state, status.serves_from) == (
            ("0015",),
            "ahead_compatible",
            "0010",  # 0015, 0014, 0013, 0012 and 0011 all only expand
        )
    assert "expand-only revisions, which still serve it" in caplog.text


def test_a_schema_ahead_by_a_contract_revision_is_refused(
    any_db_url: str, key_file: Path, tmp_path: Path
) -> None:
    open_store(any_db_url, key_file).close()
    _upgrade_as_the_next_release(any_db_url, _future_migrations(tmp_path, expand_only=False))
    with pytest.raises(SchemaMismatch, match=r"no longer serves it \(it serves revision 0015 on\)"):
        open_store(any_db_url, key_file)


def test_a_marker_written_for_another_revision_serves_nobody(db_url: str, key_file: Path) -> None:
    """A schema moved on without the marker (a bare ``alembic upgrade``) is refused."""
    open_store(db_url, key_file).close()
    _execute(db_url, "UPDATE alembic_version SET version_num = '0015'")
    with pytest.raises(SchemaMismatch, match="older than the database"):
        open_store(db_url, key_file)


def test_doctor_warns_about_a_schema_ahead_that_still_serves_this_software() -> None:
    from kiosk.doctor_database import schema_check
    from kiosk.storage.schema import RevisionStatus

    ahead = RevisionStatus(("0012",), ("0011",), "ahead_compatible", "0010")
    check = schema_check(ahead)
    assert (check.status, check.action) == (
        "warning",
        "install the ward's current ward-kiosk version on this PC soon",
    )
    refused = schema_check(RevisionStatus(("0012",), ("0011",), "ahead", "0012"))
    assert refused.status == "error"
