"""Signing in safely (kiosk.staff_signin) on SQLite and the real PostgreSQL: the wrong-PIN
count under parallel tries, the supervisors' authenticator codes, session limits."""

from __future__ import annotations

import base64
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pyotp
import pytest
from argon2 import PasswordHasher, Type
from sqlalchemy import text

from kiosk.staff import (
    MAX_FAILED_TRIES,
    SESSION_MAX,
    ChallengeExpired,
    Enrolment,
    Locked,
    SecondFactorMissing,
    SecondFactorRequired,
    SessionEnded,
    StaffAccounts,
    WrongCode,
    WrongPin,
)
from kiosk.staff_totp import STEP_SECONDS, code_at, step_at
from kiosk.storage import Store
from tests.keys import open_store
from tests.storage.conftest import FakeClock

PIN, BOSS_PIN, WRONG = "2580", "3691", "1357"
CLI = "cli:tester"
PARALLEL = 12


class CountingHasher(PasswordHasher):
    """Cheap argon2id that counts the checks per hash and takes a real check's time, so
    parallel tries overlap as they would at real counters."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=8, parallelism=1, type=Type.ID)
        self.checked: Counter[str] = Counter()
        self._lock = threading.Lock()

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        with self._lock:
            self.checked[str(hash)] += 1
        time.sleep(0.05)
        return super().verify(hash, password)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(any_db_url: str, tmp_path: Path, clock: FakeClock) -> Iterator[Store]:
    with open_store(any_db_url, tmp_path / "keys" / "kiosk.key", clock=clock) as opened:
        yield opened


@pytest.fixture
def hasher() -> CountingHasher:
    return CountingHasher()


@pytest.fixture
def accounts(store: Store, hasher: CountingHasher) -> StaffAccounts:
    accounts = StaffAccounts(store, hasher=hasher)
    accounts.add("S001", "窓口 花子", "staff", PIN, by=CLI)
    accounts.add("SV01", "管理 一郎", "supervisor", BOSS_PIN, by=CLI)
    return accounts


def _pin_hash(store: Store, staff_id: str) -> str:
    with store.transaction() as session:
        sql = text("SELECT pin_hash FROM staff WHERE staff_id = :id")
        return str(session.execute(sql, {"id": staff_id}).scalar_one())


def _actions(store: Store) -> Counter[str]:
    return Counter(f"{e.action} {e.detail}".strip() for e in store.access_events(limit=1000))


def _secret(enrolment: Enrolment) -> bytes:
    return base64.b32decode(pyotp.parse_uri(enrolment.uri).secret)


def _challenge(accounts: StaffAccounts, pin: str = BOSS_PIN) -> str:
    with pytest.raises(SecondFactorRequired) as asked:
        accounts.sign_in("SV01", pin)
    return asked.value.challenge


# -- the wrong-PIN count ----------------------------------------------------------------


def test_twelve_parallel_wrong_pins_lock_the_account_after_the_fifth(
    accounts: StaffAccounts, store: Store, hasher: CountingHasher
) -> None:
    real_hash = _pin_hash(store, "S001")
    start = threading.Barrier(PARALLEL)

    def attempt(_: int) -> str:
        start.wait()
        try:
            accounts.authenticate("S001", WRONG)
        except (WrongPin, Locked) as refused:
            return type(refused).__name__
        return "signed in"

    with ThreadPoolExecutor(PARALLEL) as pool:
        outcomes = Counter(pool.map(attempt, range(PARALLEL)))
    # Four are told how many tries are left, the fifth locks, the seven after it are
    # refused without their PIN being checked at all.
    assert outcomes == {"WrongPin": MAX_FAILED_TRIES - 1, "Locked": PARALLEL - 4}
    assert hasher.checked[real_hash] == MAX_FAILED_TRIES
    member = accounts.get("S001")
    assert member.locked_until is not None and member.failed_tries == 0
    logged = _actions(store)
    assert logged["staff_sign_in_failed tries_left=0"] == 1
    assert sum(n for a, n in logged.items() if a.startswith("staff_locked")) == 1
    assert sum(n for a, n in logged.items() if a.startswith("staff_sign_in_locked")) == 7
    with pytest.raises(Locked):
        accounts.authenticate("S001", PIN)  # even the right PIN, unchecked
    assert hasher.checked[real_hash] == MAX_FAILED_TRIES


def test_a_deactivated_accounts_wrong_pins_are_counted_too(accounts: StaffAccounts) -> None:
    accounts.deactivate("S001", by=CLI)
    for _ in range(MAX_FAILED_TRIES):
        with pytest.raises(Exception, match="Unknown staff ID") as refused:
            accounts.authenticate("S001", WRONG)
        assert not isinstance(refused.value, WrongPin)  # nothing said about the account
    assert accounts.get("S001").locked_until is not None  # no endless guessing either


# -- the second factor --------------------------------------------------------------------


def test_a_supervisor_signs_in_with_pin_then_authenticator_code(
    accounts: StaffAccounts, store: Store, clock: FakeClock
) -> None:
    secret = _secret(accounts.enrol_second_factor("SV01", by=CLI))
    challenge = _challenge(accounts)
    wrong = code_at(secret, clock.now + timedelta(minutes=5))
    with pytest.raises(WrongCode) as refused:
        accounts.complete_sign_in(challenge, wrong)
    assert refused.value.tries_left == MAX_FAILED_TRIES - 2  # the PIN and this code
    session = accounts.complete_sign_in(challenge, code_at(secret, clock.now))
    assert session.member.staff_id == "SV01" and session.member.is_supervisor
    assert accounts.get("SV01").failed_tries == 0
    assert _actions(store)["staff_signed_in second_factor"] == 1
    with pytest.raises(ChallengeExpired):  # a challenge signs in once
        accounts.complete_sign_in(challenge, code_at(secret, clock.now))


def test_staff_members_sign_in_with_the_pin_alone(accounts: StaffAccounts) -> None:
    assert accounts.sign_in("S001", PIN).member.staff_id == "S001"


def test_a_code_is_taken_once_only(accounts: StaffAccounts, clock: FakeClock) -> None:
    secret = _secret(accounts.enrol_second_factor("SV01", by=CLI))
    assert step_at(clock.now) * STEP_SECONDS == clock.now.timestamp()  # a step starts
    code = code_at(secret, clock.now)
    accounts.complete_sign_in(_challenge(accounts), code)
    clock.advance(timedelta(seconds=10))  # the same time step: the same code
    challenge = _challenge(accounts)
    with pytest.raises(WrongCode) as replayed:
        accounts.complete_sign_in(challenge, code)
    assert replayed.value.replayed
    with pytest.raises(WrongCode):  # nor the step before (still within the drift allowed)
        accounts.complete_sign_in(challenge, code_at(secret, clock.now - timedelta(seconds=30)))
    clock.advance(timedelta(seconds=STEP_SECONDS))
    session = accounts.complete_sign_in(challenge, code_at(secret, clock.now))
    assert session.member.staff_id == "SV01"


def test_wrong_codes_lock_like_wrong_pins_and_a_right_pin_resets_nothing(
    accounts: StaffAccounts, clock: FakeClock
) -> None:
    secret = _secret(accounts.enrol_second_factor("SV01", by=CLI))
    wrong = code_at(secret, clock.now + timedelta(hours=1))
    challenge = _challenge(accounts)  # try 1
    with pytest.raises(WrongCode):
        accounts.complete_sign_in(challenge, wrong)  # 2
    challenge = _challenge(accounts)  # 3: knowing the PIN gives no fresh tries
    with pytest.raises(WrongCode) as refused:
        accounts.complete_sign_in(challenge, wrong)  # 4
    assert refused.value.tries_left == 1
    with pytest.raises(Locked):
        accounts.complete_sign_in(challenge, wrong)  # 5
    with pytest.raises(ChallengeExpired):
        accounts.complete_sign_in(challenge, code_at(secret, clock.now))
    with pytest.raises(Locked):
        accounts.sign_in("SV01", BOSS_PIN)


def test_the_code_must_come_within_two_minutes(accounts: StaffAccounts, clock: FakeClock) -> None:
    secret = _secret(accounts.enrol_second_factor("SV01", by=CLI))
    challenge = _challenge(accounts)
    clock.advance(timedelta(minutes=2))
    with pytest.raises(ChallengeExpired):
        accounts.complete_sign_in(challenge, code_at(secret, clock.now))


def test_a_supervisor_without_an_authenticator_cannot_sign_in(accounts: StaffAccounts) -> None:
    with pytest.raises(SecondFactorMissing, match="enrol-totp --id SV01"):
        accounts.sign_in("SV01", BOSS_PIN)


def test_without_the_setting_supervisors_sign_in_with_the_pin(
    store: Store, accounts: StaffAccounts
) -> None:
    pin_only = StaffAccounts(store, hasher=CountingHasher(), second_factor=False)
    assert pin_only.sign_in("SV01", BOSS_PIN).member.is_supervisor


def test_the_secret_is_stored_sealed_and_never_shown(accounts: StaffAccounts, store: Store) -> None:
    enrolment = accounts.enrol_second_factor("SV01", by=CLI)
    secret = _secret(enrolment)
    assert enrolment.uri.startswith("otpauth://totp/") and "SV01" in enrolment.uri
    with store.transaction() as session:
        sql = text("SELECT totp_secret FROM staff WHERE staff_id = 'SV01'")
        stored = bytes(session.execute(sql).scalar_one())
    b32 = base64.b32encode(secret)
    assert secret not in stored and b32 not in stored and b32.rstrip(b"=") not in stored
    shown = repr(enrolment) + repr(accounts.list()) + str(_actions(store))
    assert b32.decode() not in shown and enrolment.secret_text not in shown
    assert accounts.get("SV01").second_factor
    assert _actions(store)["staff_second_factor_enrolled staff=SV01"] == 1


# -- sessions ---------------------------------------------------------------------------


def test_a_session_has_a_maximum_length(
    store: Store, accounts: StaffAccounts, clock: FakeClock
) -> None:
    session = accounts.sign_in("S001", PIN)
    assert session.expires_at == session.signed_in_at + SESSION_MAX == clock.now + SESSION_MAX
    clock.advance(SESSION_MAX - timedelta(seconds=1))
    assert accounts.check_session(session.touched(clock.now)).staff_id == "S001"
    clock.advance(timedelta(seconds=1))
    assert session.past_limit(clock.now)
    with pytest.raises(SessionEnded) as ended:
        accounts.check_session(session.touched(clock.now))  # however busy the member is
    assert ended.value.reason == "limit"
    shorter = StaffAccounts(store, hasher=CountingHasher(), session_max=timedelta(hours=2))
    assert shorter.sign_in("S001", PIN).expires_at == clock.now + timedelta(hours=2)


def test_a_deactivated_members_session_ends_at_the_next_check(accounts: StaffAccounts) -> None:
    session = accounts.sign_in("S001", PIN)
    accounts.deactivate("S001", by=CLI)
    with pytest.raises(SessionEnded) as ended:
        accounts.check_session(session)
    assert ended.value.reason == "inactive"
