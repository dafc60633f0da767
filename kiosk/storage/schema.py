"""Who changes the schema, and the check every other process makes at start.

SQLite (one PC, the demo) migrates itself at start unless ``[database]
migrate_at_start`` is off. On PostgreSQL only ``ward-kiosk db upgrade`` migrates,
connected as the migration role, and then applies the grants of ``roles``; kiosks,
counters and boards check the revision and their rights and refuse to start when either
does not fit. A schema ahead of this software by expand-only revisions still serves it
(``compat``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine

from kiosk.storage import compat, roles
from kiosk.storage.crypto import DatabaseUnavailable
from kiosk.storage.database import (
    IMMEDIATE,
    alembic_config,
    database_errors,
    safe_url,
    upgrade_database,
    upgrade_to_head,
)
from kiosk.storage.roles import AppRole

log = logging.getLogger(__name__)

RevisionState = Literal["current", "behind", "ahead", "ahead_compatible", "empty"]
"""``ahead_compatible``: ahead only by revisions that still serve this software."""


class SchemaMismatch(DatabaseUnavailable):
    """The database's schema revision is not the one this software was built for."""


class NotSchemaOwner(DatabaseUnavailable):
    """``db upgrade`` connected as a user that does not own the schema."""


class RoleRightsMissing(DatabaseUnavailable):
    """The connected user lacks privileges its process needs."""


@dataclass(frozen=True)
class RevisionStatus:
    current: tuple[str, ...]
    head: tuple[str, ...]
    state: RevisionState
    serves_from: str | None = None
    """The oldest revision whose software the schema serves (``compat``), if recorded."""

    @property
    def runs(self) -> bool:
        """Whether this software may use the schema as it is."""
        return self.state in ("current", "ahead_compatible")

    def describe(self) -> str:
        at = ", ".join(self.current) or "none (empty database)"
        return f"schema revision {at}, this software's is {', '.join(self.head)}"


@dataclass(frozen=True)
class UpgradeReport:
    """What ``upgrade_and_grant`` did."""

    before: tuple[str, ...]
    after: tuple[str, ...]
    ungranted: tuple[str, ...]
    """Tables with no line in ``roles.GRANTS``: no app role can use them."""


def revision_status(conn: Connection) -> RevisionStatus:
    """Compare the database's revision with the packaged migrations' head."""
    script = ScriptDirectory.from_config(alembic_config())
    head = tuple(sorted(script.get_heads()))
    current = tuple(sorted(MigrationContext.configure(conn).get_current_heads()))
    if not current:
        return RevisionStatus(current, head, "empty")
    marker = compat.read(conn)
    serves_from = marker.serves_from if marker is not None else None
    if current == head:
        return RevisionStatus(current, head, "current", serves_from)
    if all(_known(script, revision) for revision in current):
        return RevisionStatus(current, head, "behind", serves_from)
    state: RevisionState = "ahead_compatible" if compat.serves(marker, current, script) else "ahead"
    return RevisionStatus(current, head, state, serves_from)


def check_revision(status: RevisionStatus, where: str) -> None:
    """Raise SchemaMismatch, saying what to do, unless this software may use the schema."""
    if status.state == "ahead_compatible":
        log.warning("%s", mismatch_message(status, where))
    elif status.state != "current":
        raise SchemaMismatch(mismatch_message(status, where))


def mismatch_message(status: RevisionStatus, where: str) -> str:
    """What is wrong with the schema at ``where`` and what to run (empty when current)."""
    if status.state in ("behind", "empty"):
        return (
            f"Database {where} is at {status.describe()}: it needs revision "
            f"{', '.join(status.head)}. Run `ward-kiosk db upgrade` once (on PostgreSQL IT "
            "runs it with the migration role, docs/storage.md), then start this program."
        )
    if status.state == "ahead":
        serves = f" (it serves revision {status.serves_from} on)" if status.serves_from else ""
        return (
            f"Database {where} is at {status.describe()}: this PC's software is older than "
            f"the database, whose schema no longer serves it{serves}. Install the ward's "
            "current ward-kiosk version on this PC."
        )
    if status.state == "ahead_compatible":
        return (
            f"Database {where} is at {status.describe()}: ahead of this software only by "
            "expand-only revisions, which still serve it. Install the ward's current "
            "ward-kiosk version on this PC soon."
        )
    return ""


