"""Per-day data keys: personal data is sealed to a key of its service day.

Whoever seals first on a service day (a kiosk, a counter correcting data) makes
a fresh X25519 key pair, keeps only its public half in memory, and stores the
private half sealed to the ward's public key. Only a holder of the ward private
key (a counter PC) can open it. When the retention period ends the day's sealed
private keys are destroyed: that day's data is then unreadable with every key
the ward holds (crypto-shredding), whatever copy of it exists.

Blob format: ``version 2 (1 byte) || data key id (8 bytes) || sealed``.
"""

from __future__ import annotations

import secrets
import struct
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kiosk.storage import sealing
from kiosk.storage.crypto import DecryptionFailed, PersonCipher, StorageError
from kiosk.storage.crypto import Purpose as LegacyPurpose
from kiosk.storage.models import DataKeyRow, WardKeyRow

VERSION = 2
LEGACY_VERSION = 1
_HEADER = struct.Struct(">BQ")
Purpose = Literal["person", "individual_number", "answers"]
SessionFactory = Callable[[], AbstractContextManager[Session]]


class NoPrivateKey(StorageError):
    """This machine holds no ward private key, so it cannot read personal data."""

    code = "no_private_key"


class StaleWardKey(StorageError):
    """This PC's ward key was retired by ``key rotate`` while it was running."""

    code = "ward_key_mismatch"


class NoPublicKey(StorageError):
    """This machine holds no ward key at all, so it cannot store personal data."""

    code = "no_public_key"


@dataclass(frozen=True)
class Keyring:
    """The ward keys one machine holds.

    A kiosk holds the public key only (it seals, never opens); a counter PC holds
    the private key; the board holds none. ``legacy`` opens rows stored before the
    ward key pair (revision 0010) until the retention period removes them.
    """

    public: X25519PublicKey | None = None
    private: X25519PrivateKey | None = None
    legacy: PersonCipher | None = None

    @classmethod
    def sealing_only(cls, public: X25519PublicKey) -> Keyring:
        return cls(public=public)

    @classmethod
    def opening(cls, private: X25519PrivateKey, legacy: PersonCipher | None = None) -> Keyring:
        return cls(public=private.public_key(), private=private, legacy=legacy)

    @property
    def fingerprint(self) -> str | None:
        return sealing.fingerprint(self.public) if self.public is not None else None

    def __repr__(self) -> str:
        holds = "private" if self.private else "public" if self.public else "none"
        return f"Keyring({holds}, {self.fingerprint})"


def blob_version(blob: bytes) -> int:
    return blob[0] if blob else 0


class DataKeys:
    """Seals and opens personal data with the day keys; thread-safe."""

    def __init__(self, keyring: Keyring, sessions: SessionFactory, *, creator: str) -> None:
        self.keyring = keyring
        self._sessions = sessions
        self._creator = creator[:64]
        self._lock = threading.Lock()
        self._sealing: dict[date, tuple[int, X25519PublicKey]] = {}
        self._opening: dict[int, X25519PrivateKey] = {}

    def seal(
        self, day: date, plaintext: bytes, *, purpose: Purpose, reference: str, now: datetime
    ) -> bytes:
        """Seal ``plaintext`` to ``day``'s key (made and stored on first use)."""
        key_id, public = self._sealing_key(day, now)
        header = _HEADER.pack(VERSION, key_id)
        return header + sealing.seal(public, plaintext, header + _context(purpose, reference))

    def open(self, session: Session, blob: bytes, *, purpose: Purpose, reference: str) -> bytes:
        """The plaintext of ``blob``; DecryptionFailed or NoPrivateKey if it cannot be read."""
        if blob_version(blob) == LEGACY_VERSION and purpose != "answers":
            return self._open_legacy(blob, purpose, reference)
        try:
            if blob_version(blob) != VERSION or len(blob) < _HEADER.size:
                raise DecryptionFailed("it is not in a format this kiosk version wrote")
            _, key_id = _HEADER.unpack_from(blob)
            private = self._day_private(session, key_id)
            context = blob[: _HEADER.size] + _context(purpose, reference)
            return sealing.unseal(private, blob[_HEADER.size :], context)
        except sealing.SealBroken as err:
            raise _failed(purpose, reference, f"it was {err}") from None
        except DecryptionFailed as err:
            raise _failed(purpose, reference, str(err)) from None

    def ready(self, day: date, now: datetime) -> None:
        """Make sure ``day`` has a key before a transaction seals with it.

        The key is stored in its own transaction: inside another writing one,
        SQLite would wait for its own lock.
        """
        self._sealing_key(day, now)

    def forget(self) -> None:
        """Drop every cached day key (after keys were destroyed or re-wrapped)."""
        with self._lock:
            self._sealing.clear()
            self._opening.clear()

    def _sealing_key(self, day: date, now: datetime) -> tuple[int, X25519PublicKey]:
        with self._lock:
            known = self._sealing.get(day)
            if known is not None:
                return known
            ward = self.keyring.public
            if ward is None:
                raise NoPublicKey(
                    "This PC holds no ward public key, so it cannot store personal data. "
                    "Copy the ward's public key to the configured database.public_key_file."
                )
            key_id = secrets.randbits(63) or 1
            private = X25519PrivateKey.generate()
            public = private.public_key()
            row = DataKeyRow(
                id=key_id,
                service_day=day,
                created_by=self._creator,
                public_key=sealing.raw_public(public),
                wrapped_private=wrap(ward, key_id, day, private),
                ward_fingerprint=sealing.fingerprint(ward),
                created_at=now,
            )
            with self._sessions() as session:
                _refuse_a_retired_ward_key(session, row.ward_fingerprint)
                session.add(row)
            # Only the public half stays: this process can seal but never open.
            self._sealing[day] = (key_id, public)
            return key_id, public

    def _day_private(self, session: Session, key_id: int) -> X25519PrivateKey:
        with self._lock:
            cached = self._opening.get(key_id)
        if cached is not None:
            return cached
        ward = self.keyring.private
        if ward is None:
            raise NoPrivateKey(
                "This PC holds no ward private key, so it cannot read personal data. "
                "Kiosks and the board never can; open the visit on a counter PC."
            )
        row = session.get(DataKeyRow, key_id)
        if row is None or row.wrapped_private is None:
            raise DecryptionFailed("its day key was destroyed at the end of the retention period")
        private = unwrap(ward, row)
        with self._lock:
            self._opening[key_id] = private
        return private

    def _open_legacy(self, blob: bytes, purpose: LegacyPurpose, reference: str) -> bytes:
        legacy = self.keyring.legacy
        if legacy is None:
            raise DecryptionFailed(
                "it was stored before the ward key pair and no legacy key file is configured"
            )
        return legacy.decrypt(blob, reference=reference, purpose=purpose)


