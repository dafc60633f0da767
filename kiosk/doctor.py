"""The checks behind ``ward-kiosk doctor`` (the command is ``kiosk/cli/doctor.py``): the
health check IT runs on a kiosk PC after installing it.

Each check has a name, a status (ok, warning, error), a one-line detail and, for
a problem, a one-line "what to do". A failing check never stops the others; the
command exits 1 when any check is an error. Nothing here imports Qt.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from kiosk.config import ConfigError, Settings, load_settings
from kiosk.printing import (
    CupsPrinter,
    FolderPrinter,
    NoPrinter,
    PrinterError,
    PrinterUnavailable,
    folder_of,
    printer_from_settings,
)
from kiosk.resources import resource

Status = Literal["ok", "warning", "error"]
CARD = "card reader"


@dataclass(frozen=True)
class Check:
    """One check's result, as printed (``--json`` prints ``asdict`` of each)."""

    check: str
    status: Status
    detail: str
    action: str | None = None
    """What to do: None for ok."""


def ok(name: str, detail: str) -> Check:
    return Check(name, "ok", one_line(detail))


def warning(name: str, detail: str, action: str) -> Check:
    return Check(name, "warning", one_line(detail), one_line(action))


def error(name: str, detail: str, action: str) -> Check:
    return Check(name, "error", one_line(detail), one_line(action))


def one_line(text: str) -> str:
    return " ".join(text.split())


# -- all checks -----------------------------------------------------------------


def run_checks(
    config_file: Path | None = None, *, speech: bool = True, production: bool = False
) -> list[Check]:
    """Every check, in the order printed; ``speech`` False skips loading the models,
    ``production`` adds the production rules (:mod:`kiosk.doctor_production`) at the end."""
    from kiosk.doctor_card import card_checks
    from kiosk.doctor_database import database_access_checks
    from kiosk.doctor_production import production_checks, production_unchecked

    settings, settings_result = settings_check(config_file)
    if settings is None:  # only the readers pcscd shows can be listed without settings
        unchecked = [production_unchecked()] if production else []
        return [settings_result, *optional_checks(CARD, lambda: card_checks(None)), *unchecked]
    checks = [settings_result, database_check(settings), *database_access_checks(settings)]
    checks += optional_checks(CARD, lambda: card_checks(settings.card))
    checks += printer_checks(settings)
    if speech:
        checks += optional_checks("speech models", lambda: speech_checks(settings))
    from kiosk.doctor_speech import microphone_check, tts_checks

    checks += optional_checks("text to speech", lambda: tts_checks(settings))
    checks += optional_checks("microphone", lambda: [microphone_check(settings)])
    return checks + (production_checks(settings, config_file) if production else [])


def optional_checks(name: str, checks: Callable[[], list[Check]]) -> list[Check]:
    """``checks()``, or one warning when they need a library of a role's extra that this PC
    does not have (a board or counter PC has no card reader or speech libraries)."""
    from kiosk.extras import describe_missing, missing_extra

    try:
        return checks()
    except ModuleNotFoundError as e:
        if missing_extra(e) is None:
            raise
        action = "nothing to do on a board or counter PC; a kiosk needs that extra"
        return [warning(name, f"not checked: {describe_missing(e)}", action)]


# -- 1. settings ------------------------------------------------------------------


def settings_check(config_file: Path | None) -> tuple[Settings | None, Check]:
    """The settings (None when they do not load) and the check's result."""
    from kiosk.catalog import CatalogError
    from kiosk.context import KioskContext
    from kiosk.i18n import TranslationError

    name = "settings"
    try:
        settings = load_settings(config_file)
    except ConfigError as e:
        action = "fix the settings file or variable named; the other checks need the settings"
        return None, error(name, str(e), action)
    try:
        KioskContext.load(settings=settings)
    except (ConfigError, CatalogError, TranslationError) as e:
        action = "fix the setting or the file in resources/ that the detail names"
        return settings, error(name, str(e), action)
    languages = ", ".join(settings.kiosk.languages)
    return settings, ok(name, f"valid: kiosk {settings.kiosk.id}, languages {languages}")


