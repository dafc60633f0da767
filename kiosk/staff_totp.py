"""Time-based one-time codes (TOTP, RFC 6238) for the supervisors' second factor.

30-second steps, 6 digits, HMAC-SHA1: what every authenticator app reads from an
``otpauth://`` URI. A code is accepted for the step before and after the current one
(clocks drift); the step it matched is returned so that the caller can refuse the
same step twice (``kiosk.storage.staff_queries.claim_totp_step``).
"""

from __future__ import annotations

import base64
import hmac
import secrets
from datetime import datetime

import pyotp

STEP_SECONDS = 30
DIGITS = 6
DRIFT_STEPS = 1  # steps accepted either side of the current one
SECRET_BYTES = 20  # 160 bits, RFC 4226's recommendation for HMAC-SHA1


def new_secret() -> bytes:
    return secrets.token_bytes(SECRET_BYTES)


def _totp(secret: bytes) -> pyotp.TOTP:
    return pyotp.TOTP(base64.b32encode(secret).decode("ascii"), digits=DIGITS, interval=30)


def step_at(when: datetime) -> int:
    """The time step of ``when`` (aware), counted from the Unix epoch."""
    return int(when.timestamp()) // STEP_SECONDS


def code_at(secret: bytes, when: datetime) -> str:
    """The code an authenticator app shows at ``when`` (for tests and tools)."""
    return _totp(secret).generate_otp(step_at(when))


def matching_step(secret: bytes, code: str, now: datetime) -> int | None:
    """The step ``code`` belongs to, within the drift allowed around ``now``; else None."""
    code = code.strip().replace(" ", "")
    if len(code) != DIGITS or not (code.isascii() and code.isdigit()):
        return None
    totp = _totp(secret)
    current = step_at(now)
    found = None
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):  # every step is compared
            found = step
    return found


def provisioning_uri(secret: bytes, staff_id: str, issuer: str) -> str:
    """The ``otpauth://totp/...`` URI an authenticator app scans (shown once)."""
    return _totp(secret).provisioning_uri(name=staff_id, issuer_name=issuer)


def secret_text(secret: bytes) -> str:
    """The secret in base32, in groups of four, for typing into an app by hand."""
    text = base64.b32encode(secret).decode("ascii").rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def qr_matrix(text: str) -> list[list[bool]]:
    """The QR code of ``text`` as rows of dark (True) modules, without the quiet zone."""
    from reportlab.graphics.barcode import qrencoder

    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(text)
    code.make()
    size = code.getModuleCount()
    return [[bool(code.isDark(r, c)) for c in range(size)] for r in range(size)]


def qr_text(matrix: list[list[bool]]) -> str:
    """A QR matrix for a terminal: two rows per line in half blocks, dark on light,
    with the four-module quiet zone scanners need."""
    quiet = 4
    width = len(matrix) + 2 * quiet
    light = [False] * width
    rows = [light] * quiet + [[False] * quiet + r + [False] * quiet for r in matrix]
    rows += [light] * (quiet + 1)
    blocks = {(False, False): "█", (True, False): "▄", (False, True): "▀", (True, True): " "}
    return "\n".join(
        "".join(blocks[(top[i], bottom[i])] for i in range(width))
        for top, bottom in zip(rows[::2], rows[1::2], strict=False)
    )
