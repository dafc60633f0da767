"""Kiosk settings: a TOML file and its drop-ins, environment overrides, checked at start.

Every key has a documented default (``resources/config/example.toml`` shows
them all), so an empty file is a working demo configuration. The files
``config.d/*.toml`` beside the settings file are read after it in name order,
tables merged key by key. Any key can be overridden with
``WARD_KIOSK_<SECTION>_<KEY>``, e.g. ``WARD_KIOSK_DATABASE_URL``.

A PC where the Debian package installed ``/etc/ward-kiosk/config.toml`` uses the
system layout: that file, data in ``/var/lib/ward-kiosk``, keys in ``/etc/ward-kiosk``.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.fields import FieldInfo

APP_NAME = "ward-kiosk"
ENV_PREFIX = "WARD_KIOSK_"
CONFIG_ENV = "WARD_KIOSK_CONFIG"
# Variables with the prefix that are not settings: the settings file itself, the
# log level (needed before settings are read), the resources folder and the cupsd.conf
# `doctor --production` reads.
PROCESS_ENV = {CONFIG_ENV, "WARD_KIOSK_LOG_LEVEL", "WARD_KIOSK_RESOURCES", "WARD_KIOSK_CUPSD_CONF"}


class ConfigError(ValueError):
    """The configuration cannot be used; the message names the file and the key."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WardSettings(_Section):
    name: str = Field("大阪市デモ区役所", min_length=1)
    """The ward office's name in Japanese, as printed on forms."""
    names: dict[str, str] = Field(default_factory=lambda: {"en": "Demo Ward Office, Osaka City"})
    """The name in other languages, by language code; Japanese is used where missing."""

    addressee: str = ""
    """Whom forms are addressed to, e.g. 大阪市北区長; empty derives it from ``name``."""
    time_zone: str = "Asia/Tokyo"
    """The ward's time zone (IANA name); ``doctor --production`` checks that the PC's
    local zone keeps this time, since numbering and service days follow the local day."""

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, v: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{v!r} is not a time zone name such as Asia/Tokyo") from None
        return v

    def form_addressee(self) -> str:
        if self.addressee:
            return self.addressee
        return self.name.removesuffix("役所") + "長" if self.name.endswith("役所") else self.name

    def name_in(self, language: str) -> str:
        return self.names.get(language, self.name)


# The languages of Osaka's largest groups of residents, each named in its own script on the
# welcome screen (docs/languages.md).
DEFAULT_LANGUAGES = ("ja", "ja-easy", "en", "zh-Hans", "ko", "vi", "ne", "fil", "id", "pt-BR")


