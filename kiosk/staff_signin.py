"""Signing in at the counter: a staff ID and PIN, and for supervisors an authenticator code.

Every try is counted in the database (one atomic UPDATE) *before* its PIN or code is
checked, so parallel tries cannot exceed the limit: the try that reaches it locks the
account, and the tries after it are refused without any check. A right PIN resets the
count only when the sign-in is complete, so knowing a supervisor's PIN gives no more
guesses at the code. Used through ``kiosk.staff.StaffAccounts``.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import NoReturn

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session as DbSession

from kiosk import staff_totp
from kiosk.staff_members import (
    LOCK_DURATION,
    MAX_FAILED_TRIES,
    SIGN_OUT_REASONS,
    ChallengeExpired,
    Inactive,
    Locked,
    SecondFactorMissing,
    SecondFactorRequired,
    Session,
    SessionEnded,
    StaffMember,
    UnknownStaff,
    WrongCode,
    WrongPin,
    normalise_staff_id,
    staff_actor,
    valid_staff_id,
)
from kiosk.staff_secrets import SecretUnreadable, open_secret
from kiosk.storage import Store
from kiosk.storage import staff_queries as q
from kiosk.storage.models import StaffRow

log = logging.getLogger(__name__)

CHALLENGE_TIME = timedelta(minutes=2)  # from a right PIN to the authenticator code
_UNKNOWN_ACTOR = "staff:?"  # a malformed ID is not logged: it may be anything typed


class _StepUsed(Exception):
    """The code's time step was accepted before: a replay (rolls the transaction back)."""


@dataclass(frozen=True)
class _Pending:
    staff_id: str
    expires_at: datetime


