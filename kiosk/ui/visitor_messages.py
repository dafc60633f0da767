"""What the visitor is told when something goes wrong, in the visitor's language."""

from __future__ import annotations

from typing import Any

from kiosk.card.errors import CardBusyError
from kiosk.i18n import Translations
from kiosk.printing import message_key

MIN_PIN_TRIES = 2  # with one try left the kiosk refuses: it must never lock a card


class Coded(Exception):
    """An error known only by its message code."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def too_few_tries(tries: int) -> Coded:
    return Coded("pin_last_try" if tries == 1 else "pin_blocked")


def refusal(error: Exception) -> Exception | None:
    """Why the kiosk must not ask for the PIN again after ``error``; None when it may."""
    code = getattr(error, "code", "")
    if code == "wrong_pin":
        tries = getattr(error, "tries_left", 0)
        return too_few_tries(tries) if tries < MIN_PIN_TRIES else None
    return error if code in ("pin_last_try", "pin_blocked") else None


def error_text(texts: Translations, error: Exception) -> str:
    """The visitor-facing message for an error, in the visitor's language."""
    code = getattr(error, "code", "unexpected")
    if isinstance(error, CardBusyError):
        code = "card_busy"  # a card_error to programs, but the visitor only has to wait
    values: dict[str, Any] = {}
    if code == "wrong_pin":
        values["n"] = getattr(error, "tries_left", "?")
    try:
        return texts.text(f"ui.errors.{code}", **values)
    except KeyError:
        return texts.text("ui.errors.unexpected")


def printing_problem(texts: Translations, forms_error: str, ticket_error: str) -> str:
    """What the visitor is told when the forms or the ticket did not print ("" if both did)."""
    parts = []
    if forms_error:
        parts.append(texts.text(message_key(forms_error)))
    if ticket_error:
        try:
            parts.append(texts.text(f"ticket.errors.{ticket_error}"))
        except KeyError:
            parts.append(texts.text("ticket.errors.generic"))
    return "\n\n".join(parts)