def prepare_schema(
    engine: Engine, role: AppRole | None = None, *, migrate_sqlite: bool = True
) -> None:
    """At a process's start: SQLite migrates (unless ``migrate_sqlite`` is off);
    otherwise, and always on PostgreSQL, the revision and (PostgreSQL) rights are checked.

    ``role`` ("kiosk", "counter", "board") is the process's: a user lacking one of its
    privileges is refused, one that could change the schema is logged as a warning.
    """
    where = safe_url(engine.url)
    with database_errors(engine.url), engine.connect() as conn:
        status = revision_status(conn)
        if conn.dialect.name == "postgresql":
            check_revision(status, where)
            if role is not None:
                _check_rights(roles.role_rights(conn, role), where)
            return
    if migrate_sqlite and status.state in ("behind", "empty"):
        upgrade_database(engine)
        return
    check_revision(status, where)


def _check_rights(rights: roles.RoleRights, where: str) -> None:
    group = roles.GROUP_ROLES[rights.role]
    if rights.missing:
        raise RoleRightsMissing(
            f"Database {where}: user {rights.user} lacks {', '.join(rights.missing)}, which "
            f"the {rights.role} needs. Make it a member of {group} (GRANT {group} TO "
            f"{rights.user}) and run `ward-kiosk db upgrade` to apply the grants."
        )
    if rights.ddl:
        log.warning(
            "database user %s %s: it could change the schema; connect as a member of %s "
            "instead (docs/storage.md)",
            rights.user,
            "; ".join(rights.ddl),
            group,
        )


def upgrade_and_grant(engine: Engine) -> UpgradeReport:
    """``db upgrade``: migrate to head, then (PostgreSQL) apply the grants, in one transaction.

    Raises DatabaseUnavailable naming the group roles to create when they are missing.
    """
    where = safe_url(engine.url)
    with database_errors(engine.url), engine.connect() as conn:
        conn.execution_options(**{IMMEDIATE: True})  # SQLite: the write lock first
        with conn.begin():
            postgresql = conn.dialect.name == "postgresql"
            if postgresql:
                _require_group_roles(conn, where)
                _require_schema_owner(conn, where)
            before = revision_status(conn).current
            upgrade_to_head(conn, where)
            ungranted = roles.apply_grants(conn) if postgresql else []
            after = revision_status(conn).current
    return UpgradeReport(before, after, tuple(ungranted))


def _require_group_roles(conn: Connection, where: str) -> None:
    missing = roles.missing_group_roles(conn)
    if missing:
        raise DatabaseUnavailable(
            f"Database {where}: the roles {', '.join(missing)} do not exist, so the grants "
            "cannot be applied. Create them first: `ward-kiosk db roles --create` (as a user "
            "allowed to create roles) or the SQL in docs/storage.md."
        )


def _require_schema_owner(conn: Connection, where: str) -> None:
    """A user that does not own the tables could neither migrate nor grant (PostgreSQL
    only warns when a GRANT or REVOKE does nothing)."""
    foreign = roles.tables_not_owned(conn)
    if foreign:
        raise NotSchemaOwner(
            f"Database {where}: user {roles.current_user(conn)} does not own "
            f"{', '.join(foreign[:3])}{' ...' if len(foreign) > 3 else ''}. `db upgrade` "
            "connects as the migration role, which owns the schema: set [database] "
            "migration_url (and migration_password_file) or pass --url. A schema made by "
            "an older release: REASSIGN OWNED BY <old owner> TO <migration role> first."
        )


def _known(script: ScriptDirectory, revision: str) -> bool:
    try:
        return script.get_revision(revision) is not None
    except CommandError:
        return False
