"""``ward-kiosk run``: the kiosk window, and its demo mode with a virtual card."""

from __future__ import annotations

import logging
import sys
import threading
from pathlib import Path
from typing import Any

import click

from kiosk.cli.common import config_option, load_context, settings_from
from kiosk.config import Settings
from kiosk.resources import resource

DEMO_PERSONA = "demo.toml"
log = logging.getLogger(__name__)


@click.command("run")
@config_option
@click.option(
    "--demo",
    is_flag=True,
    help="Start the virtual My Number card and pcscd if needed; allow the virtual reader.",
)
@click.option("--windowed", is_flag=True, help="A window instead of full screen (development).")
@click.option(
    "--persona",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Persona file for the demo's virtual card (default: the demo persona).",
)
@click.option("--quit-when-shown", is_flag=True, hidden=True, help="Measure start-up, then exit.")
def run(
    config_file: Path | None,
    demo: bool,
    windowed: bool,
    persona: Path | None,
    quit_when_shown: bool,
) -> None:
    """Start the kiosk window."""
    settings = settings_from(config_file)
    context = load_context(demo_settings(settings) if demo else settings)
    if demo:
        _demo_keys(context.settings)
    _check_keys(context.settings)
    persona = persona or resource("personas", DEMO_PERSONA)
    demo_card = DemoCard(persona) if demo else None
    if demo_card is not None:
        demo_card.check()
    try:
        if demo_card is not None:
            _demo_banner(context.settings, persona)
            demo_card.start()
        from kiosk.ui.app import run_kiosk

        def shown(seconds: float) -> None:
            click.echo(f"welcome screen shown after {seconds * 1000:.0f} ms")

        code = run_kiosk(
            context, windowed=windowed, on_shown=shown, quit_when_shown=quit_when_shown
        )
    finally:
        if demo_card is not None:
            demo_card.stop()
    sys.exit(code)


def _check_keys(settings: Settings) -> None:
    """A kiosk with a missing or wrong ward key stops here, saying which and what to do."""
    from kiosk.storage import StorageError
    from kiosk.ward_keys import check_keys

    try:
        check_keys(settings, "kiosk")
    except StorageError as e:
        raise click.ClickException(f"{e} (see: ward-kiosk doctor)") from None


def _demo_keys(settings: Settings) -> None:
    """Demo mode: one PC is kiosk and counter, so it gets a ward key pair of its own."""
    from kiosk.storage import StorageError
    from kiosk.ward_keys import ensure_demo_keys

    try:
        ensure_demo_keys(settings)
    except StorageError as e:
        raise click.ClickException(str(e)) from None


def demo_settings(settings: Settings) -> Settings:
    """``settings`` for demo mode: the virtual reader may serve (card.allow_virtual_reader),
    and forms go to the output folder when no queue is set (printing.folder_printer)."""
    card = settings.card.model_copy(update={"allow_virtual_reader": True})
    printing = settings.printing.model_copy(update={"folder_printer": True})
    return settings.model_copy(update={"card": card, "printing": printing})


class DemoCard:
    """The demo's virtual card, started beside the window so neither waits for the other.

    Until it is ready the card screen says the reader is not available, and it
    notices the reader as soon as it appears.
    """

    def __init__(self, persona: Path) -> None:
        self.persona = persona
        self._handle: Any = None
        self._thread = threading.Thread(target=self._run, name="demo-card", daemon=True)

    def check(self) -> None:
        """Refuse a persona file that cannot be loaded, before any window opens."""
        from kiosk.card.virtual.persona import load_persona

        try:
            load_persona(self.persona)
        except (ValueError, OSError) as e:
            raise click.ClickException(f"persona file {self.persona}: {e}") from None

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        from kiosk.card.errors import CardError
        from kiosk.card.virtual.launcher import ensure_virtual_reader

        try:
            self._handle = ensure_virtual_reader(self.persona)
        except (CardError, OSError) as e:
            log.error("the demo card could not be started: %s", e)

    def stop(self) -> None:
        self._thread.join(30)
        if self._handle is not None:
            self._handle.stop()


def _demo_banner(settings: Settings, persona: Path) -> None:
    import tomllib

    with persona.open("rb") as f:
        pin = tomllib.load(f).get("pin", "?")
    click.echo("Demo mode: a virtual My Number card is on the reader 'Virtual PCD'.")
    click.echo(f"  PIN of the virtual demo card: {pin}   (persona: {persona})")
    click.echo("  Virtual readers are allowed in demo mode only (card.allow_virtual_reader).")
    click.echo(f"  Printed forms and tickets go to: {settings.output_dir()}")
    from kiosk.db_settings import hide_password

    click.echo(f"  Database: {hide_password(settings.database_url())}")
