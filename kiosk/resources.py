"""Where the data files (catalog, translations, fonts, personas) live, and reading them."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

_REPO_RESOURCES = Path(__file__).resolve().parent.parent / "resources"


class TomlFileError(ValueError):
    """A TOML file that is not UTF-8 text or not valid TOML; the message names the file."""


def resources_dir() -> Path:
    """The resources folder: ``WARD_KIOSK_RESOURCES`` if set, else the one beside the package."""
    override = os.environ.get("WARD_KIOSK_RESOURCES")
    return Path(override) if override else _REPO_RESOURCES


def resource(*parts: str) -> Path:
    """Path of one file or folder below the resources folder."""
    return resources_dir().joinpath(*parts)


def read_toml(path: Path) -> dict[str, Any]:
    """One TOML file; TomlFileError (naming it) when it is not UTF-8 or not valid TOML.

    A missing or unreadable file raises OSError as ``open`` does.
    """
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise TomlFileError(
            f"{path}: not UTF-8 text (byte {e.start} is 0x{data[e.start]:02x}): save it as UTF-8"
        ) from None
    try:
        return tomllib.loads(text.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError as e:
        raise TomlFileError(f"{path}: not valid TOML: {e}") from None
