"""Where the data files (catalog, translations, forms, fonts, personas) live, and reading them.

Two layers, looked up file by file:

- the shipped files: the package ``kiosk_resources`` (the repository's ``resources/``
  folder, installed as package data and found through :mod:`importlib.resources`), or
  the source tree's ``resources/`` when that package is not installed; the variable
  ``WARD_KIOSK_RESOURCES`` replaces this layer with another complete folder;
- the ward's own files: ``kiosk.resources_dir`` (default ``/etc/ward-kiosk/resources``).
  A file there wins over the shipped file with the same relative path.
"""

from __future__ import annotations

import importlib.resources
import os
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

PACKAGE = "kiosk_resources"
"""The importable package the wheel installs ``resources/`` as."""
DEFAULT_WARD_DIR = Path("/etc/ward-kiosk/resources")
_SOURCE_TREE = Path(__file__).resolve().parent.parent / "resources"
_ward_dir: Path | None = DEFAULT_WARD_DIR


class TomlFileError(ValueError):
    """A TOML file that is not UTF-8 text or not valid TOML; the message names the file."""


class ResourcesNotFound(RuntimeError):
    """Neither the installed package nor the source tree holds the shipped resources."""


def use_ward_dir(folder: Path | str | None) -> None:
    """Take the ward's own files from ``folder`` from now on (None or "": none)."""
    global _ward_dir  # one setting for the process, made at start
    _ward_dir = Path(folder) if folder else None


def ward_dir() -> Path | None:
    """The folder of the ward's own files (it need not exist), or None."""
    return _ward_dir


def shipped_dir() -> Path:
    """The shipped resources folder: ``WARD_KIOSK_RESOURCES`` if set, else the package's."""
    override = os.environ.get("WARD_KIOSK_RESOURCES")
    return Path(override) if override else _package_dir()


resources_dir = shipped_dir  # the name earlier releases used


@cache
def _package_dir() -> Path:
    try:
        root = importlib.resources.files(PACKAGE)
    except (ModuleNotFoundError, NotADirectoryError):
        # Not installed, or installed editable (setuptools then puts a path hook that is
        # no folder into the package's path): this source tree's resources/ folder.
        return _checked(_SOURCE_TREE)
    # resources/ holds no __init__.py, so it is a namespace package; a child of it is
    # a plain path when the package is installed as files (as pip installs wheels).
    child = root.joinpath("catalog")
    if isinstance(child, Path):
        return _checked(child.parent)
    raise ResourcesNotFound(
        f"the package {PACKAGE} is not installed as plain files ({child!r}); "
        "reinstall ward-kiosk with pip"
    )


def _checked(folder: Path) -> Path:
    if not (folder / "catalog").is_dir():
        raise ResourcesNotFound(
            f"no shipped resources in {folder}: reinstall ward-kiosk "
            "(or set WARD_KIOSK_RESOURCES to a complete resources folder)"
        )
    return folder


def resource(*parts: str) -> Path:
    """Path of one file below the resources: the ward's own if it has it, else the shipped one.

    A folder is always the shipped one; list a folder with :func:`resource_files`.
    """
    if _ward_dir is not None:
        own = _ward_dir.joinpath(*parts)
        if own.is_file():
            return own
    return shipped_dir().joinpath(*parts)


def resource_files(*folder: str, pattern: str = "*.toml") -> list[Path]:
    """The files matching ``pattern`` below ``folder`` in both layers, the ward's winning.

    Sorted by their path relative to ``folder``.
    """
    found: dict[str, Path] = {}
    layers = [shipped_dir(), *([_ward_dir] if _ward_dir is not None else [])]
    for layer in layers:
        base = layer.joinpath(*folder)
        if base.is_dir():
            for path in base.glob(pattern):
                if path.is_file():
                    found[path.relative_to(base).as_posix()] = path
    return [found[name] for name in sorted(found)]


def files_in(folder: Path | None, parts: tuple[str, ...], pattern: str = "*.toml") -> list[Path]:
    """``pattern`` in ``folder`` when one is given, else in both layers at ``parts``."""
    if folder is not None:
        return sorted(p for p in folder.glob(pattern) if p.is_file())
    return resource_files(*parts, pattern=pattern)


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