def _refuse_a_retired_ward_key(session: Session, fingerprint: str) -> None:
    """A PC still running with the ward key from before ``key rotate`` must not make day
    keys nobody can open once the old private key is gone."""
    current = session.scalar(select(WardKeyRow.fingerprint).where(WardKeyRow.retired_at.is_(None)))
    if current is not None and current != fingerprint:
        raise StaleWardKey(
            f"The ward key was rotated: this PC still holds key {fingerprint}, the current one "
            f"is {current}. Copy the current key to this PC and restart it."
        )


def wrap(ward: X25519PublicKey, key_id: int, day: date, private: X25519PrivateKey) -> bytes:
    return sealing.seal(ward, sealing.raw_private(private), _wrap_context(key_id, day))


def unwrap(ward: X25519PrivateKey, row: DataKeyRow) -> X25519PrivateKey:
    """The day private key of ``row``; checked against the stored public half."""
    if row.wrapped_private is None:
        raise DecryptionFailed(f"the data key of {row.service_day} was destroyed")
    try:
        raw = sealing.unseal(ward, row.wrapped_private, _wrap_context(row.id, row.service_day))
    except sealing.SealBroken:
        raise DecryptionFailed(
            f"the data key of {row.service_day} was sealed to ward key "
            f"{row.ward_fingerprint}, which this PC does not hold"
        ) from None
    private = X25519PrivateKey.from_private_bytes(raw)
    if sealing.raw_public(private.public_key()) != row.public_key:
        raise DecryptionFailed(f"the data key of {row.service_day} does not match its record")
    return private


def destroy_before(session: Session, day: date, now: datetime) -> int:
    """Destroy the sealed private halves of every day key before ``day``; returns how many."""
    stmt = (
        update(DataKeyRow)
        .where(DataKeyRow.service_day < day)
        .where(DataKeyRow.wrapped_private.is_not(None))
        .values(wrapped_private=None, destroyed_at=now)
    )
    return int(getattr(session.execute(stmt), "rowcount", 0) or 0)


def rewrap_all(session: Session, old: X25519PrivateKey, new: X25519PublicKey) -> int:
    """Seal every live day key to the ward key ``new`` instead (``key rotate``)."""
    rows = session.scalars(select(DataKeyRow).where(DataKeyRow.wrapped_private.is_not(None)))
    count = 0
    for row in rows:
        private = unwrap(old, row)
        row.wrapped_private = wrap(new, row.id, row.service_day, private)
        row.ward_fingerprint = sealing.fingerprint(new)
        count += 1
    return count


_LABELS = {
    "person": "Card data",
    "individual_number": "The individual number",
    "answers": "Answers",
}


def _failed(purpose: Purpose, reference: str, why: str) -> DecryptionFailed:
    return DecryptionFailed(
        f"{_LABELS[purpose]} of visit {reference} cannot be read: {why}. If the retention "
        "period has passed this is expected; otherwise check this PC's ward key "
        "(ward-kiosk key fingerprint)."
    )


def _context(purpose: Purpose, reference: str) -> bytes:
    return b"ward-kiosk/" + purpose.encode("ascii") + b"/v2\x00" + reference.encode("utf-8")


def _wrap_context(key_id: int, day: date) -> bytes:
    return b"ward-kiosk/data-key/v2\x00" + struct.pack(">Q", key_id) + day.isoformat().encode()
