"""``ward-kiosk doctor --production``: the rules a kiosk visitors use must meet.

Each rule is one check named ``production: …``, an error with what to do when it is
broken. Without ``--production`` none of them runs (some are warnings in the normal
checks, e.g. the folder printer). The rules, as documented in docs/operations.md:

- ``kiosk id``: not the default ``kiosk-1`` (kiosks would overwrite each other's heartbeat).
- ``ward name``: not the demo ward's name (it is printed on every form).
- ``folder printer``: ``printing.folder_printer`` off (its PDFs hold personal data).
- ``virtual reader``: ``card.allow_virtual_reader`` off, no virtual reader listed by pcscd
  and no ``vsmartcard-vpcd`` package installed.
- ``database``: SQLite only where no other PC needs the data. Counters are always
  configured (the defaults have four and the catalog sends visitors to them), so SQLite is
  an error when ``[counters]`` has more than one counter, ``[database] role`` is counter
  or board, or ``[counter_app] counter`` is set: counter PCs and the board cannot reach a
  SQLite file on a kiosk.
- ``time zone``: the machine's local zone (``TZ``, else ``/etc/localtime``) keeps the same
  time as ``[ward] time_zone``: ticket numbering and service days follow the local day.
- ``speech models``: every offered language (``kiosk.languages``) has a speech model.
- ``CUPS job files``: cupsd.conf says ``PreserveJobFiles No`` (CUPS keeps files a day
  by default); the file is ``$WARD_KIOSK_CUPSD_CONF``, else ``/etc/cups/cupsd.conf``.
- ``ward key``: this PC's ward key is the database's current one (both fingerprints named).
- ``config file``: the settings file is not readable by others, and readable by its group
  only when the group is the service's (``ward-kiosk``, else the group doctor runs as).
"""

from __future__ import annotations

import grp
import os
import shutil
import stat
import subprocess
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kiosk.config import (
    CONFIG_ENV,
    KioskSettings,
    Settings,
    WardSettings,
    default_config_file,
)
from kiosk.doctor import Check, error, ok, warning

PREFIX = "production: "
CUPSD_CONF_ENV = "WARD_KIOSK_CUPSD_CONF"
CUPSD_CONF = Path("/etc/cups/cupsd.conf")
LOCALTIME = Path("/etc/localtime")
SERVICE_GROUP = "ward-kiosk"
VIRTUAL_READER_PACKAGES = ("vsmartcard-vpcd",)
_RESTART_CUPS = "systemctl restart cups"


def production_checks(
    settings: Settings,
    config_file: Path | None = None,
    *,
    environ: Mapping[str, str] | None = None,
) -> list[Check]:
    """Every production rule, in the order printed (see the module's docstring)."""
    env = os.environ if environ is None else environ
    return [
        kiosk_id_check(settings),
        ward_name_check(settings),
        folder_printer_check(settings),
        virtual_reader_check(settings),
        database_check(settings),
        time_zone_check(settings, local_zone_name(env)),
        speech_models_check(settings),
        cups_job_files_check(cupsd_conf_path(env), settings.printing.cups_server),
        ward_key_check(settings),
        config_file_check(settings_files(config_file, env)),
    ]


def production_unchecked() -> Check:
    """The one production check when the settings do not load."""
    detail = "the production rules were not checked: the settings do not load"
    return error(PREFIX + "settings", detail, "fix the settings (see the settings check)")


def summary_note(checks: Sequence[Check]) -> str:
    """What the table's summary adds when the production rules ran ("" when they did not)."""
    rules = [c for c in checks if c.check.startswith(PREFIX)]
    if not rules:
        return ""
    broken = sum(c.status == "error" for c in rules)
    return f"production rules checked: {len(rules) - broken} of {len(rules)} met"


# -- settings ----------------------------------------------------------------------


