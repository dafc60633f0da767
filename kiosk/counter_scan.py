"""What a code typed or scanned at the counter names: a visit, a ticket, a phone page
or a visit prepared at home. Scanners type as a keyboard, so all of it is text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kiosk.pre_entry import code_from_scan, normalize_code
from kiosk.visit import QR_PREFIX

_REFERENCE = re.compile(r"[A-Z0-9]{6,16}")
_TICKET_CODE = re.compile(r"([A-Z])-?(\d{1,4})")
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,32}")  # secrets.token_urlsafe(16): 22 characters


@dataclass(frozen=True)
class Scan:
    """What a code typed or scanned at the counter names: a visit or a ticket."""

    reference: str | None = None
    ticket_code: str | None = None
    token: str | None = None  # a ticket's phone page: <public_url>/t/<token>


def parse_scan(text: str, public_url: str = "") -> Scan | None:
    """``WK:K7QH3MZA`` (the QR code), a bare reference, a ticket code like ``A-012``, or
    the ticket's phone page ``<public_url>/t/<token>`` (its QR code when the web is set up).

    Scanners type as a keyboard; stray spaces and lower case are forgiven (but not in a
    token, which is case-sensitive).
    """
    if public_url and (token := ticket_token(text.strip(), public_url)) is not None:
        return Scan(token=token)
    value = text.strip().upper().replace(" ", "")
    if value.startswith(QR_PREFIX):
        reference = value.removeprefix(QR_PREFIX)
        return Scan(reference=reference) if _REFERENCE.fullmatch(reference) else None
    if match := _TICKET_CODE.fullmatch(value):
        return Scan(ticket_code=f"{match[1]}-{int(match[2]):03d}")
    return Scan(reference=value) if _REFERENCE.fullmatch(value) else None


def ticket_token(url: str, public_url: str) -> str | None:
    """The token of a ticket's phone page URL under ``public_url``; None for anything else
    (another site's URL is never followed)."""
    base = f"{public_url.rstrip('/')}/t/"
    if not url.lower().startswith(base.lower()):  # scanners may change the host's case
        return None
    token = url[len(base) :].rstrip("/")
    return token if _TOKEN.fullmatch(token) else None


def pre_entry_code(text: str) -> str | None:
    """The pre-entry code in a scanned QR text (``WK-PRE:…``) or a typed code."""
    return code_from_scan(text) or normalize_code(text)
