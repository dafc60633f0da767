"""``card`` commands, mounted into ``ward-kiosk``: read the card, reader status, virtual card."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import click

from kiosk.card.errors import CardError
from kiosk.card.session import PIN_LENGTH
from kiosk.card.status import reader_status
from kiosk.cli.common import config_option, settings_from
from kiosk.config import Settings
from kiosk.resources import resource

if TYPE_CHECKING:
    from kiosk.card.service import CardData


@click.group(name="card")
def card() -> None:
    """My Number card reader and the virtual card."""


@card.command()
@click.option(
    "--persona",
    "persona_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=lambda: resource("personas", "demo.toml"),
    show_default="resources/personas/demo.toml",
    help="Persona file (TOML) of the card holder.",
)
@click.option("--port", default=35963, show_default=True, help="vpcd TCP port.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Host running pcscd.")
@click.option("--vanish-after", type=int, default=None, help="Lift the card after N APDUs.")
@config_option
def emulate(
    persona_path: Path, port: int, host: str, vanish_after: int | None, config_file: Path | None
) -> None:
    """Play a virtual My Number card into pcscd's vpcd reader until interrupted."""
    settings_from(config_file)  # the virtual card needs no settings, but a bad file is an error
    from kiosk.card.virtual.card import VirtualMyNumberCard
    from kiosk.card.virtual.persona import PersonaError, load_persona
    from kiosk.card.virtual.vpcd import VpcdEmulator, run_until_signalled

    try:
        persona = load_persona(persona_path)
    except PersonaError as err:
        raise click.ClickException(str(err)) from None
    virtual = VirtualMyNumberCard(persona, vanish_after=vanish_after)
    click.echo(f"virtual card for vpcd at {host}:{port} ({persona_path.name}); Ctrl-C stops")
    run_until_signalled(VpcdEmulator(virtual, port=port, host=host))


@card.command()
@click.option("--reader", default=None, help="Substring of the reader name (default: card.reader).")
@config_option
def status(reader: str | None, config_file: Path | None) -> None:
    """Print JSON: readers, card present, My Number card or not, PIN tries left.

    Spends no PIN try. Exits 1 when ``error`` is set. A virtual reader is refused
    (``reader_not_allowed``) unless ``card.allow_virtual_reader`` is on.
    """
    card_settings = settings_from(config_file).card
    report = reader_status(
        reader or card_settings.reader_name(), allow_virtual=card_settings.allow_virtual_reader
    )
    click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    if report["error"] is not None:
        raise SystemExit(1)


@card.command()
@click.option("--reader", default=None, help="Substring of the reader name (default: card.reader).")
@click.option(
    "--with-number",
    is_flag=True,
    help="Also print the individual number (特定個人情報), read in the same session.",
)
@config_option
def read(reader: str | None, with_number: bool, config_file: Path | None) -> None:
    """Read the card with the PIN given as one line on standard input; print JSON.

    The PIN is never taken from arguments or the environment, and is not echoed
    on a terminal. Exit 0: name, address, birth_date, sex (and
    individual_number with --with-number). Exit 1: error, message and, where
    known, tries_left. Exit 2: the PIN is not 4 digits (the card is not touched).
    A read is written to the access log (``card.read`` or
    ``individual_number.read_by_cli``, as ``cli:<OS account>``) before it is shown.
    """
    settings = settings_from(config_file)
    card_settings = settings.card
    name = reader or card_settings.reader_name()
    pin = _read_pin(sys.stdin)
    from kiosk.card.service import CardService  # pyscard loads only when PC/SC is used

    service = CardService(name, allow_virtual=card_settings.allow_virtual_reader)
    try:
        data = service.read_card(pin, with_number=with_number)
    except CardError as err:
        _echo_json(error_report(err))
        raise SystemExit(1) from None
    _log_read(settings, with_number=with_number)
    _echo_json(card_report(data))


def _log_read(settings: Settings, *, with_number: bool) -> None:
    """Log the read (no personal data in the entry). With ``--with-number`` a read that
    cannot be logged is not shown: exit 1."""
    from kiosk.cli.audit import log_cli_access
    from kiosk.storage import StorageError

    action = "individual_number.read_by_cli" if with_number else "card.read"
    try:
        logged = log_cli_access(settings, action=action)
    except StorageError as err:
        if with_number:
            message = f"Nothing is shown: the read could not be written to the access log. {err}"
            _echo_json({"error": "access_log_unavailable", "message": message})
            raise SystemExit(1) from None
        click.echo(f"warning: this card read is not in the access log: {err}", err=True)
        return
    if not logged:
        click.echo("note: no database is configured here, so this read is not logged", err=True)


def card_report(data: CardData) -> dict[str, str]:
    """What ``card read`` prints on success."""
    person = data.person
    report = {
        "name": person.name,
        "address": person.address,
        "birth_date": person.birth_date.isoformat(),
        "sex": person.sex,
    }
    if data.individual_number is not None:
        report["individual_number"] = data.individual_number
    return report


def error_report(err: CardError) -> dict[str, object]:
    """What ``card read`` prints on failure: the code, a message and the tries left if known."""
    report: dict[str, object] = {"error": err.code, "message": str(err)}
    tries_left = getattr(err, "tries_left", None)
    if isinstance(tries_left, int):
        report["tries_left"] = tries_left
    return report


def _echo_json(report: dict[str, object] | dict[str, str]) -> None:
    click.echo(json.dumps(report, ensure_ascii=False, indent=2))


def _read_pin(stream: TextIO) -> str:
    """One line from ``stream``, without echo on a terminal; a usage error unless 4 digits."""
    line = _read_line_unechoed(stream) if stream.isatty() else stream.readline()
    pin = line.rstrip("\r\n")
    if len(pin) != PIN_LENGTH or not (pin.isascii() and pin.isdigit()):
        raise click.UsageError("the PIN on standard input must be 4 digits")
    return pin


def _read_line_unechoed(stream: TextIO) -> str:
    try:
        import termios
    except ImportError:  # not POSIX: getpass reads the console without echo
        import getpass

        return getpass.getpass(prompt="PIN: ")
    fd = stream.fileno()
    saved = termios.tcgetattr(fd)
    quiet = termios.tcgetattr(fd)
    quiet[3] &= ~termios.ECHO
    termios.tcsetattr(fd, termios.TCSAFLUSH, quiet)
    try:
        click.echo("PIN: ", nl=False, err=True)  # only once echo is off
        return stream.readline()
    finally:
        termios.tcsetattr(fd, termios.TCSAFLUSH, saved)
        click.echo(err=True)
