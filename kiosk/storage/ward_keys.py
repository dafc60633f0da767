"""The ward key registry: which public key is current, checked by every machine at start.

The registry is the key check value. A machine configured with another key
refuses to start instead of storing data nobody else can read (or reading
nothing); no key is ever created here, only registered on purpose
(``ward-kiosk key init`` / ``key rotate``).
"""

from __future__ import annotations

from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from kiosk.storage import data_keys, sealing
from kiosk.storage.crypto import StorageError
from kiosk.storage.data_keys import Keyring
from kiosk.storage.models import DataKeyRow, StaffRow, WardKeyRow

_REGISTER_LOCK = 0x57_4B_4B_31  # pg_advisory_xact_lock key held while registering


class NoWardKey(StorageError):
    """The database has no ward key registered yet."""

    code = "no_ward_key"


class WardKeyMismatch(StorageError):
    """This machine's ward key is not the one the database uses."""

    code = "ward_key_mismatch"

    def __init__(self, message: str, *, this_pc: str = "", current: str = "") -> None:
        super().__init__(message)
        self.this_pc = this_pc
        """The fingerprint of this PC's key ("" where the refusal is not about it)."""
        self.current = current
        """The fingerprint of the database's current ward key."""


def staff_secret_context(staff_id: str) -> bytes:
    """What a staff member's sealed second-factor secret is bound to."""
    return b"ward-kiosk/staff_secret/v2\x00" + staff_id.encode("utf-8")


def current(session: Session) -> WardKeyRow | None:
    """The ward key in use (None before ``key init``)."""
    return session.scalar(select(WardKeyRow).where(WardKeyRow.retired_at.is_(None)))


def check(session: Session, keyring: Keyring) -> None:
    """Refuse a machine whose key is not the ward's current one (a board holds none)."""
    if keyring.public is None:
        return
    row = current(session)
    mine = keyring.fingerprint
    if row is None:
        raise NoWardKey(
            "No ward key is registered in the database. On the ward's first counter PC run "
            "`ward-kiosk key init`, then copy the public key it writes to every kiosk."
        )
    if row.fingerprint != mine:
        held = "private key" if keyring.private is not None else "public key"
        raise WardKeyMismatch(
            f"This PC's ward {held} has fingerprint {mine}, but the ward's current key is "
            f"{row.fingerprint}. Copy the current key to this PC (`ward-kiosk key "
            "export-public` on a counter PC gives the public key) and start again.",
            this_pc=mine or "",
            current=row.fingerprint,
        )


def register(session: Session, public: X25519PublicKey, now: datetime) -> str:
    """Make ``public`` the ward key of an empty registry; returns its fingerprint."""
    if session.get_bind().dialect.name == "postgresql":
        # Two PCs registering at once must not both find the registry empty (SQLite's
        # writers are already serialised by BEGIN IMMEDIATE).
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _REGISTER_LOCK})
    row = current(session)
    fp = sealing.fingerprint(public)
    if row is not None:
        if row.fingerprint == fp:
            return fp
        raise WardKeyMismatch(
            f"The database already uses ward key {row.fingerprint}. To change it, run "
            "`ward-kiosk key rotate` on a PC that holds the current private key."
        )
    if session.scalar(select(func.count()).select_from(DataKeyRow)):
        raise WardKeyMismatch(
            "The database holds day keys sealed to a ward key that is no longer registered; "
            "refusing to register a new one. Restore the ward_keys table from backup."
        )
    session.add(WardKeyRow(fingerprint=fp, public_key=sealing.raw_public(public), created_at=now))
    return fp


def rotate(session: Session, old: X25519PrivateKey, new: X25519PrivateKey, now: datetime) -> int:
    """Re-seal every live day key to ``new`` and make it current; returns how many."""
    check(session, Keyring.opening(old))
    row = current(session)
    if row is None:  # check() refused already; for the type checker
        raise NoWardKey("No ward key is registered; run `ward-kiosk key init` first.")
    row.retired_at = now
    session.flush()
    count = data_keys.rewrap_all(session, old, new.public_key())
    count += _reseal_staff_secrets(session, old, new.public_key())
    public = new.public_key()
    session.add(
        WardKeyRow(
            fingerprint=sealing.fingerprint(public),
            public_key=sealing.raw_public(public),
            created_at=now,
        )
    )
    return count


def _reseal_staff_secrets(session: Session, old: X25519PrivateKey, new: X25519PublicKey) -> int:
    count = 0
    for row in session.scalars(select(StaffRow).where(StaffRow.totp_secret.is_not(None))):
        context = staff_secret_context(row.staff_id)
        secret = sealing.unseal(old, row.totp_secret or b"", context)
        row.totp_secret = sealing.seal(new, secret, context)
        count += 1
    return count
