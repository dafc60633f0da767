"""Where the data files (catalog, translations, fonts, personas) live."""

from __future__ import annotations

import os
from pathlib import Path

_REPO_RESOURCES = Path(__file__).resolve().parent.parent / "resources"


def resources_dir() -> Path:
    """The resources folder: ``WARD_KIOSK_RESOURCES`` if set, else the one beside the package."""
    override = os.environ.get("WARD_KIOSK_RESOURCES")
    return Path(override) if override else _REPO_RESOURCES


def resource(*parts: str) -> Path:
    """Path of one file or folder below the resources folder."""
    return resources_dir().joinpath(*parts)
