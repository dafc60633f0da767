"""Counter staff: the values (member, session), the errors, and the ID and PIN rules.

Qt-free and free of the database; ``kiosk.staff`` keeps the accounts and re-exports
everything here, so callers import from ``kiosk.staff``.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

from argon2 import PasswordHasher, Type

from kiosk.storage.models import StaffRole

MAX_FAILED_TRIES = 5  # wrong PINs or codes in a row before the account locks
LOCK_DURATION = timedelta(minutes=15)
IDLE_SIGN_OUT_SECONDS = 300  # the counter app signs out after this long without input
SESSION_MAX = timedelta(hours=10)  # a session ends this long after sign-in, whatever happens
PIN_MIN_LENGTH = 4
PIN_MAX_LENGTH = 8

# RFC 9106's second recommended option (64 MiB, 3 passes), 4 lanes: ~50-100 ms per try.
ARGON2_TIME_COST = 3
ARGON2_MEMORY_KIB = 64 * 1024
ARGON2_PARALLELISM = 4

STAFF_ID = re.compile(r"[A-Z0-9][A-Z0-9._-]{0,31}")
# What an individual number looks like (as in the access log's check): never a staff ID.
NUMBER_LIKE = re.compile(r"\d{4}[ -]?\d{4}[ -]?\d{4}")

SignOutReason = Literal["user", "idle", "limit", "ended"]
SIGN_OUT_REASONS: tuple[str, ...] = ("user", "idle", "limit", "ended")


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


class WrongCode(StaffError):
    """A wrong (or already used) authenticator code; counted like a wrong PIN."""

    code = "wrong_code"

    def __init__(self, staff_id: str, tries_left: int, *, replayed: bool = False) -> None:
        what = "was already used" if replayed else "is wrong"
        super().__init__(
            f"The authenticator code for {staff_id} {what}; wait for the next code. "
            f"{tries_left} tries left before the account locks."
        )
        self.tries_left = tries_left
        self.replayed = replayed


class Locked(StaffError):
    code = "staff_locked"

    def __init__(self, staff_id: str, until: datetime) -> None:
        super().__init__(
            f"Account {staff_id} is locked after {MAX_FAILED_TRIES} wrong tries until "
            f"{until:%H:%M}; a supervisor can unlock it (ward-kiosk staff unlock)."
        )
        self.until = until


class SecondFactorRequired(StaffError):
    """The PIN is right; a supervisor now types the authenticator code for ``challenge``.

    Not a refusal: the counter app asks for the code and calls
    ``StaffAccounts.complete_sign_in(challenge, code)``. The PIN is not needed again.
    """

    code = "second_factor_required"

    def __init__(self, staff_id: str, challenge: str) -> None:
        super().__init__(f"{staff_id} signs in with an authenticator code as well.")
        self.challenge = challenge


class SecondFactorMissing(StaffError):
    code = "second_factor_missing"

    def __init__(self, staff_id: str) -> None:
        super().__init__(
            f"Supervisor {staff_id} has no authenticator app enrolled. IT enrols one with "
            f"'ward-kiosk staff enrol-totp --id {staff_id}'."
        )


class ChallengeExpired(StaffError):
    """The code came too late (or for no pending sign-in): start again with the PIN."""

    code = "challenge_expired"


class SessionEnded(StaffError):
    """The session may not act any more: past its lifetime, or the account was
    deactivated or removed since sign-in. The app signs out."""

    code = "session_ended"

    def __init__(self, staff_id: str, reason: Literal["limit", "inactive"]) -> None:
        why = (
            "has reached its maximum length"
            if reason == "limit"
            else "belongs to an account that is no longer active"
        )
        super().__init__(f"The session of {staff_id} {why}; sign in again.")
        self.reason = reason


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
    """An account as the counter app sees it: no PIN, no hash, no secret."""

    staff_id: str
    name: str
    role: StaffRole
    active: bool
    failed_tries: int
    locked_until: datetime | None
    created_at: datetime
    updated_at: datetime
    second_factor: bool = False  # an authenticator app is enrolled

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
    signs out when ``expired`` (idle) or ``past_limit`` (checked by a timer). ``member``
    is the account as it was at sign-in: actions read it again from the database."""

    member: StaffMember
    signed_in_at: datetime
    last_activity: datetime
    expires_at: datetime

    def touched(self, now: datetime) -> Session:
        return replace(self, last_activity=now)

    def expired(self, now: datetime, idle_seconds: float = IDLE_SIGN_OUT_SECONDS) -> bool:
        return now - self.last_activity >= timedelta(seconds=idle_seconds)

    def past_limit(self, now: datetime) -> bool:
        """True once the maximum session length is over, however busy the member is."""
        return now >= self.expires_at


def staff_actor(staff_id: str) -> str:
    return f"staff:{staff_id}"


def normalise_staff_id(staff_id: str) -> str:
    return staff_id.strip().upper()


def valid_staff_id(key: str) -> bool:
    """True for a normalised ID that may exist (the rule of ``check_staff_id``)."""
    return bool(STAFF_ID.fullmatch(key)) and not NUMBER_LIKE.search(key)


def check_staff_id(staff_id: str) -> str:
    """The normalised ID, or ValueError: 1-32 of A-Z 0-9 . _ -, not like an individual number."""
    value = normalise_staff_id(staff_id)
    if not valid_staff_id(value):
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
