"""Who may do what in the ward's PostgreSQL database: one grant line per table.

Four group roles (NOLOGIN) hold the rights; each machine logs in with its own LOGIN
role that is a member of one of them. None of them may change the schema: that is
the migration role's, which ``ward-kiosk db upgrade`` connects with and which applies
these grants after migrating. SQLite has no roles: there the file's owner is all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, get_args

from sqlalchemy import Connection, text

AppRole = Literal["kiosk", "counter", "board", "web"]
APP_ROLES: tuple[AppRole, ...] = get_args(AppRole)
GROUP_ROLES: dict[AppRole, str] = {
    "kiosk": "ward_kiosk",
    "counter": "ward_counter",
    "board": "ward_board",
    "web": "ward_web",
}
MIGRATION_ROLE = "ward_migrate"  # the name docs/storage.md suggests for the schema owner
TABLE_PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")
_LOGIN_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")

R = ("SELECT",)
RI = ("SELECT", "INSERT")
RU = ("SELECT", "UPDATE")
RIU = ("SELECT", "INSERT", "UPDATE")
RUD = ("SELECT", "UPDATE", "DELETE")


@dataclass(frozen=True)
class TableGrant:
    """The privileges each group role has on one table; a missing role has none.

    A privilege is ``"SELECT"`` or a column privilege such as ``"SELECT (id)"``.
    """

    table: str
    kiosk: tuple[str, ...] = ()
    counter: tuple[str, ...] = ()
    board: tuple[str, ...] = ()
    web: tuple[str, ...] = ()  # `ward-kiosk web`, on a machine residents' phones reach

    def of(self, role: AppRole) -> tuple[str, ...]:
        privileges: tuple[str, ...] = getattr(self, role)
        return privileges


# A new table is one line here (docs/storage.md shows this table). INSERT brings
# USAGE on the table's own sequences (its SERIAL id) with it. SELECT FOR UPDATE needs
# UPDATE, and INSERT ... ON CONFLICT DO UPDATE needs SELECT and UPDATE as well.
GRANTS: tuple[TableGrant, ...] = (
    TableGrant("alembic_version", kiosk=R, counter=R, board=R, web=R),  # the revision check
    TableGrant("schema_compatibility", kiosk=R, counter=R, board=R, web=R),  # ... when ahead
    TableGrant("visits", kiosk=RIU, counter=RU),
    TableGrant("tickets", kiosk=RIU, counter=RIU, board=R, web=R),
    TableGrant("ticket_counters", kiosk=RIU, counter=RIU),
    TableGrant("ticket_events", kiosk=RI, counter=RI, board=R, web=R),
    TableGrant("counter_states", kiosk=R, counter=RIU, board=R, web=R),
    TableGrant("kiosk_heartbeats", kiosk=RIU, counter=R),
    TableGrant("staff", counter=RIU),
    TableGrant("access_log", kiosk=("INSERT",), counter=RI),  # append-only (0009 triggers)
    TableGrant("access_log_head", kiosk=RU, counter=RU),  # the chain head, locked to append
    TableGrant("ward_keys", kiosk=R, counter=RIU),  # counter PCs run `key init` / `rotate`
    TableGrant("data_keys", kiosk=RIU, counter=RIU),  # sealed day keys; purge destroys them
    TableGrant("staff_calls", kiosk=("INSERT",), counter=RU, board=R),  # kiosks only raise
    # The web only inserts (no RETURNING): it never reads a pre-entry back. Whoever
    # purges (the kiosk, `data purge` on a counter PC) deletes the expired ones.
    TableGrant("pre_entries", kiosk=RUD, counter=RUD, web=("INSERT",)),
)


@dataclass(frozen=True)
class RoleRights:
    """What the connected user may do, compared with what ``role`` needs."""

    user: str
    role: AppRole
    missing: tuple[str, ...]
    """Privileges the role needs and the user lacks, e.g. "INSERT on visits"."""
    extra: tuple[str, ...]
    """Table privileges beyond the role's, e.g. "SELECT on visits" for the board."""
    ddl: tuple[str, ...]
    """Ways the user can change the schema, e.g. "owns table visits"; should be none."""


