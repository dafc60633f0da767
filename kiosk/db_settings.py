"""The ``[database]`` settings turned into connection targets, and shown without passwords."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kiosk.config import Settings
from kiosk.storage.database import DatabaseTarget
from kiosk.storage.roles import AppRole

HIDDEN = "(not shown: not a valid database URL)"


def database_target(settings: Settings, role: AppRole | None) -> DatabaseTarget:
    """The target a process in ``role`` connects to; ``[database] role``, when set, wins."""
    db = settings.database
    return DatabaseTarget.parse(
        settings.database_url(),
        password_file=Path(db.password_file) if db.password_file else None,
        role=db.role or role,
        connect_timeout_s=db.connect_timeout_seconds,
        statement_timeout_s=db.statement_timeout_seconds,
        allow_insecure=db.allow_insecure,
        migrate_sqlite=db.migrate_at_start,
    )


def migration_target(
    settings: Settings, url: str | None = None, password_file: Path | None = None
) -> DatabaseTarget:
    """What ``db upgrade`` connects to: ``url``, else ``migration_url``, else ``url``.

    The password comes from ``password_file``, else the file set for the URL taken.
    No statement timeout: a migration may take long.
    """
    db = settings.database
    if url is None and db.migration_url:
        url, configured = db.migration_url, db.migration_password_file
    elif url is None:
        url, configured = settings.database_url(), db.password_file
    else:
        configured = ""
    if password_file is None and configured:
        password_file = Path(configured)
    return DatabaseTarget.parse(
        url,
        password_file=password_file,
        connect_timeout_s=db.connect_timeout_seconds,
        statement_timeout_s=None,
        allow_insecure=db.allow_insecure,
    )


def hide_password(url: str) -> str:
    """``url`` with its password as ``***``; a URL that does not parse is not shown at all."""
    from sqlalchemy import make_url
    from sqlalchemy.exc import ArgumentError

    if not url:
        return url
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return HIDDEN


def settings_for_display(settings: Settings) -> dict[str, Any]:
    """``settings`` as JSON-ready data with the database URLs' passwords hidden."""
    data = settings.model_dump(mode="json")
    database = data["database"]
    for key in ("url", "migration_url"):
        database[key] = hide_password(database[key])
    return data
