"""Counter staff accounts: sign-in with a staff ID and PIN, lock-out, roles, idle sign-out.

Qt-free and blocking (call it from a worker thread). PINs are kept only as argon2id
hashes; neither a PIN nor a hash is ever logged, returned or written to the access log.
Every sign-in, failure, lock and account change is written to the access log.
"""

from __future__ import annotations

import builtins
import itertools
import logging
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session as DbSession

from kiosk.storage import AccessEvent, Store
from kiosk.storage import staff_queries as q
from kiosk.storage.models import STAFF_NAME_MAX, STAFF_ROLES, StaffRole, StaffRow

log = logging.getLogger(__name__)

MAX_FAILED_TRIES = 5  # wrong PINs in a row before the account locks
LOCK_DURATION = timedelta(minutes=15)
IDLE_SIGN_OUT_SECONDS = 300  # the counter app signs out after this long without input
PIN_MIN_LENGTH = 4
PIN_MAX_LENGTH = 8

# RFC 9106's second recommended option (64 MiB, 3 passes), 4 lanes: ~50-100 ms per try.
ARGON2_TIME_COST = 3
ARGON2_MEMORY_KIB = 64 * 1024
ARGON2_PARALLELISM = 4

_STAFF_ID = re.compile(r"[A-Z0-9][A-Z0-9._-]{0,31}")
# What an individual number looks like (as in the access log's check): never a staff ID.
_NUMBER_LIKE = re.compile(r"\d{4}[ -]?\d{4}[ -]?\d{4}")
_UNKNOWN_ACTOR = "staff:?"  # a malformed ID is not logged: it may be anything typed


def default_hasher() -> PasswordHasher:
    """argon2id with the parameters above, spelled out rather than the library's defaults."""
    return PasswordHasher(
        time_cost=ARGON2_TIME_COST,
        memory_cost=ARGON2_MEMORY_KIB,
        parallelism=ARGON2_PARALLELISM,
        hash_len=32,
        salt_len=16,
        type=Type.ID,
    )


# -- errors ---------------------------------------------------------------------


class StaffError(Exception):
    """Base of the sign-in and account errors; ``code`` is stable for the UI to translate."""

    code = "staff_error"


class UnknownStaff(StaffError):
    """No such staff ID (or a wrong PIN on a deactivated account)."""

    code = "unknown_staff"


class Inactive(StaffError):
    """The account is deactivated (only said to someone who knows its PIN)."""

    code = "staff_inactive"


class WrongPin(StaffError):
    code = "wrong_pin"

    def __init__(self, staff_id: str, tries_left: int) -> None:
        super().__init__(f"Wrong PIN for {staff_id}; {tries_left} tries left before it locks.")
        self.tries_left = tries_left


class Locked(StaffError):
    code = "staff_locked"

    def __init__(self, staff_id: str, until: datetime) -> None:
        super().__init__(
            f"Account {staff_id} is locked after {MAX_FAILED_TRIES} wrong PINs until "
            f"{until:%H:%M}; a supervisor can unlock it (ward-kiosk staff unlock)."
        )
        self.until = until


class NotAllowed(StaffError):
    code = "not_allowed"


class StaffExists(StaffError):
    code = "staff_exists"


class WeakPin(StaffError, ValueError):
    """The PIN breaks a rule; the message says which, never the PIN."""

    code = "weak_pin"


# -- values ---------------------------------------------------------------------


@dataclass(frozen=True)
class StaffMember:
    """An account as the counter app sees it: no PIN, no hash."""

    staff_id: str
    name: str
    role: StaffRole
    active: bool
    failed_tries: int
    locked_until: datetime | None
    created_at: datetime
    updated_at: datetime

    @property
    def actor(self) -> str:
        """The access log's actor for this member."""
        return staff_actor(self.staff_id)

    @property
    def is_supervisor(self) -> bool:
        return self.role == "supervisor"


@dataclass(frozen=True)
class Session:
    """A signed-in member at a counter. Pure: the app calls ``touched`` on every input and
    signs out when ``expired`` (checked by a timer)."""

    member: StaffMember
    signed_in_at: datetime
    last_activity: datetime

    def touched(self, now: datetime) -> Session:
        return replace(self, last_activity=now)

    def expired(self, now: datetime, idle_seconds: float = IDLE_SIGN_OUT_SECONDS) -> bool:
        return now - self.last_activity >= timedelta(seconds=idle_seconds)