# -- 2. database ------------------------------------------------------------------

_DATABASE_ACTIONS = {
    "key_file_insecure": "make the key file owner-only: chmod 600 {key_file}",
    "key_file_invalid": "copy the ward's key to {key_file} (a kiosk needs only the public "
    "key: ward-kiosk key export-public on a counter PC); on the first counter PC of a new "
    "ward: ward-kiosk key init",
    "no_ward_key": "on the ward's first counter PC run: ward-kiosk key init",
    "ward_key_mismatch": "copy the ward's current key to {key_file} "
    "(ward-kiosk key fingerprint shows which one the database uses)",
}


def database_check(settings: Settings) -> Check:
    """The database opens (migrations run) with this PC's ward key, and closes."""
    from sqlalchemy import make_url

    from kiosk.storage import StorageError
    from kiosk.ward_keys import open_store, role_of_this_pc

    name = "database"
    role = role_of_this_pc(settings)
    key_file = settings.private_key_file() if role == "counter" else settings.public_key_file()
    try:
        store = open_store(settings, role)
        fingerprint = store.keyring.fingerprint
        store.close()
    except StorageError as e:
        default = "fix database.url in the settings, or the disk, folder or server it names"
        action = _DATABASE_ACTIONS.get(e.code, default).format(key_file=key_file)
        return error(name, f"{e.code}: {e}", action)
    url = make_url(settings.database_url()).render_as_string(hide_password=True)
    holds = (
        "private key: this PC can read personal data"
        if role == "counter"
        else ("public key only: this PC can store personal data but not read it back")
    )
    return ok(name, f"{url} opens and is up to date; ward key {fingerprint} ({holds})")


# -- 3. card reader: kiosk/doctor_card.py ------------------------------------------


# -- 4. printers ------------------------------------------------------------------


def printer_checks(settings: Settings) -> list[Check]:
    printing = settings.printing
    server = printing.cups_server or None
    folder = folder_of(settings)
    forms = printer_check("forms printer", printing.forms_printer, folder, server)
    if printing.escpos.connection:
        return [forms, receipt_printer_check(settings)]
    return [forms, printer_check("ticket printer", printing.ticket_printer, folder, server)]


def receipt_printer_check(settings: Settings) -> Check:
    """The ESC/POS receipt printer answers and has paper (nothing is printed)."""
    from kiosk.tickets.escpos_printer import EscposTicketPrinter

    name = "ticket printer"
    printer = EscposTicketPrinter.from_settings(settings.printing.escpos)
    try:
        paper = printer.check_ready()
    except PrinterError as e:
        return error(name, f"{e.code}: {one_line(str(e))}", "fix the printer or [printing.escpos]")
    if paper == "near_end":
        return warning(name, f"{printer.description}: the roll is nearly empty", "add paper soon")
    return ok(name, f"{printer.description} answers (paper: {paper})")


def printer_check(name: str, queue: str, folder: Path | None, server: str | None = None) -> Check:
    """The CUPS queue ``queue`` is ready; with no queue, the folder printer's folder is
    writable (a warning: demo only), or, with the folder printer off, an error."""
    try:
        printer = printer_from_settings(queue, folder, server=server)
    except ValueError as e:
        return error(name, str(e), "fix the printer's queue name in [printing]")
    if isinstance(printer, CupsPrinter):
        return _cups_check(name, printer)
    if isinstance(printer, FolderPrinter):
        return _folder_check(name, printer)
    if isinstance(printer, NoPrinter):
        setting = "printing." + name.replace(" ", "_")
        detail = f"no CUPS queue is set ({setting} is empty): visitors are sent to staff"
        return error(name, detail, f"set {setting} to a CUPS queue (lpstat -p lists them)")
    return warning(name, f"{type(printer).__name__} is not checked", "check it by printing")


