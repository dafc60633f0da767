"""Pre-entries (スマート申請) in the database: sealing, and what kiosks and counters do.

A row holds the code's lookup id, the private part sealed with the code's key
(``kiosk.pre_entry.derive``) and its times. Blob: ``version (1) || nonce (12) ||
AES-256-GCM ciphertext+tag``, the associated data binding it to its lookup id. Codes and
personal data never go to logs.
"""

from __future__ import annotations

import logging
import secrets
import threading
from datetime import datetime

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from kiosk.pre_entry import (
    LookupLimiter,
    PreEntry,
    PreEntryExpired,
    PreEntryNotFound,
    PreEntryUsed,
    derive,
    normalize_code,
)
from kiosk.storage.models import PreEntryRow
from kiosk.storage.store_base import StoreBase, aware, rowcount

log = logging.getLogger(__name__)

_VERSION = 1
_NONCE_BYTES = 12
_AD_PREFIX = b"ward-kiosk/pre-entry/v1\x00"


def seal(entry: PreEntry, lookup: bytes, key: bytes) -> bytes:
    """The private part of ``entry``, encrypted with ``key`` and bound to ``lookup``."""
    nonce = secrets.token_bytes(_NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, entry.private_json(), _AD_PREFIX + lookup)
    return bytes([_VERSION]) + nonce + sealed


def unseal(row: PreEntryRow, key: bytes) -> PreEntry:
    """The pre-entry of ``row``; PreEntryNotFound when ``key`` does not open it."""
    blob = row.payload
    if len(blob) < 1 + _NONCE_BYTES + 16 or blob[0] != _VERSION:
        raise PreEntryNotFound()
    nonce, sealed = blob[1 : 1 + _NONCE_BYTES], blob[1 + _NONCE_BYTES :]
    try:
        plain = AESGCM(key).decrypt(nonce, sealed, _AD_PREFIX + row.lookup)
    except InvalidTag:
        log.warning("pre-entry %d does not decrypt with its code's key", row.id)
        raise PreEntryNotFound() from None
    entry = PreEntry.from_private_json(
        plain, created_at=row.created_at, expires_at=row.expires_at, used_at=row.used_at
    )
    entry.row_id = row.id
    return entry


def lookup_of(code: str) -> tuple[bytes, bytes]:
    """``derive`` of a typed code; PreEntryNotFound when it cannot be a code."""
    normalized = normalize_code(code)
    if normalized is None:
        raise PreEntryNotFound()
    return derive(normalized)


def purge_expired(session: Session, now: datetime) -> int:
    """Delete the pre-entries past their expiry; returns how many."""
    return rowcount(session.execute(delete(PreEntryRow).where(PreEntryRow.expires_at < now)))


_limiter_lock = threading.Lock()


class PreEntriesForKiosk(StoreBase):
    """Finding a pre-entry by its code, marking it printed, releasing it (counter staff)."""

    _pre_entry_limiter: LookupLimiter | None = None

    @property
    def pre_entry_limiter(self) -> LookupLimiter:
        """Failed lookups per source (5 per 10 minutes), timed by the store's clock."""
        with _limiter_lock:
            if self._pre_entry_limiter is None:
                self._pre_entry_limiter = LookupLimiter(clock=self._now)
            return self._pre_entry_limiter

    def load_pre_entry(
        self,
        code: str,
        *,
        source: str,
        now: datetime | None = None,
        include_used: bool = False,
    ) -> PreEntry:
        """The pre-entry with ``code`` as typed or scanned; ``source`` is who asks (the
        kiosk's id) for the limit on failed lookups. ``include_used``: a printed one too
        (counter staff see it, with ``used_at``).

        Raises TooManyTries, PreEntryNotFound (a wrong code: counted as a failure),
        PreEntryUsed or PreEntryExpired.
        """
        now = aware(now) if now is not None else self._now()
        limiter = self.pre_entry_limiter
        limiter.check(source, now)
        try:
            lookup, key = lookup_of(code)
            with self._session() as session:
                row = session.scalar(select(PreEntryRow).where(PreEntryRow.lookup == lookup))
            if row is None:
                raise PreEntryNotFound()
        except PreEntryNotFound:
            limiter.failed(source, now)
            log.info("pre-entry lookup from %s found nothing", source)
            raise
        if row.used_at is not None and not include_used:
            raise PreEntryUsed()
        if row.expires_at <= now:
            raise PreEntryExpired()
        return unseal(row, key)

    def mark_pre_entry_used(self, code: str, *, kiosk_id: str, now: datetime | None = None) -> None:
        """Record that ``kiosk_id`` printed the pre-entry's forms; only once.

        Raises PreEntryUsed when it already was (another kiosk may have been quicker),
        PreEntryNotFound when there is no such pre-entry.
        """
        now = aware(now) if now is not None else self._now()
        lookup, _ = lookup_of(code)
        with self._session(write=True) as session:
            changed = rowcount(
                session.execute(
                    update(PreEntryRow)
                    .where(PreEntryRow.lookup == lookup, PreEntryRow.used_at.is_(None))
                    .values(used_at=now, used_by=kiosk_id)
                )
            )
            if not changed:
                _raise_missing_or_used(session, lookup)
        log.info("pre-entry printed at kiosk %s", kiosk_id)

    def release_pre_entry(self, code: str) -> None:
        """Let the pre-entry be printed once more (counter staff); PreEntryNotFound if none."""
        lookup, _ = lookup_of(code)
        with self._session(write=True) as session:
            changed = rowcount(
                session.execute(
                    update(PreEntryRow)
                    .where(PreEntryRow.lookup == lookup)
                    .values(used_at=None, used_by=None)
                )
            )
        if not changed:
            raise PreEntryNotFound()
        log.info("a pre-entry was released for one more print")

    def purge_expired_pre_entries(self, now: datetime | None = None) -> int:
        """Delete pre-entries past their expiry (also done by ``purge_personal_data``)."""
        now = aware(now) if now is not None else self._now()
        with self._session(write=True) as session:
            count = purge_expired(session, now)
        log.info("%d expired pre-entries deleted", count)
        return count


def _raise_missing_or_used(session: Session, lookup: bytes) -> None:
    found = session.scalar(select(PreEntryRow.id).where(PreEntryRow.lookup == lookup))
    if found is None:
        raise PreEntryNotFound()
    raise PreEntryUsed()
