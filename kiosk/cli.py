"""The ``ward-kiosk`` command: run the kiosk, and the tools IT uses around it."""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from kiosk.cli_common import config_option, settings_from
from kiosk.config import ConfigError, Settings
from kiosk.resources import resource

if TYPE_CHECKING:
    from kiosk.context import KioskContext

DEMO_PERSONA = "demo.toml"
log = logging.getLogger(__name__)


class KioskGroup(click.Group):
    """The command group; a ward's broken catalog or translation file is an error message
    naming the file, from whichever command reads it, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        from kiosk.catalog import CatalogError
        from kiosk.i18n import TranslationError

        try:
            return super().invoke(ctx)
        except (CatalogError, TranslationError) as e:
            raise click.ClickException(str(e)) from None


@click.group(cls=KioskGroup)
@click.version_option(package_name="ward-kiosk")
def main() -> None:
    """Self-service counter kiosk for ward offices."""
    logging.basicConfig(
        level=os.environ.get("WARD_KIOSK_LOG_LEVEL", "INFO").upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)


@main.command()
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


def load_context(settings: Settings) -> KioskContext:
    """Catalog and translations for ``settings``; a bad file is a message, not a traceback."""
    from kiosk.catalog import CatalogError
    from kiosk.context import KioskContext
    from kiosk.i18n import TranslationError

    try:
        return KioskContext.load(settings=settings)
    except (ConfigError, CatalogError, TranslationError) as e:
        raise click.ClickException(str(e)) from None


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


@main.group()
def config() -> None:
    """Check the settings."""


@config.command("show")
@config_option
def config_show(config_file: Path | None) -> None:
    """Validate the settings and print them as JSON (defaults filled in)."""
    settings = settings_from(config_file)
    load_context(settings)
    from kiosk.db_settings import settings_for_display

    shown = settings_for_display(settings)  # database passwords as ***
    click.echo(json.dumps(shown, ensure_ascii=False, indent=2))


@main.group()
def data() -> None:
    """Stored visits and personal data."""


@data.command("purge")
@config_option
@click.option("--days", type=int, default=None, help="Override the retention period.")
def data_purge(config_file: Path | None, days: int | None) -> None:
    """Delete card data of visits, and printed PDFs, older than the retention period."""
    from kiosk.printing import purge_printed
    from kiosk.storage import StorageError
    from kiosk.ward_keys import open_store

    settings = settings_from(config_file)
    keep = settings.kiosk.personal_data_retention_days if days is None else days
    pdfs = purge_printed(settings.output_dir(), timedelta(days=keep))
    try:
        store = open_store(settings, "board")  # deleting needs no key
        try:
            count = store.purge_personal_data(timedelta(days=keep))
        finally:
            store.close()
    except StorageError as e:
        raise click.ClickException(str(e)) from None
    click.echo(json.dumps({"purged_visits": count, "purged_pdfs": pdfs, "retention_days": keep}))


def _mount_commands() -> None:
    from kiosk.about import about
    from kiosk.audit_cli import audit
    from kiosk.board_cli import board
    from kiosk.card.cli import card
    from kiosk.counter_cli import counter
    from kiosk.db_cli import db
    from kiosk.doctor import doctor
    from kiosk.forms.cli import forms
    from kiosk.key_cli import key
    from kiosk.print_cli import print_group
    from kiosk.queue_cli import queue
    from kiosk.speech.cli import models, speech
    from kiosk.speech.voice_cli import say, voices
    from kiosk.staff_cli import staff
    from kiosk.stats_cli import stats

    main.add_command(about)
    main.add_command(audit)
    main.add_command(board)
    main.add_command(card)
    main.add_command(counter)
    main.add_command(db)
    main.add_command(doctor)
    main.add_command(forms)
    main.add_command(key)
    main.add_command(print_group)
    main.add_command(queue)
    speech.add_command(say)
    speech.add_command(voices)
    main.add_command(speech)
    main.add_command(models)
    main.add_command(staff)
    main.add_command(stats)


_mount_commands()