def staff_actor(staff_id: str) -> str:
    return f"staff:{staff_id}"


def normalise_staff_id(staff_id: str) -> str:
    return staff_id.strip().upper()


def check_staff_id(staff_id: str) -> str:
    """The normalised ID, or ValueError: 1-32 of A-Z 0-9 . _ -, not like an individual number."""
    value = normalise_staff_id(staff_id)
    if not _STAFF_ID.fullmatch(value) or _NUMBER_LIKE.search(value):
        raise ValueError(
            "staff ID must be 1 to 32 letters, digits, '.', '_' or '-', starting with a "
            "letter or digit, and must not look like an individual number (12 digits)"
        )
    return value


def check_pin(pin: str, *, staff_id: str | None = None) -> None:
    """Raise WeakPin unless ``pin`` is 4-8 ASCII digits and not trivially guessed.

    Refused: one digit repeated (0000), a run up or down (1234, 9876, 7890, wrapping
    round 0), a short group repeated (1212, 123123) and the staff ID itself. These are
    the PINs tried first; with 5 tries per 15 minutes each one refused matters.
    """
    if not (pin.isascii() and pin.isdigit()):
        raise WeakPin("PIN must be digits 0-9 only")
    if not PIN_MIN_LENGTH <= len(pin) <= PIN_MAX_LENGTH:
        raise WeakPin(f"PIN must be {PIN_MIN_LENGTH} to {PIN_MAX_LENGTH} digits")
    steps = {(int(b) - int(a)) % 10 for a, b in itertools.pairwise(pin)}
    if steps == {0}:
        raise WeakPin("PIN must not be one digit repeated (like 0000)")
    if steps in ({1}, {9}):
        raise WeakPin("PIN must not be a run of digits up or down (like 1234 or 9876)")
    for size in range(2, len(pin) // 2 + 1):
        if len(pin) % size == 0 and pin == pin[:size] * (len(pin) // size):
            raise WeakPin("PIN must not repeat a short group of digits (like 1212)")
    if staff_id is not None and pin == normalise_staff_id(staff_id):
        raise WeakPin("PIN must not be the staff ID")


# -- the accounts ---------------------------------------------------------------


class StaffAccounts:
    """Staff accounts in the kiosk database (the ``staff`` table, revision 0006).

    Management methods take ``by``: a ``StaffMember`` (must be an active supervisor,
    checked against the database) or an actor string such as ``"cli:<user>"`` for IT
    tools that run with database access anyway.
    """

    def __init__(self, store: Store, *, hasher: PasswordHasher | None = None) -> None:
        self._store = store
        self._hasher = hasher or default_hasher()
        self._dummy: str | None = None

    # -- sign-in ------------------------------------------------------------------

    def authenticate(self, staff_id: str, pin: str) -> StaffMember:
        """The member, or WrongPin (tries left), Locked (until), UnknownStaff, Inactive."""
        now = self._store.now()
        key = normalise_staff_id(staff_id)
        valid = bool(_STAFF_ID.fullmatch(key)) and not _NUMBER_LIKE.search(key)
        row = None
        if valid:
            with self._store.transaction() as session:
                row = q.by_staff_id(session, key)
        if row is None:
            self._verify(self._dummy_hash(), pin)
            self._log(staff_actor(key) if valid else _UNKNOWN_ACTOR, "staff_sign_in_unknown")
            raise UnknownStaff("Unknown staff ID or wrong PIN.")
        if row.locked_until is not None and row.locked_until > now:
            self._verify(self._dummy_hash(), pin)
            self._log(staff_actor(key), "staff_sign_in_locked", _until(row.locked_until))
            raise Locked(key, row.locked_until.astimezone())
        correct = self._verify(row.pin_hash, pin)
        if not row.active:
            self._log(staff_actor(key), "staff_sign_in_inactive")
            if correct:
                raise Inactive(f"Account {key} is deactivated; ask a supervisor.")
            raise UnknownStaff("Unknown staff ID or wrong PIN.")
        if not correct:
            self._count_failure(key, now)
        new_hash = self._hasher.hash(pin) if self._needs_rehash(row.pin_hash) else None
        with self._store.transaction(write=True) as session:
            locked = _locked_row(session, key)
            q.record_success(locked, now=now, new_hash=new_hash)
            member = _to_member(locked)
        self._log(member.actor, "staff_signed_in", "pin_rehashed" if new_hash else "")
        log.info("staff %s signed in", key)
        return member

    def sign_in(self, staff_id: str, pin: str) -> Session:
        """``authenticate`` and start an idle-timed Session."""
        member = self.authenticate(staff_id, pin)
        now = self._store.now()
        return Session(member=member, signed_in_at=now, last_activity=now)

    def sign_out(self, session: Session, *, reason: str = "user") -> None:
        """Record the sign-out (``reason``: ``user`` or ``idle``)."""
        if reason not in ("user", "idle"):
            raise ValueError("sign-out reason must be 'user' or 'idle'")
        self._log(session.member.actor, "staff_signed_out", f"reason={reason}")

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
            member = _to_member(
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
        """Every account, by ID; never hashes."""
        with self._store.transaction() as session:
            return [_to_member(r) for r in q.all_staff(session, include_inactive=include_inactive)]

    def get(self, staff_id: str) -> StaffMember:
        key = normalise_staff_id(staff_id)
        with self._store.transaction() as session:
            row = q.by_staff_id(session, key)
            if row is None:
                raise UnknownStaff(f"No staff account {key}.")
            return _to_member(row)

    def require_supervisor(self, member: StaffMember) -> str:
        """The member's actor, or NotAllowed unless they are an active supervisor now."""
        if not isinstance(member, StaffMember):
            raise NotAllowed("only a signed-in supervisor may do this")
        with self._store.transaction() as session:
            return _authorise(session, member)

    def access_log(self, by: StaffMember, *, limit: int = 100) -> builtins.list[AccessEvent]:
        """The access log for a supervisor (the viewing itself is logged)."""
        with self._store.transaction() as session:
            actor = _authorise(session, by)
        self._log(actor, "access_log_viewed")
        return self._store.access_events(limit=limit)

    # -- internals ----------------------------------------------------------------

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

    def _count_failure(self, key: str, now: datetime) -> None:
        lock_until = now + LOCK_DURATION
        with self._store.transaction(write=True) as session:
            row = _locked_row(session, key)
            if row.locked_until is not None and row.locked_until > now:
                until: datetime | None = row.locked_until  # another counter locked it
                newly = False
            else:
                newly = q.record_failure(
                    row, now=now, max_tries=MAX_FAILED_TRIES, lock_until=lock_until
                )
                until = row.locked_until if newly else None
            tries_left = MAX_FAILED_TRIES - row.failed_tries
        actor = staff_actor(key)
        if until is None:
            self._log(actor, "staff_sign_in_failed", f"tries_left={tries_left}")
            raise WrongPin(key, tries_left)
        if newly:
            self._log(actor, "staff_sign_in_failed", "tries_left=0")
            self._log(actor, "staff_locked", _until(until))
            log.warning("staff %s locked after %d wrong PINs", key, MAX_FAILED_TRIES)
        raise Locked(key, until.astimezone())

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
            row = _locked_row(session, key)
            change(row)
            row.updated_at = now
            member = _to_member(row)
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


def _locked_row(session: DbSession, key: str) -> StaffRow:
    row = q.by_staff_id(session, key, lock=True)
    if row is None:  # accounts are deactivated, never deleted
        raise UnknownStaff(f"No staff account {key}.")
    return row


def _check_role(role: str) -> None:
    if role not in STAFF_ROLES:
        raise ValueError(f"role must be one of {', '.join(STAFF_ROLES)}")


def _until(value: datetime) -> str:
    return f"until={value.astimezone(UTC).isoformat(timespec='minutes')}"


def _to_member(row: StaffRow) -> StaffMember:
    return StaffMember(
        staff_id=row.staff_id,
        name=row.display_name,
        role=row.role,  # type: ignore[arg-type]  # the check constraint keeps it a role
        active=row.active,
        failed_tries=row.failed_tries,
        locked_until=row.locked_until.astimezone() if row.locked_until else None,
        created_at=row.created_at.astimezone(),
        updated_at=row.updated_at.astimezone(),
    )