class SignIn:
    """The sign-in of one counter app (it keeps the pending second-factor challenges)."""

    def __init__(
        self,
        store: Store,
        hasher: PasswordHasher,
        *,
        second_factor: bool,
        session_max: timedelta,
    ) -> None:
        self._store = store
        self._hasher = hasher
        self._dummy: str | None = None
        self.second_factor = second_factor
        self.session_max = session_max
        self._pending: dict[str, _Pending] = {}
        self._pending_lock = threading.Lock()

    def authenticate(self, staff_id: str, pin: str) -> StaffMember:
        """The member; or WrongPin, Locked, UnknownStaff, Inactive, SecondFactorMissing,
        and SecondFactorRequired (a supervisor's PIN was right: the code comes next)."""
        key = normalise_staff_id(staff_id)
        if not valid_staff_id(key):
            self._verify(self._dummy_hash(), pin)
            self._log(_UNKNOWN_ACTOR, "staff_sign_in_unknown")
            raise UnknownStaff("Unknown staff ID or wrong PIN.")
        now = self._store.now()
        counted = self._count_try(key, now, lambda: self._verify(self._dummy_hash(), pin))
        correct = self._verify(counted.pin_hash, pin)  # only once the try is counted
        if not counted.active:
            self._log(staff_actor(key), "staff_sign_in_inactive")
            if correct:
                raise Inactive(f"Account {key} is deactivated; ask a supervisor.")
            raise UnknownStaff("Unknown staff ID or wrong PIN.")
        if not correct:
            self._refuse(key, counted, now, WrongPin(key, _left(counted)))
        if self.second_factor and counted.role == "supervisor":
            self._ask_for_code(key, counted, now)
        new_hash = self._hasher.hash(pin) if self._needs_rehash(counted.pin_hash) else None
        return self._succeed(key, now, new_hash=new_hash)

    def sign_in(self, staff_id: str, pin: str) -> Session:
        """``authenticate`` and start a Session (idle-timed by the app, limited here)."""
        return self._session(self.authenticate(staff_id, pin))

    def complete_sign_in(self, challenge: str, code: str) -> Session:
        """The second step of a supervisor's sign-in: the authenticator code.

        WrongCode (also for a code already used), Locked, ChallengeExpired (start again
        with the PIN). Each code is counted like a PIN before it is checked.
        """
        now = self._store.now()
        key = self._pending_staff(challenge, now)
        try:
            counted = self._count_try(key, now, lambda: None)
            if not counted.active or counted.totp_secret is None:
                raise ChallengeExpired("The account changed since the PIN; sign in again.")
            secret = open_secret(self._store, key, counted.totp_secret)
            step = staff_totp.matching_step(secret, code, now)
            if step is None:
                self._refuse(key, counted, now, WrongCode(key, _left(counted)))
            try:
                member = self._succeed(key, now, step=step)
            except _StepUsed:
                self._refuse(key, counted, now, WrongCode(key, _left(counted), replayed=True))
        except (Locked, ChallengeExpired, UnknownStaff, SecretUnreadable):
            self._forget(challenge)
            raise
        self._forget(challenge)
        return self._session(member)

    def sign_out(self, session: Session, *, reason: str = "user") -> None:
        """Record the sign-out (``reason``: user, idle, limit or ended)."""
        if reason not in SIGN_OUT_REASONS:
            raise ValueError(f"sign-out reason must be one of {', '.join(SIGN_OUT_REASONS)}")
        self._log(session.member.actor, "staff_signed_out", f"reason={reason}")

    def _count_try(self, key: str, now: datetime, as_long: Callable[[], object]) -> q.CountedTry:
        """Count a try in the database before anything is checked; a locked or unknown
        account is refused with nothing checked (``as_long`` takes a check's time)."""
        with self._store.transaction(write=True) as session:
            counted = q.count_try(
                session, key, now=now, max_tries=MAX_FAILED_TRIES, lock_until=now + LOCK_DURATION
            )
            row = q.by_staff_id(session, key) if counted is None else None
            state = (row.active, row.locked_until) if row is not None else None
        if counted is not None:
            return counted
        as_long()
        actor = staff_actor(key)
        if state is None or not state[0] or state[1] is None:
            self._log(actor, "staff_sign_in_unknown" if state is None else "staff_sign_in_inactive")
            raise UnknownStaff("Unknown staff ID or wrong PIN.")
        self._log(actor, "staff_sign_in_locked", until_text(state[1]))
        raise Locked(key, state[1].astimezone())

    def _refuse(
        self, key: str, counted: q.CountedTry, now: datetime, error: WrongPin | WrongCode
    ) -> NoReturn:
        actor = staff_actor(key)
        failed = "staff_code_failed" if isinstance(error, WrongCode) else "staff_sign_in_failed"
        if not counted.locks:
            self._log(actor, failed, f"tries_left={error.tries_left}")
            raise error
        until = now + LOCK_DURATION
        self._log(actor, failed, "tries_left=0")
        self._log(actor, "staff_locked", until_text(until))
        log.warning("staff %s locked after %d wrong tries", key, MAX_FAILED_TRIES)
        raise Locked(key, until.astimezone())

    def _ask_for_code(self, key: str, counted: q.CountedTry, now: datetime) -> NoReturn:
        """The PIN was right; the count stays until the code is right too."""
        actor = staff_actor(key)
        if counted.locks:  # the PIN was the last try: no code may follow
            self._log(actor, "staff_locked", until_text(now + LOCK_DURATION))
            raise Locked(key, (now + LOCK_DURATION).astimezone())
        if counted.totp_secret is None:
            self._log(actor, "staff_second_factor_missing")
            raise SecondFactorMissing(key)
        challenge = secrets.token_urlsafe(24)
        with self._pending_lock:
            self._pending = {c: p for c, p in self._pending.items() if p.expires_at > now}
            self._pending[challenge] = _Pending(key, now + CHALLENGE_TIME)
        self._log(actor, "staff_pin_accepted", "second_factor=asked")
        raise SecondFactorRequired(key, challenge)

    def _pending_staff(self, challenge: str, now: datetime) -> str:
        with self._pending_lock:
            pending = self._pending.get(challenge)
            if pending is not None and pending.expires_at <= now:
                del self._pending[challenge]
                pending = None
        if pending is None:
            raise ChallengeExpired("The time for the code is over; sign in again with the PIN.")
        return pending.staff_id

    def _forget(self, challenge: str) -> None:
        with self._pending_lock:
            self._pending.pop(challenge, None)

    def _succeed(
        self, key: str, now: datetime, *, new_hash: str | None = None, step: int | None = None
    ) -> StaffMember:
        """Reset the count and sign in; _StepUsed if ``step`` (the code's) was used before."""
        with self._store.transaction(write=True) as session:
            if step is not None and not q.claim_totp_step(session, key, step):
                raise _StepUsed
            row = locked_row(session, key)
            if not row.active:
                raise Inactive(f"Account {key} is deactivated; ask a supervisor.")
            q.record_success(row, now=now, new_hash=new_hash)
            member = to_member(row)
        detail = " ".join(
            filter(None, ("second_factor" if step else "", "pin_rehashed" if new_hash else ""))
        )
        self._log(member.actor, "staff_signed_in", detail)
        log.info("staff %s signed in", key)
        return member

    def _session(self, member: StaffMember) -> Session:
        now = self._store.now()
        return Session(
            member=member, signed_in_at=now, last_activity=now, expires_at=now + self.session_max
        )

    def _dummy_hash(self) -> str:
        """Unknown IDs are verified against this, so they take as long as known ones."""
        if self._dummy is None:
            self._dummy = self._hasher.hash(secrets.token_hex(16))
        return self._dummy

    def _verify(self, pin_hash: str, pin: str) -> bool:
        try:
            return self._hasher.verify(pin_hash, pin)
        except (VerificationError, InvalidHashError):
            return False

    def _needs_rehash(self, pin_hash: str) -> bool:
        try:
            return self._hasher.check_needs_rehash(pin_hash)
        except InvalidHashError:
            return True

    def _log(self, actor: str, action: str, detail: str = "") -> None:
        self._store.log_access(actor=actor, action=action, visit_reference=None, detail=detail)


def current_member(store: Store, session: Session) -> StaffMember:
    """The session's member as the database has them *now* (role included).

    SessionEnded when the session is past its maximum length, or the account was
    deactivated (or is gone) since sign-in. Every counter action starts with this.
    """
    staff_id = session.member.staff_id
    if session.past_limit(store.now()):
        raise SessionEnded(staff_id, "limit")
    with store.transaction() as db:
        row = q.by_staff_id(db, staff_id)
        if row is None or not row.active:
            raise SessionEnded(staff_id, "inactive")
        return to_member(row)


def locked_row(session: DbSession, key: str) -> StaffRow:
    row = q.by_staff_id(session, key, lock=True)
    if row is None:  # accounts are deactivated, never deleted
        raise UnknownStaff(f"No staff account {key}.")
    return row


def _left(counted: q.CountedTry) -> int:
    return 0 if counted.locks else MAX_FAILED_TRIES - counted.failed_tries


def until_text(value: datetime) -> str:
    return f"until={value.astimezone(UTC).isoformat(timespec='minutes')}"


def to_member(row: StaffRow) -> StaffMember:
    return StaffMember(
        staff_id=row.staff_id,
        name=row.display_name,
        role=row.role,  # type: ignore[arg-type]  # the check constraint keeps it a role
        active=row.active,
        failed_tries=row.failed_tries,
        locked_until=row.locked_until.astimezone() if row.locked_until else None,
        created_at=row.created_at.astimezone(),
        updated_at=row.updated_at.astimezone(),
        second_factor=row.totp_secret is not None,
    )
