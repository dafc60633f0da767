"""Manifests of official Vosk models: the sha256 of each file, checked when IT installs one.

A manifest is ``resources/speech/manifests/<model name>.sha256`` in the format that
``sha256sum -c`` reads (``<sha256>  <path below the model folder>``). Lines starting
with ``#`` are comments; ``# language: ja`` says which language the model is for.
Adding an official model is adding its manifest file.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from kiosk.resources import resource
from kiosk.speech.errors import ModelInstallError

SUFFIX = ".sha256"
MARKER = ".verified"
"""File in an installed model folder naming the manifest it was checked against."""
SHOWN = 5
"""How many wrong or missing files a refusal names."""

_LINE = re.compile(r"([0-9a-fA-F]{64}) [ *](.+)")
_LANGUAGE = re.compile(r"#\s*language:\s*(\S+)\s*")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass(frozen=True)
class Manifest:
    """An official model: its name, its language if declared, and path -> sha256 of each file."""

    name: str
    language: str | None
    files: Mapping[str, str]


def manifests_dir() -> Path:
    """The shipped manifests."""
    return resource("speech", "manifests")


def read_manifest(path: Path) -> Manifest:
    """Parse one manifest; "bad_manifest" when a line is not ``<sha256>  <relative path>``."""
    files: dict[str, str] = {}
    language = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            declared = _LANGUAGE.fullmatch(line)
            language = declared.group(1) if declared else language
            continue
        match = _LINE.fullmatch(line)
        if match is None or not _relative(match.group(2)):
            raise ModelInstallError(
                f"{path}:{number}: not '<sha256>  <relative path>'; fix or remove the manifest",
                "bad_manifest",
            )
        files[match.group(2)] = match.group(1).lower()
    if not files:
        raise ModelInstallError(f"{path}: lists no files; fix or remove it", "bad_manifest")
    return Manifest(path.name.removesuffix(SUFFIX), language, files)


def _relative(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and "\\" not in name


def find_manifest(names: Iterable[str], folder: Path | None = None) -> Manifest | None:
    """The manifest of the first of ``names`` that is a known official model, if any."""
    folder = folder if folder is not None else manifests_dir()
    for name in names:
        path = folder / f"{name}{SUFFIX}"
        if _NAME.fullmatch(name) and path.is_file():
            return read_manifest(path)
    return None


def check_language(manifest: Manifest, language: str) -> None:
    """Refuse installing a model for another language than the manifest declares."""
    if manifest.language is not None and manifest.language != language:
        raise ModelInstallError(
            f"{manifest.name} is the model for language {manifest.language!r}, not"
            f" {language!r}: install it with --lang {manifest.language}",
            "language_mismatch",
        )


def check_listing(manifest: Manifest, names: Collection[str]) -> None:
    """Refuse an archive whose files are not exactly the manifest's (before unpacking)."""
    missing = sorted(manifest.files.keys() - set(names))
    extra = sorted(set(names) - manifest.files.keys())
    _refuse(manifest, [f"missing {n}" for n in missing] + [f"not in it: {n}" for n in extra])


def check_hashes(manifest: Manifest, hashes: Mapping[str, str]) -> None:
    """Refuse files whose sha256 is not the manifest's (after unpacking, before use)."""
    changed = sorted(n for n, digest in manifest.files.items() if hashes.get(n) != digest)
    _refuse(manifest, [f"changed {n}" for n in changed])


def _refuse(manifest: Manifest, problems: list[str]) -> None:
    if not problems:
        return
    shown = ", ".join(problems[:SHOWN])
    if len(problems) > SHOWN:
        shown += f" and {len(problems) - SHOWN} more"
    raise ModelInstallError(
        f"the archive is not the official {manifest.name} ({shown}): get the official"
        " archive again; do not install a changed model",
        "manifest_mismatch",
    )


def write_marker(folder: Path, manifest: Manifest) -> None:
    """Record in a model folder which manifest its files were checked against."""
    (folder / MARKER).write_text(f"{manifest.name}\n", encoding="utf-8")


def verified_as(folder: Path) -> str | None:
    """The manifest an installed model was checked against when installed, if any."""
    try:
        name = (folder / MARKER).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return name if _NAME.fullmatch(name) else None
