"""``doctor``'s checks of database access on PostgreSQL: how the connection is protected,
the schema revision, and whether the connected user has its role's rights and no more."""

from __future__ import annotations

from kiosk.config import Settings
from kiosk.db_settings import database_target
from kiosk.doctor import Check, error, ok, warning
from kiosk.storage import StorageError
from kiosk.storage.database import (
    DatabaseTarget,
    create_kiosk_engine,
    database_errors,
    is_local_host,
    server_hosts,
)
from kiosk.storage.roles import GROUP_ROLES, AppRole, RoleRights, role_rights
from kiosk.storage.schema import RevisionStatus, revision_status

_FIX_URL = "fix [database] url (and password_file) in the settings"


def database_access_checks(settings: Settings) -> list[Check]:
    """Connection, schema and role checks; none on SQLite (one file, no roles).

    The role is ``[database] role``, else the one this PC's keys suggest.
    """
    from kiosk.ward_keys import role_of_this_pc

    role: AppRole = settings.database.role or role_of_this_pc(settings)
    try:
        target = database_target(settings, role)
    except StorageError as e:
        return [error("database_connection", f"{e.code}: {e}", _FIX_URL)]
    if target.url.get_backend_name() != "postgresql":
        return []
    checks = [connection_check(target)]
    try:
        status, rights = _inspect(target, role)
    except StorageError as e:
        return [*checks, error("database_role", f"{e.code}: {e}", _FIX_URL)]
    return [*checks, schema_check(status), role_check(rights)]


def connection_check(target: DatabaseTarget) -> Check:
    name = "database_connection"
    remote = [h for h in server_hosts(target.url) if not is_local_host(h)]
    limits = (
        f"connect timeout {target.connect_timeout_s} s, "
        f"statement timeout {target.statement_timeout_s} s"
    )
    if not remote:
        return ok(name, f"local server (socket or loopback), no TLS needed; {limits}")
    if target.url.query.get("sslmode") == "verify-full":
        return ok(name, f"TLS with the server's certificate verified (verify-full); {limits}")
    return warning(
        name,
        f"{', '.join(remote)} is reached without verified TLS ([database] allow_insecure)",
        "add sslmode=verify-full and sslrootcert to [database] url, then remove allow_insecure",
    )


def schema_check(status: RevisionStatus) -> Check:
    name = "database_schema"
    if status.state == "current":
        return ok(name, status.describe())
    if status.state == "ahead":
        return error(name, status.describe(), "install the ward's current ward-kiosk version")
    if status.state == "ahead_compatible":
        return warning(
            name,
            f"{status.describe()}: ahead by expand-only revisions, which still serve it",
            "install the ward's current ward-kiosk version on this PC soon",
        )
    return error(name, status.describe(), "IT runs `ward-kiosk db upgrade` (migration role)")


def role_check(rights: RoleRights) -> Check:
    name = "database_role"
    group = GROUP_ROLES[rights.role]
    who = f"user {rights.user} ({rights.role})"
    if rights.ddl:
        return error(
            name,
            f"{who} could change the schema: {'; '.join(rights.ddl)}",
            f"connect as a LOGIN role that is only a member of {group} (docs/storage.md)",
        )
    if rights.missing:
        return error(
            name,
            f"{who} lacks {', '.join(rights.missing)}",
            f"GRANT {group} TO {rights.user}; then `ward-kiosk db upgrade` applies the grants",
        )
    if rights.extra:
        return warning(
            name,
            f"{who} may also {', '.join(rights.extra)}, which the {rights.role} does not need",
            "run `ward-kiosk db upgrade` (it resets the grants); check the user's own grants",
        )
    return ok(name, f"{who}: the {rights.role}'s rights, no more; cannot change the schema")


def _inspect(target: DatabaseTarget, role: AppRole) -> tuple[RevisionStatus, RoleRights]:
    engine = create_kiosk_engine(target)
    try:
        with database_errors(engine.url), engine.connect() as conn:
            return revision_status(conn), role_rights(conn, role)
    finally:
        engine.dispose()