def grant_for(table: str) -> TableGrant | None:
    return next((g for g in GRANTS if g.table == table), None)


def quote(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote_identifier(name)


# -- applying the grants (the migration role, after migrating) --------------------


def missing_group_roles(conn: Connection) -> list[str]:
    """The group roles that do not exist on the server yet."""
    names = list(GROUP_ROLES.values())
    found = conn.execute(
        text("SELECT rolname FROM pg_roles WHERE rolname = ANY(:names)"), {"names": names}
    ).scalars()
    return sorted(set(names) - set(found))


def apply_grants(conn: Connection) -> list[str]:
    """Revoke, then grant exactly ``GRANTS``; returns the tables that have no grant line.

    Run by the schema owner inside the migration's transaction. Also takes CREATE on
    the schema and TEMPORARY/CONNECT on the database away from PUBLIC.
    """
    tables = _tables(conn)
    for statement in grant_statements(conn, tables, _sequences(conn)):
        conn.exec_driver_sql(statement)
    return sorted(t for t in tables if grant_for(t) is None)


def grant_statements(
    conn: Connection, tables: Iterable[str], sequences: dict[str, list[str]]
) -> list[str]:
    """The REVOKE and GRANT statements for the tables that exist."""
    groups = [quote(conn, GROUP_ROLES[r]) for r in APP_ROLES]
    everyone = ", ".join(["PUBLIC", *groups])
    schema = quote(conn, str(conn.scalar(text("SELECT current_schema()"))))
    database = quote(conn, str(conn.scalar(text("SELECT current_database()"))))
    statements = [
        f"REVOKE CREATE ON SCHEMA {schema} FROM {everyone}",
        f"REVOKE ALL ON DATABASE {database} FROM {everyone}",
        f"GRANT CONNECT ON DATABASE {database} TO {', '.join(groups)}",
        f"GRANT USAGE ON SCHEMA {schema} TO {', '.join(groups)}",
    ]
    for table in sorted(tables):
        grant = grant_for(table) or TableGrant(table)
        name = quote(conn, table)
        statements.append(f"REVOKE ALL ON TABLE {name} FROM {everyone}")
        for role in APP_ROLES:
            if grant.of(role):
                group = quote(conn, GROUP_ROLES[role])
                statements.append(f"GRANT {', '.join(grant.of(role))} ON TABLE {name} TO {group}")
        writers = [quote(conn, GROUP_ROLES[r]) for r in APP_ROLES if "INSERT" in grant.of(r)]
        for sequence in sequences.get(table, []):
            seq = quote(conn, sequence)
            statements.append(f"REVOKE ALL ON SEQUENCE {seq} FROM {everyone}")
            if writers:
                statements.append(f"GRANT USAGE ON SEQUENCE {seq} TO {', '.join(writers)}")
    return statements


def tables_not_owned(conn: Connection) -> list[str]:
    """Tables of the schema the connected user does not own (nor inherit ownership of)."""
    stmt = text(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
        "AND NOT pg_has_role(tableowner, 'USAGE') ORDER BY 1"
    )
    return list(conn.execute(stmt).scalars())


def current_user(conn: Connection) -> str:
    return str(conn.scalar(text("SELECT current_user")))


def _tables(conn: Connection) -> list[str]:
    stmt = text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    return list(conn.execute(stmt).scalars())


def _sequences(conn: Connection) -> dict[str, list[str]]:
    """Each table's own sequences (SERIAL and identity columns)."""
    stmt = text(
        "SELECT t.relname, s.relname FROM pg_class s "
        "JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass "
        "AND d.deptype IN ('a', 'i') "
        "JOIN pg_class t ON t.oid = d.refobjid "
        "WHERE s.relkind = 'S' AND s.relnamespace = current_schema()::regnamespace"
    )
    found: dict[str, list[str]] = {}
    for table, sequence in conn.execute(stmt):
        found.setdefault(table, []).append(sequence)
    return found


# -- creating the roles (IT, once per server) --------------------------------------


def create_role_statements(
    logins: Sequence[tuple[str, AppRole]], existing: Iterable[str] = ()
) -> list[str]:
    """CREATE ROLE for the group roles and the LOGIN roles ``(name, role)`` not in
    ``existing``, and each login's membership of its group. Login names are checked."""
    existing = set(existing)
    statements = [
        f'CREATE ROLE "{group}" NOLOGIN' for group in GROUP_ROLES.values() if group not in existing
    ]
    for name, role in logins:
        check_login_name(name)
        if name not in existing:
            statements.append(f'CREATE ROLE "{name}" LOGIN')
        statements.append(f'GRANT "{GROUP_ROLES[role]}" TO "{name}"')
    return statements


def existing_roles(conn: Connection) -> set[str]:
    return set(conn.execute(text("SELECT rolname FROM pg_roles")).scalars())


def check_login_name(name: str) -> None:
    if not _LOGIN_NAME.fullmatch(name) or name in GROUP_ROLES.values():
        raise ValueError(
            f"login role name {name!r} must be 1 to 63 lowercase letters, digits or '_', "
            "start with a letter or '_', and not be a group role's name"
        )


# -- checking the connected user (start-up and doctor) ----------------------------


def role_rights(conn: Connection, role: AppRole) -> RoleRights:
    """Compare the connected user's rights with ``role``'s grant lines."""
    wanted = {(g.table, p) for g in GRANTS for p in g.of(role)}
    checks = sorted(wanted | {(g.table, p) for g in GRANTS for p in TABLE_PRIVILEGES})
    held = _held(conn, checks)
    missing = [f"{p} on {t}" for t, p in checks if (t, p) in wanted and held.get((t, p)) is False]
    extra = [f"{p} on {t}" for t, p in checks if (t, p) not in wanted and held.get((t, p))]
    ddl = tuple(_ddl_rights(conn))
    return RoleRights(current_user(conn), role, tuple(missing), tuple(extra), ddl)


_HELD_SQL = text(
    "SELECT i, CASE WHEN c = '' THEN has_table_privilege(t, p) "
    "ELSE has_column_privilege(t, c, p) END "
    "FROM unnest(CAST(:t AS text[]), CAST(:p AS text[]), CAST(:c AS text[])) "
    "WITH ORDINALITY AS x(t, p, c, i) WHERE to_regclass(t) IS NOT NULL"
)

_DDL_SQL = text(
    "SELECT r.rolsuper, r.rolcreaterole, r.rolcreatedb, "
    "has_schema_privilege(current_schema(), 'CREATE'), "
    "has_database_privilege(current_database(), 'CREATE'), "
    "has_database_privilege(current_database(), 'TEMPORARY'), "
    "ARRAY(SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() "
    "AND pg_has_role(tableowner, 'USAGE') ORDER BY 1) "
    "FROM pg_roles r WHERE r.rolname = current_user"
)


def _held(conn: Connection, checks: Sequence[tuple[str, str]]) -> dict[tuple[str, str], bool]:
    """has_table_privilege (or has_column_privilege for "SELECT (id)") of each check, in
    one query; tables that do not exist are left out."""
    parts = [(t, *p.removesuffix(")").split(" (", 1)) for t, p in checks]
    params = {
        "t": [part[0] for part in parts],
        "p": [part[1] for part in parts],
        "c": [part[2] if len(part) > 2 else "" for part in parts],
    }
    rows = conn.execute(_HELD_SQL, params)
    return {checks[index - 1]: bool(has) for index, has in rows}


def _ddl_rights(conn: Connection) -> list[str]:
    superuser, create_role, create_db, schema, database, temp, owned = conn.execute(_DDL_SQL).one()
    flags = [
        (superuser, "is a superuser"),
        (create_role, "may create roles (CREATEROLE)"),
        (create_db, "may create databases (CREATEDB)"),
        (schema, "may create objects in the schema (CREATE)"),
        (database, "may create schemas in the database (CREATE)"),
        (temp, "may create temporary tables (TEMPORARY)"),
    ]
    found = [label for flag, label in flags if flag]
    return found + [f"owns table {table}" for table in owned]
