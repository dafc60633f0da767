"""``card`` commands, mounted into ``ward-kiosk``: reader status and the virtual card."""

from __future__ import annotations

import json
from pathlib import Path

import click

from kiosk.card.errors import CardError, NotMyNumberCardError
from kiosk.cli_common import config_option, settings_from
from kiosk.resources import resource


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
@click.option(
    "--reader", default=None, help="Substring of the reader name (default: card.reader, else any)."
)
@config_option
def status(reader: str | None, config_file: Path | None) -> None:
    """Print JSON: readers, card present, My Number card or not, PIN tries left.

    Spends no PIN try. Exits 1 when ``error`` is set.
    """
    report = reader_status(reader or settings_from(config_file).card.reader or None)
    click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    if report["error"] is not None:
        raise SystemExit(1)


def reader_status(reader: str | None = None) -> dict[str, object]:
    """Readers, chosen reader, card presence, My Number or not, tries left, error code."""
    from kiosk.card import pcsc
    from kiosk.card.service import CardService

    report: dict[str, object] = {"readers": [], "reader": None, "card_present": False}
    report |= {"is_mynumber": None, "tries_left": None, "error": None, "message": None}
    try:
        report["readers"] = pcsc.list_readers()
        report["reader"] = name = pcsc.find_reader(reader)
        service = CardService(name)
        report["card_present"] = service.card_present()
        if report["card_present"]:
            report["tries_left"] = service.tries_left()
            report["is_mynumber"] = True
    except NotMyNumberCardError:
        report["is_mynumber"] = False
    except CardError as err:
        report |= {"error": err.code, "message": str(err)}
    return report
