"""Errors of the counter's work, as one line in the staff's language."""

from __future__ import annotations

import logging

from kiosk.counter import CorrectionRefused
from kiosk.counter_access import ReasonRefused
from kiosk.i18n import Translations
from kiosk.printing import PrinterError
from kiosk.staff import Locked, SessionEnded, StaffError, WrongCode, WrongPin

log = logging.getLogger(__name__)

PRINT_CODES = {
    "printer_unavailable",
    "cups_not_running",
    "printer_offline",
    "out_of_paper",
    "paper_jam",
    "job_stuck",
    "print_failed",
}
# Error codes with their own text in counter.toml's [errors]; others get "unexpected".
KNOWN_CODES = {
    "unknown_staff",
    "staff_inactive",
    "not_allowed",
    "weak_pin",
    "ticket_state_conflict",
    "ticket_not_found",
    "visit_not_found",
    "storage_error",
    "database_unavailable",
    "unknown_queue_item",
    "invalid_transition",
    "second_factor_missing",
    "second_factor_unreadable",
    "challenge_expired",
    "pre_entry_not_found",
    "pre_entry_expired",
    "pre_entry_too_many_tries",
}


def message_for(texts: Translations, error: Exception) -> str:
    """What went wrong and what to do; unexpected errors are logged with their trace."""
    if isinstance(error, WrongPin):
        return texts.text("counter.errors.wrong_pin", tries=error.tries_left)
    if isinstance(error, WrongCode):
        key = "code_used" if error.replayed else "wrong_code"
        return texts.text(f"counter.errors.{key}", tries=error.tries_left)
    if isinstance(error, SessionEnded):
        return texts.text(f"counter.errors.session_ended.{error.reason}")
    if isinstance(error, ReasonRefused):
        return texts.text("counter.reason.refused")
    if isinstance(error, Locked):
        return texts.text("counter.errors.staff_locked", until=f"{error.until:%H:%M}")
    if isinstance(error, CorrectionRefused):
        return texts.text(f"counter.errors.correction.{error.reason}")
    if isinstance(error, PrinterError):
        code = error.code if error.code in PRINT_CODES else "print_failed"
        return texts.text(f"counter.errors.print.{code}")
    code = getattr(error, "code", "")
    if isinstance(code, str) and code in KNOWN_CODES:
        return texts.text(f"counter.errors.{code}")
    if not isinstance(error, StaffError):
        log.error("unexpected error at the counter", exc_info=error)
    return texts.text("counter.errors.unexpected")