def kiosk_id_check(settings: Settings) -> Check:
    name = PREFIX + "kiosk id"
    default = KioskSettings.model_fields["id"].default
    if settings.kiosk.id == default:
        detail = f"kiosk.id is the default {default!r}: kiosks overwrite each other's heartbeat"
        return error(name, detail, "set [kiosk] id to a name unique in the ward, e.g. 1f-east")
    return ok(name, f"kiosk.id is {settings.kiosk.id!r}")


def ward_name_check(settings: Settings) -> Check:
    name = PREFIX + "ward name"
    default = WardSettings.model_fields["name"].default
    if settings.ward.name == default:
        detail = f"[ward] name is the demo ward {default!r}, printed on every form"
        return error(name, detail, "set [ward] name (and [ward.names]) to the ward office's name")
    return ok(name, f"[ward] name is {settings.ward.name!r}")


def folder_printer_check(settings: Settings) -> Check:
    name = PREFIX + "folder printer"
    if settings.printing.folder_printer:
        detail = (
            f"printing.folder_printer is on: PDFs with personal data go to {settings.output_dir()}"
        )
        return error(name, detail, "set printing.folder_printer = false and a CUPS forms_printer")
    return ok(name, "printing.folder_printer is off")


def virtual_reader_check(
    settings: Settings,
    readers: Callable[[], list[str]] | None = None,
    packages: Callable[[], list[str]] | None = None,
) -> Check:
    """Virtual readers neither allowed nor installed (``readers``/``packages`` for tests)."""
    name = PREFIX + "virtual reader"
    purge = "sudo apt-get purge vsmartcard-vpcd && sudo systemctl restart pcscd"
    if settings.card.allow_virtual_reader:
        detail = "card.allow_virtual_reader is on: a program on the network could be the card"
        return error(name, detail, "set card.allow_virtual_reader = false")
    listed = (readers or _virtual_readers)()
    installed = (packages or installed_virtual_reader_packages)()
    if listed or installed:
        found = ", ".join([*listed, *installed])
        return error(name, f"virtual card reader installed: {found}", f"remove it: {purge}")
    return ok(name, "virtual readers are refused and none is installed")


def _virtual_readers() -> list[str]:
    try:
        from kiosk.card import pcsc
        from kiosk.card.errors import CardError
        from kiosk.card.readers import is_virtual_reader
    except ModuleNotFoundError:  # no card libraries (a board or counter PC): no reader serves
        return []
    try:
        return [r for r in pcsc.list_readers() if is_virtual_reader(r)]
    except CardError:
        return []  # pcscd is down: the card reader check says so