def _cups_check(name: str, printer: CupsPrinter) -> Check:
    try:
        state = printer.status()
    except PrinterUnavailable as e:  # lpstat missing or CUPS not answering
        return error(name, f"{printer.description}: cannot ask CUPS", str(e))
    if state in ("ready", "printing"):
        return ok(name, f"{printer.description} is {state}")
    try:
        printer.check_ready()
    except PrinterUnavailable as e:  # the message says what to do for this state
        return error(name, f"{printer.description}: {state}", str(e))
    return ok(name, f"{printer.description} is ready")  # it came back meanwhile


def _folder_check(name: str, printer: FolderPrinter) -> Check:
    folder = printer.folder
    action = "fix printing.output_dir, or the folder's permissions, or free disk space"
    if printer.status() == "missing":
        return error(name, f"the PDF folder {folder} cannot be created", action)
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as e:
        return error(name, f"the PDF folder {folder} is not writable: {e.strerror}", action)
    detail = f"the folder printer is on (demo only): PDFs with personal data go to {folder}"
    action = "on a kiosk visitors use, set a CUPS queue and turn printing.folder_printer off"
    return warning(name, detail, action)


# -- 5. speech models -------------------------------------------------------------


def speech_checks(settings: Settings) -> list[Check]:
    """Every model found loads and knows its language's spoken forms; offered ones have one."""
    from kiosk.speech.grammar import all_phrases
    from kiosk.speech.models import model_sources

    try:
        sources = model_sources(settings)
    except OSError as e:
        folder = settings.speech_model_dir()
        return [error("speech models", f"{folder}: {e}", "fix speech.model_dir or its rights")]
    checks = [
        speech_model_check(language, path, all_phrases(language))
        for language, (path, _kind) in sources.items()
    ]
    offered = [lang for lang in settings.kiosk.languages if lang not in sources]
    return checks + [_no_model(language) for language in offered]


def speech_model_check(language: str, path: Path, phrases: Sequence[str]) -> Check:
    """The model at ``path`` loads and has every word of ``phrases``."""
    from kiosk.speech.errors import SpeechError
    from kiosk.speech.models import load_model
    from kiosk.speech.recognizer import missing_words

    name = f"speech model ({language})"
    try:
        model = load_model(path)
    except SpeechError as e:
        action = f"install it again: ward-kiosk models install --lang {language} FILE.zip"
        return error(name, f"{e.code}: {e}", f"{action}, or fix speech.models.{language}")
    missing = sorted(missing_words(model, phrases))
    if missing:
        words = _count(len(missing), "word")
        detail = f"{path} lacks {words} of the spoken forms: {' '.join(missing)}"
        forms = resource("i18n", language, "speech.toml")
        return warning(name, detail, f"Vosk silently ignores them; fix {forms}")
    return ok(name, f"{path} loads and knows every word of {len(phrases)} spoken forms")


def _no_model(language: str) -> Check:
    detail = f"no speech model for {language}: the Speak button is hidden for this language"
    action = f"install one: ward-kiosk models install --lang {language} FILE.zip"
    return warning(f"speech model ({language})", detail, action)


# -- output and the command -------------------------------------------------------


def render_table(checks: Sequence[Check]) -> str:
    """Check, status and detail in columns; what to do on the line below a problem."""
    width = max(len("check"), *(len(c.check) for c in checks))
    indent = " " * (width + 11)
    lines = [f"{'check':<{width}}  {'status':<7}  detail / what to do"]
    for c in checks:
        lines.append(f"{c.check:<{width}}  {c.status:<7}  {c.detail}")
        if c.action:
            lines.append(f"{indent}what to do: {c.action}")
    return "\n".join([*lines, "", summary(checks)])


def summary(checks: Sequence[Check]) -> str:
    errors = sum(c.status == "error" for c in checks)
    warnings = sum(c.status == "warning" for c in checks)
    line = f"{len(checks)} checks: {_count(errors, 'error')}, {_count(warnings, 'warning')}"
    from kiosk.doctor_production import summary_note

    note = summary_note(checks)
    return f"{line}; {note}" if note else line


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def render_json(checks: Sequence[Check]) -> str:
    return json.dumps([asdict(c) for c in checks], ensure_ascii=False, indent=2)
