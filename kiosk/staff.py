"""Counter staff accounts: sign-in (``kiosk.staff_signin``), roles, lock-out, second
factor enrolment and the account changes a supervisor or IT makes.

Qt-free and blocking (call it from a worker thread). PINs are kept only as argon2id
hashes and authenticator secrets only sealed (``kiosk.staff_secrets``); neither a PIN,
a hash nor a secret is ever logged or written to the access log. Every sign-in,
failure, lock and account change is written to the access log. The values, errors and
rules live in ``kiosk.staff_members`` and are re-exported here.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from argon2 import PasswordHasher
from sqlalchemy.orm import Session as DbSession

from kiosk import staff_totp
from kiosk.staff_members import (
    IDLE_SIGN_OUT_SECONDS,
    LOCK_DURATION,
    MAX_FAILED_TRIES,
    PIN_MAX_LENGTH,
    PIN_MIN_LENGTH,
    SESSION_MAX,
    ChallengeExpired,
    Inactive,
    Locked,
    NotAllowed,
    SecondFactorMissing,
    SecondFactorRequired,
    Session,
    SessionEnded,
    StaffError,
    StaffExists,
    StaffMember,
    UnknownStaff,
    WeakPin,
    WrongCode,
    WrongPin,
    check_pin,
    check_staff_id,
    default_hasher,
    normalise_staff_id,
    staff_actor,
)
from kiosk.staff_secrets import seal_secret
from kiosk.staff_signin import SignIn, current_member, locked_row, to_member
from kiosk.storage import AccessEvent, Store
from kiosk.storage import staff_queries as q
from kiosk.storage.models import STAFF_NAME_MAX, STAFF_ROLES, StaffRole, StaffRow

__all__ = [
    "IDLE_SIGN_OUT_SECONDS",
    "LOCK_DURATION",
    "MAX_FAILED_TRIES",
    "PIN_MAX_LENGTH",
    "PIN_MIN_LENGTH",
    "SESSION_MAX",
    "ChallengeExpired",
    "Enrolment",
    "Inactive",
    "Locked",
    "NotAllowed",
    "SecondFactorMissing",
    "SecondFactorRequired",
    "Session",
    "SessionEnded",
    "StaffAccounts",
    "StaffError",
    "StaffExists",
    "StaffMember",
    "UnknownStaff",
    "WeakPin",
    "WrongCode",
    "WrongPin",
    "check_pin",
    "check_staff_id",
    "current_member",
    "default_hasher",
    "normalise_staff_id",
    "staff_actor",
]


@dataclass(frozen=True)
class Enrolment:
    """A new authenticator secret, to show once (QR code or typed); never stored like this."""

    member: StaffMember
    uri: str = field(repr=False)  # otpauth://totp/...
    secret_text: str = field(repr=False)  # base32 in groups of four


class StaffAccounts:
    """Staff accounts in the kiosk database (the ``staff`` table, revisions 0006 and 0008).

    ``second_factor``: supervisors sign in with an authenticator code after the PIN.
    ``session_max``: how long a session lasts at most. Management methods take ``by``:
    a ``StaffMember`` (must be an active supervisor, checked against the database) or an
    actor string such as ``"cli:<user>"`` for IT tools that run with database access.
    """

    def __init__(
        self,
        store: Store,
        *,
        hasher: PasswordHasher | None = None,
        second_factor: bool = True,
        session_max: timedelta = SESSION_MAX,
        issuer: str = "Ward kiosk",
    ) -> None:
        self._store = store
        self._hasher = hasher or default_hasher()
        self._issuer = issuer
        self._signin = SignIn(
            store, self._hasher, second_factor=second_factor, session_max=session_max
        )

    # -- sign-in (kiosk.staff_signin) -----------------------------------------------

    @property
    def second_factor(self) -> bool:
        return self._signin.second_factor

    def authenticate(self, staff_id: str, pin: str) -> StaffMember:
        """The member; or WrongPin, Locked, UnknownStaff, Inactive, SecondFactorMissing,
        and SecondFactorRequired (a supervisor's PIN was right: the code comes next)."""
        return self._signin.authenticate(staff_id, pin)

    def sign_in(self, staff_id: str, pin: str) -> Session:
        """``authenticate`` and start a Session (idle-timed by the app, limited here)."""
        return self._signin.sign_in(staff_id, pin)

    def complete_sign_in(self, challenge: str, code: str) -> Session:
        """A supervisor's second step: WrongCode (also for a code used before), Locked,
        ChallengeExpired (start again with the PIN)."""
        return self._signin.complete_sign_in(challenge, code)

    def sign_out(self, session: Session, *, reason: str = "user") -> None:
        """Record the sign-out (``reason``: user, idle, limit or ended)."""
        self._signin.sign_out(session, reason=reason)

    def check_session(self, session: Session) -> StaffMember:
        """The session's member as the database has them now (see ``current_member``)."""
        return current_member(self._store, session)

    # -- account management ---------------------------------------------------------

    def add(
        self, staff_id: str, name: str, role: StaffRole, pin: str, *, by: StaffMember | str
    ) -> StaffMember:
        key = check_staff_id(staff_id)
        name = name.strip()
        if not name or len(name) > STAFF_NAME_MAX:
            raise ValueError(f"display name must be 1 to {STAFF_NAME_MAX} characters")
        _check_role(role)
        check_pin(pin, staff_id=key)
        pin_hash = self._hasher.hash(pin)
        now = self._store.now()
        with self._store.transaction(write=True) as session:
            actor = _authorise(session, by)
            if q.by_staff_id(session, key) is not None:
                raise StaffExists(f"Staff ID {key} already exists.")
            member = to_member(
                q.insert(session, staff_id=key, name=name, role=role, pin_hash=pin_hash, now=now)
            )
        self._log(actor, "staff_added", f"staff={key} role={role}")
        return member

    def change_pin(self, staff_id: str, new_pin: str, *, by: StaffMember | str) -> StaffMember:
        """Set a new PIN; also clears failed tries and any lock."""
        key = normalise_staff_id(staff_id)
        check_pin(new_pin, staff_id=key)
        pin_hash = self._hasher.hash(new_pin)

        def change(row: StaffRow) -> None:
            row.pin_hash = pin_hash
            row.failed_tries = 0
            row.locked_until = None

        return self._update(key, by, change, "staff_pin_changed")

    def enrol_second_factor(self, staff_id: str, *, by: StaffMember | str) -> Enrolment:
        """A new authenticator secret for ``staff_id`` (replacing any earlier one), sealed
        in the database; the returned URI and text are the only time it is shown."""
        key = normalise_staff_id(staff_id)
        secret = staff_totp.new_secret()
        sealed = seal_secret(self._store, key, secret)
        member = self._update(
            key, by, lambda row: q.set_totp_secret(row, sealed), "staff_second_factor_enrolled"
        )
        uri = staff_totp.provisioning_uri(secret, key, self._issuer)
        return Enrolment(member, uri=uri, secret_text=staff_totp.secret_text(secret))

    def set_role(self, staff_id: str, role: StaffRole, *, by: StaffMember | str) -> StaffMember:
        _check_role(role)

        def change(row: StaffRow) -> None:
            row.role = role

        return self._update(
            normalise_staff_id(staff_id), by, change, "staff_role_changed", f"role={role}"
        )

    def deactivate(self, staff_id: str, *, by: StaffMember | str) -> StaffMember:
        """Accounts are never deleted (the access log names them); they are deactivated."""

        def change(row: StaffRow) -> None:
            row.active = False

        return self._update(normalise_staff_id(staff_id), by, change, "staff_deactivated")

    def unlock(self, staff_id: str, *, by: StaffMember | str) -> StaffMember:
        def change(row: StaffRow) -> None:
            row.failed_tries = 0
            row.locked_until = None

        return self._update(normalise_staff_id(staff_id), by, change, "staff_unlocked")

    def list(self, *, include_inactive: bool = True) -> builtins.list[StaffMember]:
        """Every account, by ID; never hashes or secrets."""
        with self._store.transaction() as session:
            return [to_member(r) for r in q.all_staff(session, include_inactive=include_inactive)]

    def get(self, staff_id: str) -> StaffMember:
        key = normalise_staff_id(staff_id)
        with self._store.transaction() as session:
            row = q.by_staff_id(session, key)
            if row is None:
                raise UnknownStaff(f"No staff account {key}.")
            return to_member(row)

    def require_supervisor(self, member: StaffMember) -> str:
        """The member's actor, or NotAllowed unless they are an active supervisor now."""
        if not isinstance(member, StaffMember):
            raise NotAllowed("only a signed-in supervisor may do this")
        with self._store.transaction() as session:
            return _authorise(session, member)

    def access_log(self, by: StaffMember, *, limit: int = 100) -> builtins.list[AccessEvent]:
        """The access log for a supervisor (the viewing is logged)."""
        with self._store.transaction() as session:
            actor = _authorise(session, by)
        self._log(actor, "access_log_viewed")
        return self._store.access_events(limit=limit)

    # -- internals ----------------------------------------------------------------

    def _update(
        self,
        key: str,
        by: StaffMember | str,
        change: Callable[[StaffRow], None],
        action: str,
        detail: str = "",
    ) -> StaffMember:
        now = self._store.now()
        with self._store.transaction(write=True) as session:
            actor = _authorise(session, by)
            row = locked_row(session, key)
            change(row)
            row.updated_at = now
            member = to_member(row)
        self._log(actor, action, " ".join(filter(None, (f"staff={key}", detail))))
        return member

    def _log(self, actor: str, action: str, detail: str = "") -> None:
        self._store.log_access(actor=actor, action=action, visit_reference=None, detail=detail)


def _authorise(session: DbSession, by: StaffMember | str) -> str:
    """The actor string; a member must be an active supervisor now (not just at sign-in)."""
    if isinstance(by, str):
        if not by.startswith("cli:"):
            raise NotAllowed("account changes come from a supervisor or 'cli:<user>'")
        return by
    row = q.by_staff_id(session, by.staff_id)
    if row is None or not row.active or row.role != "supervisor":
        raise NotAllowed(f"{by.staff_id} is not an active supervisor.")
    return by.actor


def _check_role(role: str) -> None:
    if role not in STAFF_ROLES:
        raise ValueError(f"role must be one of {', '.join(STAFF_ROLES)}")