class KioskSettings(_Section):
    id: str = Field("kiosk-1", min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    languages: list[str] = Field(default_factory=lambda: list(DEFAULT_LANGUAGES), min_length=1)
    """Languages offered on the welcome screen, in order; each needs resources/i18n/<code>/."""
    idle_timeout_seconds: int = Field(60, ge=10, le=3600)
    """Seconds without a touch before the kiosk asks "Do you need more time?"."""
    idle_warning_seconds: int = Field(30, ge=20, le=600)
    """How long that question waits for an answer (at least 20 s for accessibility)."""
    done_screen_seconds: int = Field(30, ge=5, le=600)
    fullscreen: bool = True
    personal_data_retention_days: int = Field(7, ge=0, le=365)
    """Days after a visit when its card data is deleted from the database."""
    heartbeat_seconds: int = Field(60, ge=10, le=3600)
    """How often the kiosk records its health (card reader, printers, speech models) in
    the database, for the counter app; silent for three intervals counts as down."""
    busy_deadline_seconds: float = Field(20, ge=1, le=300)
    """The longest the "Printing…" screen waits for the database (storing the visit,
    issuing the ticket); past it the visitor is sent to staff, the visit kept. Once the
    forms are with the printer it waits up to ``printing.job_timeout_seconds`` more."""
    screen_diagonal_inches: float = Field(0, ge=0, le=100)
    """The visitor screen's diagonal, e.g. 21.5: sizes on screen are in millimetres,
    the 19" 1280×1024 screen's pixels scaled to this one. 0: the physical size the
    screen reports to Qt (its EDID)."""
    resources_dir: str = "/etc/ward-kiosk/resources"
    """The ward's own catalog, forms and translations: a file here wins over the shipped
    file with the same path below ``resources/``; a folder that does not exist adds none."""

    @field_validator("languages", mode="before")
    @classmethod
    def _comma_list(cls, v: object) -> object:
        return [part.strip() for part in v.split(",") if part.strip()] if isinstance(v, str) else v


class DatabaseSettings(_Section):
    url: str = ""
    """SQLAlchemy URL; empty means SQLite in the user's data directory. A PostgreSQL server
    on another machine needs ``sslmode=verify-full`` in the URL (or ``allow_insecure``)."""
    password_file: str = ""
    """File holding the password for ``url`` (owner-only, not a symlink); empty: the
    password in the URL, or libpq's own (~/.pgpass)."""
    role: Literal["", "kiosk", "counter", "board", "web"] = ""
    """The role this PC's database user belongs to (PostgreSQL): its rights are checked
    at start and by ``doctor``; empty: taken from the command (run, counter, board, web)."""
    migration_url: str = ""
    """The URL ``ward-kiosk db upgrade`` connects with: the migration role, owner of the
    schema (PostgreSQL); empty means ``url``."""
    migration_password_file: str = ""
    """File holding the password for ``migration_url``, like ``password_file``."""
    allow_insecure: bool = False
    """Accept a PostgreSQL server on another machine without verified TLS: only where IT
    protects the network otherwise (``doctor`` warns)."""
    migrate_at_start: bool = True
    """SQLite only: bring the schema up to date when a program starts (the demo, a one-PC
    kiosk); false: only ``ward-kiosk db upgrade`` does. PostgreSQL never migrates at start."""
    connect_timeout_seconds: int = Field(5, ge=2, le=120)
    """How long to wait for the PostgreSQL server to accept a connection."""
    statement_timeout_seconds: int = Field(10, ge=1, le=3600)
    """The longest one PostgreSQL statement may run before the server cancels it."""
    private_key_file: str = ""
    """The ward private key (counter PCs only); empty means ``<config dir>/ward-key.pem``."""
    public_key_file: str = ""
    """The ward public key (kiosks); empty means ``<config dir>/ward-key.pub.pem``."""
    key_file: str = ""
    """The symmetric key of releases before the ward key pair, used only to read rows
    stored then until they expire; empty means ``<config dir>/data.key`` if it exists."""


EscposConnection = Literal["", "network", "usb", "serial"]


class EscposSettings(_Section):
    """A receipt printer spoken to in ESC/POS; ``connection`` empty means none."""

    connection: EscposConnection = ""
    """How the receipt printer is reached: network, usb, serial, or empty (PDF tickets)."""
    host: str = ""
    """Network: the printer's host name or IP address."""
    port: int = Field(9100, ge=1, le=65535)
    """Network: the raw printing port (9100 on nearly every receipt printer)."""
    usb_vendor: int = Field(0, ge=0, le=0xFFFF)
    """USB: vendor id, e.g. 0x04b8 (lsusb shows it as 04b8:0202)."""
    usb_product: int = Field(0, ge=0, le=0xFFFF)
    """USB: product id, e.g. 0x0202."""
    usb_in_endpoint: int = Field(0x82, ge=0x80, le=0x8F)
    """USB: the endpoint status answers come from (lsusb -v: EP 2 IN is 0x82)."""
    usb_out_endpoint: int = Field(0x01, ge=0x01, le=0x0F)
    """USB: the endpoint print data goes to (lsusb -v: EP 1 OUT is 0x01)."""
    serial_device: str = ""
    """Serial: the device file, e.g. /dev/ttyS0 or /dev/ttyUSB0."""
    baudrate: int = Field(9600, ge=1200, le=921600)
    """Serial: the speed set on the printer (its self-test page shows it)."""
    timeout_seconds: float = Field(10.0, gt=0, le=120)
    """How long to wait for the printer to connect or take the data."""
    width_dots: int = Field(576, ge=256, le=1024)
    """Printable width in dots: 576 for 80 mm paper at 203 dpi, 512 on some models."""

    @field_validator(
        "usb_vendor", "usb_product", "usb_in_endpoint", "usb_out_endpoint", mode="before"
    )
    @classmethod
    def _hex_id(cls, v: object) -> object:
        """USB ids are hex: 0x04b8 in TOML; "0x04b8" or "04b8" as a string (lsusb's form)."""
        return int(v, 16) if isinstance(v, str) and v.strip() else v

    @model_validator(mode="after")
    def _connection_is_complete(self) -> EscposSettings:
        needed = {
            "network": ("host",),
            "usb": ("usb_vendor", "usb_product"),
            "serial": ("serial_device",),
        }.get(self.connection, ())
        missing = [key for key in needed if not getattr(self, key)]
        if missing:
            raise ValueError(f"connection = {self.connection!r} needs {', '.join(missing)}")
        return self


class PrintingSettings(_Section):
    forms_printer: str = ""
    """CUPS queue for forms; required unless ``folder_printer`` is on."""
    ticket_printer: str = ""
    """CUPS queue for PDF tickets (or ``[printing.escpos]``); without either, the ticket
    is shown on screen only, or written to ``output_dir`` when ``folder_printer`` is on."""
    cups_server: str = ""
    output_dir: str = ""
    """Where the folder printer writes PDFs; empty means ``<data dir>/printed``."""
    folder_printer: bool = False
    """Write forms and tickets as PDF files to ``output_dir`` when no queue is set: for
    demos and tests only (on in demo mode), since the files hold personal data. Off, a
    missing queue is an error (``doctor``) and the visitor is sent to staff."""
    job_timeout_seconds: float = Field(60, ge=5, le=600)
    """How long the kiosk follows a CUPS job before telling the visitor staff will print."""
    escpos: EscposSettings = EscposSettings()
    """A receipt printer for tickets; when set, tickets go there instead of ``ticket_printer``."""


class CardSettings(_Section):
    reader: str = ""
    """Part of the card reader's name (case-insensitive), e.g. "ACS ACR39U". Required on a
    kiosk visitors use; empty takes any reader only where virtual readers are allowed."""
    allow_virtual_reader: bool = False
    """Let a virtual reader (vsmartcard's "Virtual PCD") serve: demo mode and the tests only.
    Off, such readers are refused before anything, a PIN least of all, is sent to them."""

    def reader_name(self) -> str | None:
        """``reader`` without surrounding spaces, None when empty."""
        return self.reader.strip() or None


class VoiceSettings(_Section):
    engine: Literal["auto", "openjtalk", "pyttsx3"] = "auto"
    """Which speech engine: "auto" is Open JTalk for Japanese where it is installed, and
    pyttsx3 (SAPI5 on Windows, espeak-ng elsewhere) for every other language."""
    voice: str = ""
    """pyttsx3 voice id; empty picks one for the language."""
    rate: int = Field(150, ge=60, le=400)
    """Words per minute."""
    volume: float = Field(0.9, ge=0.0, le=1.0)
    """Volume every visit starts at."""
    pitch: float = Field(0.0, ge=-12.0, le=12.0)
    """Pitch in semitones above (or below) the voice's own."""


class SpeechSettings(_Section):
    models: dict[str, str] = Field(default_factory=dict)
    """Vosk model folder per language code; a language without one hides the Speak button."""
    model_dir: str = ""
    """Where `ward-kiosk models install` puts models; empty means ``<data dir>/models``."""
    model_max_mb: int = Field(2048, ge=1, le=65536)
    """The largest model `models install` takes, in MiB: the zip file, and its files
    unpacked (as declared in the zip and as actually read)."""
    listen_on_every_screen: bool = False
    """Listen whenever a choice screen is shown, not only after Speak is touched."""
    read_aloud: bool = True
    """Read every screen aloud in the visitor's language."""
    headphones: bool = False
    """The kiosk's sound goes to a handset or headphones only the visitor hears: then
    name, address and dates are read aloud with the rest. Otherwise they are read
    only when the visitor touches "Read my details aloud"."""
    voices: dict[str, VoiceSettings] = Field(default_factory=dict)
    """Voice, rate and volume per language code."""


class CounterSettings(_Section):
    number: str = Field(min_length=1)
    """What the counter is called on signs, e.g. "3" for counter 3."""
    desks: int = Field(1, ge=1, le=50)
    """How many desks at this counter call tickets; the waiting-time estimate divides by it."""

    def sign_key(self) -> tuple[int, str]:
        """Orders counters as their signs count: 1, 2, 5, 8, then names that are no number."""
        return (int(self.number), "") if self.number.isdigit() else (10**6, self.number)


def _default_counters() -> dict[str, CounterSettings]:
    numbers = {"resident": "2", "insurance": "5", "children": "8", "information": "1"}
    return {cid: CounterSettings(number=n) for cid, n in numbers.items()}


class QueueSettings(_Section):
    max_passes: int = Field(3, ge=0, le=50)
    """How many times a waiting ticket may be passed by priority tickets before it is
    called first (0: priority never passes anyone)."""


class CounterAppSettings(_Section):
    """The counter staff's app (``ward-kiosk counter``) on this PC."""

    language: str = "ja"
    """Language of the counter app's screens (a folder of resources/i18n/)."""
    counter: str = ""
    """The counter this PC stands at (an id of ``[counters]``), chosen first at sign-in."""
    idle_sign_out_seconds: int = Field(300, ge=30, le=3600)
    """Seconds without input before the counter app signs the member out."""
    session_max_hours: float = Field(10, gt=0, le=24)
    """Hours after sign-in when a session ends however busy the member is (sign in again)."""
    supervisor_second_factor: bool = True
    """Supervisors type an authenticator app's code (TOTP) after their PIN; enrol with
    ``ward-kiosk staff enrol-totp``. Off only where the ward accepts PIN-only supervisors."""


class BoardSettings(_Section):
    """The waiting-room board (``ward-kiosk board``) on this PC."""

    show_staff_calls: bool = False
    """Show a line in a corner while a visitor's "職員を呼ぶ" call is open (which kiosk);
    off: the board shows nothing of staff calls."""


class WebSettings(_Section):
    """スマート申請: the residents' web app (``ward-kiosk web``) and the tickets' phone page."""

    public_url: str = ""
    """Where residents reach the web app, e.g. "https://ward.example.jp/kiosk": tickets
    print <public_url>/t/<token> for following the queue on a phone; empty prints none."""
    host: str = "127.0.0.1"
    """The address ``ward-kiosk web`` listens on (behind the ward's reverse proxy)."""
    port: int = Field(8080, ge=1, le=65535)
    pre_entry_days: int = Field(30, ge=1, le=365)
    """Days a pre-entry can be printed at a kiosk after it was made; then it is deleted."""
    forwarded_allow_ips: str = "127.0.0.1"
    """The reverse proxy's address: only its X-Forwarded-For is trusted (the limit on
    wrong codes counts per client address)."""

    @field_validator("public_url")
    @classmethod
    def _http_url(cls, v: str) -> str:
        v = v.strip()
        if v and not (v.startswith("https://") or v.startswith("http://")):
            raise ValueError(f"{v!r} is not an http(s) URL such as https://ward.example.jp/kiosk")
        return v


def ticket_url(settings: Settings, token: str) -> str:
    """The phone page of the ticket with ``token``; "" when either is missing."""
    if not settings.web.public_url or not token:
        return ""
    return f"{settings.web.public_url.rstrip('/')}/t/{token}"


class Settings(_Section):
    ward: WardSettings = WardSettings()
    kiosk: KioskSettings = KioskSettings()
    database: DatabaseSettings = DatabaseSettings()
    printing: PrintingSettings = PrintingSettings()
    card: CardSettings = CardSettings()
    speech: SpeechSettings = SpeechSettings()
    queue: QueueSettings = QueueSettings()
    counter_app: CounterAppSettings = CounterAppSettings()
    board: BoardSettings = BoardSettings()
    web: WebSettings = WebSettings()
    counters: dict[str, CounterSettings] = Field(default_factory=_default_counters)

    @field_validator("counters")
    @classmethod
    def _some_counters(cls, v: dict[str, CounterSettings]) -> dict[str, CounterSettings]:
        if not v:
            raise ValueError("at least one counter is needed")
        return v

    # Paths derived from the settings; the folders are created by whoever writes there.
    def database_url(self) -> str:
        return self.database.url or f"sqlite:///{data_dir() / 'kiosk.db'}"

    def key_file(self) -> Path:
        return Path(self.database.key_file) if self.database.key_file else config_dir() / "data.key"

    def private_key_file(self) -> Path:
        configured = self.database.private_key_file
        return Path(configured) if configured else config_dir() / "ward-key.pem"

    def public_key_file(self) -> Path:
        configured = self.database.public_key_file
        return Path(configured) if configured else config_dir() / "ward-key.pub.pem"

    def speech_model_dir(self) -> Path:
        return Path(self.speech.model_dir) if self.speech.model_dir else data_dir() / "models"

    def output_dir(self) -> Path:
        return (
            Path(self.printing.output_dir) if self.printing.output_dir else data_dir() / "printed"
        )


# The system layout of an installed PC (installer/debian/build-deb.sh).
SYSTEM_CONFIG_DIR = Path("/etc/ward-kiosk")
SYSTEM_DATA_DIR = Path("/var/lib/ward-kiosk")
SYSTEM_CACHE_DIR = Path("/var/cache/ward-kiosk")
DROP_IN_DIR = "config.d"


def installed() -> bool:
    """The package's settings file exists: every user of this PC shares one setup."""
    return (SYSTEM_CONFIG_DIR / "config.toml").is_file()


def data_dir() -> Path:
    if installed():
        return SYSTEM_DATA_DIR
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def cache_dir() -> Path:
    """Files the kiosk can make again (e.g. prepared speech models)."""
    if installed():
        return SYSTEM_CACHE_DIR
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def config_dir() -> Path:
    if installed():
        return SYSTEM_CONFIG_DIR
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def default_config_file() -> Path:
    return config_dir() / "config.toml"


def settings_files(
    path: Path | None = None, environ: Mapping[str, str] | None = None
) -> list[Path]:
    """The files settings are read from, in order: the settings file (``path``, else
    ``$WARD_KIOSK_CONFIG``, else the default file when it exists) and then the drop-ins
    ``config.d/*.toml`` beside it in name order. Empty: defaults and environment only."""
    environ = os.environ if environ is None else environ
    if path is None and environ.get(CONFIG_ENV):
        path = Path(environ[CONFIG_ENV])
    if path is None and default_config_file().is_file():
        path = default_config_file()
    if path is None:
        return []
    return [path, *sorted((path.parent / DROP_IN_DIR).glob("*.toml"))]


def load_settings(path: Path | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Read the file (if any) and its drop-ins, apply environment overrides, and validate.

    ``path`` None means ``$WARD_KIOSK_CONFIG`` or the default file when it
    exists; an explicitly named file that does not exist is an error.
    """
    environ = os.environ if environ is None else environ
    raw: dict[str, Any] = {}
    files = settings_files(path, environ)
    for file in files:
        _merge(raw, _read_file(file))
    source = " + ".join(str(file) for file in files) or "defaults"
    _apply_environment(raw, environ)
    try:
        return Settings.model_validate(raw)
    except ValidationError as e:
        raise ConfigError(_describe(e, source)) from None


def _read_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise ConfigError(f"configuration file {path} does not exist") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"configuration file {path} is not valid TOML: {e}") from None
    except UnicodeDecodeError as e:
        raise ConfigError(
            f"configuration file {path} is not UTF-8 text (byte {e.start}): save it as UTF-8"
        ) from None


def _merge(into: dict[str, Any], later: Mapping[str, Any]) -> None:
    """A later file's keys replace earlier ones; tables present in both are merged."""
    for key, value in later.items():
        if isinstance(value, Mapping) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


def _apply_environment(raw: dict[str, Any], environ: Mapping[str, str]) -> None:
    sections = {name for name in Settings.model_fields if name != "counters"}
    for name, value in environ.items():
        if not name.startswith(ENV_PREFIX) or name in PROCESS_ENV:
            continue
        section, _, key = name[len(ENV_PREFIX) :].lower().partition("_")
        if section not in sections or not key:
            raise ConfigError(f"environment variable {name}: no setting [{section}] {key}")
        table, key = _nested_table(raw.setdefault(section, {}), Settings.model_fields[section], key)
        table[key] = _env_value(value)


def _nested_table(table: dict[str, Any], field: FieldInfo, key: str) -> tuple[dict[str, Any], str]:
    """The table a key belongs in: PRINTING_ESCPOS_HOST is [printing.escpos] host."""
    model = _model(field)
    for name, sub in model.model_fields.items() if model else ():
        if key.startswith(f"{name}_") and _model(sub):
            return _nested_table(table.setdefault(name, {}), sub, key[len(name) + 1 :])
    return table, key


def _model(field: FieldInfo) -> type[BaseModel] | None:
    """The settings table a field holds, or None for a plain value."""
    annotation = field.annotation
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _env_value(value: str) -> Any:
    """Lists and tables may be given as JSON; anything else is a string for the validator."""
    if value[:1] in "[{":
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def _describe(error: ValidationError, source: str) -> str:
    lines = [f"configuration from {source} is not valid:"]
    for item in error.errors():
        key = ".".join(str(part) for part in item["loc"])
        lines.append(f"  {key}: {item['msg']}")
    return "\n".join(lines)
