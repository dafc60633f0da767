"""The kiosk's heartbeat: its device checks, recorded in the database for the counter app.

Cheap checks only, taken every ``kiosk.heartbeat_seconds`` while visitors use the
kiosk: the printers through ``ward-kiosk doctor``'s checks; the card reader is only
looked for, never opened (a visitor's card session holds the card exclusively); a
speech model is only checked to be in place (loading one takes seconds and hundreds
of MB); text to speech is not probed (seconds). The database and doctor modules are
imported inside the functions: the kiosk imports this module at start. No Qt.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

import kiosk
from kiosk.config import Settings

if TYPE_CHECKING:
    from kiosk.storage import HealthCheck, Store

log = logging.getLogger(__name__)

CARD_READER = "card_reader"
FORMS_PRINTER = "forms_printer"
TICKET_PRINTER = "ticket_printer"
SPEECH_MODELS = "speech_models"
_DOCTOR_NAMES = {"forms printer": FORMS_PRINTER, "ticket printer": TICKET_PRINTER}


def collect_health(settings: Settings) -> list[HealthCheck]:
    """Card reader, forms and ticket printer, and one ``speech_models`` check per language
    that has a model; a check that breaks is an error, and the others still run."""
    checks = _guarded(CARD_READER, lambda: [card_reader_health(settings)])
    checks += _guarded(FORMS_PRINTER, lambda: printer_health(settings))
    return checks + _guarded(SPEECH_MODELS, lambda: speech_model_health(settings))


def send_heartbeat(store: Store, settings: Settings) -> None:
    """Record this kiosk's checks now (blocking: call it from a worker thread)."""
    checks = collect_health(settings)
    store.record_heartbeat(settings.kiosk.id, checks, version=kiosk.__version__)
    problems = [f"{c.name}={c.status}" for c in checks if c.status != "ok"]
    log.debug("heartbeat sent%s", f" ({', '.join(problems)})" if problems else "")


def card_reader_health(settings: Settings) -> HealthCheck:
    """The configured reader is connected (its card, if any, is not touched)."""
    from kiosk.card import pcsc
    from kiosk.card.errors import CardError
    from kiosk.storage import HealthCheck

    try:
        card = settings.card
        reader = pcsc.find_reader(card.reader_name(), allow_virtual=card.allow_virtual_reader)
    except CardError as e:
        return HealthCheck(CARD_READER, "error", f"{e.code}: {e}")
    return HealthCheck(CARD_READER, "ok", f"{reader} is connected")


def printer_health(settings: Settings) -> list[HealthCheck]:
    """The forms and ticket printers, as ``ward-kiosk doctor`` checks them."""
    from kiosk.doctor import printer_checks
    from kiosk.storage import HealthCheck

    return [
        HealthCheck(_DOCTOR_NAMES.get(c.check, c.check), c.status, c.detail)
        for c in printer_checks(settings)
    ]


def speech_model_health(settings: Settings) -> list[HealthCheck]:
    """One check per language with a speech model: its folder has a Vosk model's layout."""
    from kiosk.speech.models import LAYOUT, model_sources
    from kiosk.storage import HealthCheck

    checks = []
    for language, (path, kind) in sorted(model_sources(settings).items()):
        missing = [part for part in LAYOUT if not (path / part).is_dir()]
        if missing:
            detail = f"{language}: {path} is not a Vosk model (no {', '.join(missing)})"
            checks.append(HealthCheck(SPEECH_MODELS, "error", detail))
        else:
            checks.append(HealthCheck(SPEECH_MODELS, "ok", f"{language}: {kind} model {path}"))
    return checks


def _guarded(name: str, check: Callable[[], list[HealthCheck]]) -> list[HealthCheck]:
    from kiosk.storage import HealthCheck

    try:
        return check()
    # A broken check must not stop the heartbeat: a silent kiosk looks switched off.
    except Exception as e:  # noqa: BLE001
        log.warning("health check %s failed: %s", name, type(e).__name__)
        return [HealthCheck(name, "error", f"the check failed: {type(e).__name__}")]