def installed_virtual_reader_packages() -> list[str]:
    """The virtual reader packages dpkg lists as installed (none without dpkg)."""
    dpkg = shutil.which("dpkg-query")
    if dpkg is None:
        return []
    found = []
    for package in VIRTUAL_READER_PACKAGES:
        done = subprocess.run(  # noqa: S603 - dpkg-query, a fixed package name
            [dpkg, "-W", "-f=${Status}", package],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        if done.returncode == 0 and done.stdout.strip().endswith(" installed"):
            found.append(f"package {package}")
    return found


def database_check(settings: Settings) -> Check:
    name = PREFIX + "database"
    if not settings.database_url().startswith("sqlite"):
        return ok(name, "a database server shared by the ward's PCs")
    reasons = []
    if len(settings.counters) > 1:
        reasons.append(f"{len(settings.counters)} counters are configured")
    if settings.database.role in ("counter", "board"):
        reasons.append(f"[database] role is {settings.database.role}")
    if settings.counter_app.counter:
        reasons.append(f"[counter_app] counter is {settings.counter_app.counter!r}")
    if reasons:
        detail = f"SQLite, but {'; '.join(reasons)}: other PCs cannot reach a SQLite file"
        action = "set [database] url to the ward's PostgreSQL server (docs/storage.md)"
        return error(name, detail, action)
    return ok(name, "SQLite with one counter and no counter app or board on this PC")


# -- the clock ---------------------------------------------------------------------


def local_zone_name(environ: Mapping[str, str], localtime: Path = LOCALTIME) -> str | None:
    """The machine's local zone as a tz name: ``TZ``, else where /etc/localtime points."""
    tz = environ.get("TZ", "").removeprefix(":")
    if tz:
        return tz.split("zoneinfo/", 1)[-1]
    try:
        target = str(localtime.resolve(strict=True))
    except OSError:
        return None
    return target.split("zoneinfo/", 1)[1] if "zoneinfo/" in target else None


def time_zone_check(settings: Settings, local: str | None, year: int | None = None) -> Check:
    """The local zone keeps the ward's time on the 1st and 15th of every month of the year."""
    name = PREFIX + "time zone"
    ward = settings.ward.time_zone
    action = f"set the machine's zone: sudo timedatectl set-timezone {ward}"
    if local is None:
        return error(name, "the machine's time zone is unknown (no TZ, no /etc/localtime)", action)
    try:
        zone = ZoneInfo(local)
    except (ZoneInfoNotFoundError, ValueError):
        return error(name, f"the machine's time zone {local!r} is not a known zone", action)
    year = year or datetime.now(UTC).year
    instants = [datetime(year, m, d, tzinfo=UTC) for m in range(1, 13) for d in (1, 15)]
    ward_zone = ZoneInfo(ward)
    if any(t.astimezone(zone).utcoffset() != t.astimezone(ward_zone).utcoffset() for t in instants):
        offset = datetime.now(UTC).astimezone(zone).utcoffset() or timedelta()
        detail = (
            f"the machine runs on {local} (UTC{_hours(offset)}), the ward on {ward}:"
            " ticket numbers and service days would change at the wrong hour"
        )
        return error(name, detail, action + " (or fix [ward] time_zone)")
    return ok(name, f"the machine runs on {local}, the ward's time ({ward})")


def _hours(offset: timedelta) -> str:
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


# -- speech ------------------------------------------------------------------------


def speech_models_check(settings: Settings) -> Check:
    """Each offered language has a model folder (loading it is ``speech model (…)``'s job)."""
    from kiosk.speech.models import LAYOUT, model_sources

    name = PREFIX + "speech models"
    try:
        sources = model_sources(settings)
    except OSError as e:
        return error(name, f"{settings.speech_model_dir()}: {e}", "fix speech.model_dir")
    missing = [
        language
        for language in settings.kiosk.languages
        if language not in sources or not all((sources[language][0] / d).is_dir() for d in LAYOUT)
    ]
    if missing:
        detail = f"no speech model for {', '.join(missing)}: visitors cannot answer by voice"
        action = f"ward-kiosk models install --lang {missing[0]} FILE.zip (each language)"
        return error(name, detail, action)
    return ok(name, f"a model for every offered language: {', '.join(settings.kiosk.languages)}")


# -- CUPS --------------------------------------------------------------------------


def cupsd_conf_path(environ: Mapping[str, str]) -> Path:
    return Path(environ.get(CUPSD_CONF_ENV) or CUPSD_CONF)


def preserve_job_files(text: str) -> str | None:
    """The value of the last ``PreserveJobFiles`` line of a cupsd.conf, None without one."""
    value = None
    for line in text.splitlines():
        words = line.split("#", 1)[0].split()
        if len(words) >= 2 and words[0].lower() == "preservejobfiles":
            value = words[1]
    return value


def cups_job_files_check(conf: Path, cups_server: str = "") -> Check:
    name = PREFIX + "CUPS job files"
    fix = f"sudo bash installer/debian/cups-privacy.sh {conf} && sudo {_RESTART_CUPS}"
    if cups_server:
        detail = f"CUPS runs on {cups_server}: its cupsd.conf is not checked from here"
        return warning(name, detail, f"check PreserveJobFiles No on {cups_server}")
    try:
        text = conf.read_text(encoding="utf-8", errors="replace")
    except OSError as e:
        detail = f"cannot read {conf}: {e.strerror}"
        return error(name, detail, f"run doctor as root, or install CUPS; then: {fix}")
    value = preserve_job_files(text)
    if value is not None and value.lower() in ("no", "off", "false", "0"):
        return ok(name, f"{conf}: PreserveJobFiles {value}")
    kept = f"PreserveJobFiles {value}" if value else "no PreserveJobFiles line (CUPS keeps a day)"
    return error(name, f"{conf}: {kept}: printed forms stay in the spool", fix)


# -- the ward key ------------------------------------------------------------------


def ward_key_check(settings: Settings) -> Check:
    """This PC's ward key against the database's current one, both fingerprints named."""
    from kiosk.storage import StorageError
    from kiosk.storage.ward_keys import WardKeyMismatch
    from kiosk.ward_keys import open_store, role_of_this_pc

    name = PREFIX + "ward key"
    role = role_of_this_pc(settings)
    key_file = settings.private_key_file() if role == "counter" else settings.public_key_file()
    try:
        store = open_store(settings, role)
        fingerprint = store.keyring.fingerprint
        store.close()
    except WardKeyMismatch as e:
        detail = f"{key_file} holds key {e.this_pc}, the database's current key is {e.current}"
        if not e.this_pc:  # refused for another reason: the message says which
            detail = f"{key_file}: {e}"
        action = f"copy the ward's current key to {key_file} (ward-kiosk key export-public)"
        return error(name, detail, action)
    except StorageError as e:
        return error(name, f"{e.code}: the key cannot be compared", "see the database check")
    return ok(name, f"{key_file} is the database's current ward key {fingerprint}")


# -- the settings file -------------------------------------------------------------


def settings_files(config_file: Path | None, environ: Mapping[str, str]) -> list[Path]:
    """The settings file ``load_settings`` picks and the ``config.d/*.toml`` drop-ins
    beside it, in name order (none: defaults and environment only)."""
    path = config_file
    if path is None and environ.get(CONFIG_ENV):
        path = Path(environ[CONFIG_ENV])
    if path is None:
        default = default_config_file()
        path = default if default.is_file() else None
    if path is None:
        return []
    return [path, *sorted((path.parent / "config.d").glob("*.toml"))]


def service_gid() -> int:
    """The ``ward-kiosk`` group where it exists, else the group doctor runs as."""
    try:
        return grp.getgrnam(SERVICE_GROUP).gr_gid
    except KeyError:
        return os.getegid()


def config_file_check(paths: Sequence[Path], gid: int | None = None) -> Check:
    """Each settings file readable by its owner and the service's group only."""
    name = PREFIX + "config file"
    if not paths:
        return ok(name, "no settings file: defaults and environment only")
    gid = service_gid() if gid is None else gid
    for path in paths:
        problem = _readable_by_others(path, gid)
        if problem is not None:
            return error(name, *problem)
    files = ", ".join(str(p) for p in paths)
    return ok(name, f"{files}: readable by the owner and the service's group only")


def _readable_by_others(path: Path, gid: int) -> tuple[str, str] | None:
    """What is wrong with ``path``'s rights and what to do, or None."""
    try:
        st = path.stat()
    except OSError as e:
        return f"{path}: {e.strerror}", "name an existing settings file"
    mode = stat.S_IMODE(st.st_mode)
    if mode & 0o007:
        return f"{path} (mode {mode:o}) is readable by every user of this PC", f"chmod o-rwx {path}"
    if mode & 0o070 and st.st_gid != gid:
        detail = f"{path} (mode {mode:o}) is readable by group {_group_name(st.st_gid)}"
        return (
            detail + ", not the service's",
            f"chgrp {_group_name(gid)} {path} or chmod g-rwx {path}",
        )
    return None


def _group_name(gid: int) -> str:
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)
