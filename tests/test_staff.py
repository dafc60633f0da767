"""Staff accounts (kiosk.staff, ward-kiosk staff) on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher, Type
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from kiosk.cli import main
from kiosk.staff import (
    LOCK_DURATION,
    MAX_FAILED_TRIES,
    Inactive,
    Locked,
    NotAllowed,
    Session,
    StaffAccounts,
    StaffExists,
    UnknownStaff,
    WeakPin,
    WrongPin,
    check_pin,
    default_hasher,
)
from kiosk.storage import Store
from tests.keys import key_pair, open_store
from tests.storage.conftest import FakeClock

PIN = "2580"
CLI = "cli:tester"


def _cheap_hasher(time_cost: int = 1) -> PasswordHasher:
    # Fast parameters for tests; production uses default_hasher() (64 MiB).
    return PasswordHasher(time_cost=time_cost, memory_cost=8, parallelism=1, type=Type.ID)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(any_db_url: str, tmp_path: Path, clock: FakeClock) -> Iterator[Store]:
    with open_store(any_db_url, tmp_path / "keys" / "kiosk.key", clock=clock) as opened:
        yield opened


@pytest.fixture
def accounts(store: Store) -> StaffAccounts:
    accounts = StaffAccounts(store, hasher=_cheap_hasher())
    accounts.add("s001", "山田 太郎", "staff", PIN, by=CLI)
    return accounts


def _hashes(store: Store) -> list[str]:
    with store.transaction() as session:
        return [row[0] for row in session.execute(text("SELECT pin_hash FROM staff"))]


def _log_text(store: Store) -> str:
    return "\n".join(f"{e.actor} {e.action} {e.detail}" for e in store.access_events(limit=1000))


def test_sign_in_ok_and_logged(accounts: StaffAccounts, store: Store) -> None:
    member = accounts.authenticate(" S001 ", PIN)
    assert (member.staff_id, member.name, member.role) == ("S001", "山田 太郎", "staff")
    assert member.actor == "staff:S001"
    events = store.access_events()
    assert (events[0].actor, events[0].action) == ("staff:S001", "staff_signed_in")
    assert (events[1].actor, events[1].action, events[1].detail) == (
        CLI,
        "staff_added",
        "staff=S001 role=staff",
    )


def test_wrong_pin_counts_down_and_success_resets(accounts: StaffAccounts, store: Store) -> None:
    for left in (4, 3):
        with pytest.raises(WrongPin) as caught:
            accounts.authenticate("S001", "1357")
        assert caught.value.tries_left == left
        assert "1357" not in str(caught.value)
    assert accounts.get("S001").failed_tries == 2
    accounts.authenticate("S001", PIN)
    assert accounts.get("S001").failed_tries == 0
    with pytest.raises(WrongPin) as caught:
        accounts.authenticate("S001", "1357")
    assert caught.value.tries_left == MAX_FAILED_TRIES - 1
    assert "staff:S001 staff_sign_in_failed tries_left=4" in _log_text(store)


def test_lock_after_five_and_unlock_after_fifteen_minutes(
    accounts: StaffAccounts, store: Store, clock: FakeClock
) -> None:
    for _ in range(MAX_FAILED_TRIES - 1):
        with pytest.raises(WrongPin):
            accounts.authenticate("S001", "1357")
    with pytest.raises(Locked) as caught:
        accounts.authenticate("S001", "1357")
    assert caught.value.until == clock.now + LOCK_DURATION
    assert timedelta(minutes=15) == LOCK_DURATION
    clock.advance(timedelta(minutes=14, seconds=59))
    with pytest.raises(Locked):
        accounts.authenticate("S001", PIN)  # even the right PIN
    assert "staff_locked" in _log_text(store)
    assert "staff_sign_in_locked" in _log_text(store)
    clock.advance(timedelta(seconds=1))
    assert accounts.authenticate("S001", PIN).failed_tries == 0


def test_unlock_by_supervisor(accounts: StaffAccounts) -> None:
    boss = accounts.add("boss", "課長", "supervisor", "8642", by=CLI)
    for _ in range(MAX_FAILED_TRIES - 1):
        with pytest.raises(WrongPin):
            accounts.authenticate("S001", "1357")
    with pytest.raises(Locked):
        accounts.authenticate("S001", "1357")
    staff = accounts.unlock("S001", by=boss)
    assert staff.locked_until is None
    accounts.authenticate("S001", PIN)
    events = accounts.access_log(boss)
    assert events[0].action == "access_log_viewed"
    with pytest.raises(NotAllowed):
        accounts.access_log(staff)
    with pytest.raises(NotAllowed):
        accounts.deactivate("boss", by=staff)
    accounts.set_role("boss", "staff", by=CLI)
    with pytest.raises(NotAllowed):  # demoted since sign-in: checked against the database
        accounts.unlock("S001", by=boss)


def test_unknown_id(accounts: StaffAccounts, store: Store) -> None:
    with pytest.raises(UnknownStaff):
        accounts.authenticate("S999", PIN)
    with pytest.raises(UnknownStaff):
        accounts.authenticate("1234 5678 9012", PIN)  # an individual number typed by mistake
    events = store.access_events()
    assert [(e.actor, e.action) for e in events[:2]] == [
        ("staff:?", "staff_sign_in_unknown"),
        ("staff:S999", "staff_sign_in_unknown"),
    ]


def test_unknown_id_takes_a_verification(accounts: StaffAccounts, monkeypatch) -> None:
    calls: list[str] = []
    original = PasswordHasher.verify

    def counting(self: PasswordHasher, hash: str, password: str) -> bool:
        calls.append(hash)
        return original(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting)
    with pytest.raises(UnknownStaff):
        accounts.authenticate("S999", PIN)
    with pytest.raises(WrongPin):
        accounts.authenticate("S001", "1357")
    assert len(calls) == 2
    assert all(h.startswith("$argon2id$") for h in calls)


def test_inactive(accounts: StaffAccounts, store: Store) -> None:
    accounts.deactivate("S001", by=CLI)
    with pytest.raises(Inactive):
        accounts.authenticate("S001", PIN)
    with pytest.raises(UnknownStaff):  # without the PIN, nothing about the account
        accounts.authenticate("S001", "1357")
    assert accounts.get("S001").failed_tries == 2  # counted all the same: no free guesses
    assert "staff:S001 staff_sign_in_inactive" in _log_text(store)
    assert [m.staff_id for m in accounts.list(include_inactive=False)] == []


@pytest.mark.parametrize(
    "pin",
    [
        "123",
        "123456789",
        "12a4",
        "１２３４",
        "5555",
        "77777",
        "2345",
        "6543",
        "7890",
        "0987",
        "3434",
        "123123",
        "S001",
    ],
)
def test_pin_rules_refuse(pin: str) -> None:
    with pytest.raises(WeakPin) as caught:
        check_pin(pin, staff_id="s001")
    assert pin not in str(caught.value)


def test_pin_rules_refuse_the_usual_first_guesses() -> None:
    for pin in ("0000", "1111", "1234", "4321", "1212", "0123", "9876"):
        with pytest.raises(WeakPin):
            check_pin(pin)


@pytest.mark.parametrize("pin", ["2580", "1357", "90210", "31415926", "1122"])
def test_pin_rules_accept(pin: str) -> None:
    check_pin(pin)


def test_add_checks(accounts: StaffAccounts) -> None:
    with pytest.raises(WeakPin):
        accounts.add("s002", "x", "staff", "1111", by=CLI)
    with pytest.raises(StaffExists):
        accounts.add("S001", "x", "staff", "2468", by=CLI)
    with pytest.raises(ValueError, match="role"):
        accounts.add("s002", "x", "admin", "2468", by=CLI)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="individual number"):
        accounts.add("123456789012", "x", "staff", "2468", by=CLI)
    with pytest.raises(NotAllowed):
        accounts.add("s002", "x", "staff", "2468", by="someone")


def test_hash_is_argon2id_and_never_shown(
    accounts: StaffAccounts, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    accounts.change_pin("S001", "9753", by=CLI)
    with pytest.raises(WrongPin):
        accounts.authenticate("S001", PIN)
    accounts.authenticate("S001", "9753")
    [pin_hash] = _hashes(store)
    assert pin_hash.startswith("$argon2id$v=19$")
    shown = caplog.text + _log_text(store) + repr(accounts.list())
    for secret in (pin_hash, pin_hash.split("$")[-1], PIN, "9753"):
        assert secret not in shown
    assert "staff_pin_changed" in _log_text(store)


def test_default_hasher_parameters() -> None:
    hasher = default_hasher()
    assert hasher.type is Type.ID
    assert (hasher.time_cost, hasher.memory_cost, hasher.parallelism) == (3, 65536, 4)


def test_rehash_when_parameters_change(accounts: StaffAccounts, store: Store) -> None:
    [old] = _hashes(store)
    assert "t=1" in old
    stronger = StaffAccounts(store, hasher=_cheap_hasher(time_cost=2))
    stronger.authenticate("S001", PIN)
    [new] = _hashes(store)
    assert new != old
    assert new.startswith("$argon2id$") and ",t=2," in new
    assert store.access_events()[0].detail == "pin_rehashed"
    stronger.authenticate("S001", PIN)
    assert _hashes(store) == [new]  # not again


def test_session_expires_when_idle(accounts: StaffAccounts, clock: FakeClock) -> None:
    session = accounts.sign_in("S001", PIN)
    assert isinstance(session, Session)
    assert not session.expired(clock.now + timedelta(seconds=299), idle_seconds=300)
    assert session.expired(clock.now + timedelta(seconds=300), idle_seconds=300)
    later = session.touched(clock.now + timedelta(seconds=200))
    assert not later.expired(clock.now + timedelta(seconds=400), idle_seconds=300)
    assert session.last_activity == clock.now  # pure
    accounts.sign_out(later, reason="idle")


# -- the command line ------------------------------------------------------------------


@pytest.fixture
def config(tmp_path: Path, any_db_url: str) -> Path:
    """A counter PC's settings: the database and the ward key pair (registered)."""
    path = tmp_path / "kiosk.toml"
    private, public = key_pair(tmp_path / "keys" / "ward-key.pem")
    open_store(any_db_url, private).close()
    path.write_text(
        f'[database]\nurl = "{any_db_url}"\n'
        f'private_key_file = "{private}"\npublic_key_file = "{public}"\n',
        encoding="utf-8",
    )
    return path


def _cli(config: Path, *args: str, input: str | None = None) -> object:
    result = CliRunner().invoke(main, ["staff", *args, "--config", str(config)], input=input)
    assert result.exit_code == 0, result.output
    for secret in ("2580", "9753", "$argon2"):
        assert secret not in result.output
    return json.loads(result.output.strip().splitlines()[-1])


def test_cli_add_list_set_pin_deactivate_unlock(config: Path, any_db_url: str) -> None:
    added = _cli(config, "add", "--id", "s001", "--name", "山田", input="2580\n2580\n")
    assert added == {
        "id": "S001",
        "name": "山田",
        "role": "staff",
        "active": True,
        "failed_tries": 0,
        "locked_until": None,
        "second_factor": False,
        "created_at": added["created_at"],  # type: ignore[index]
        "updated_at": added["updated_at"],  # type: ignore[index]
    }
    _cli(
        config,
        "add",
        "--id",
        "boss",
        "--name",
        "課長",
        "--role",
        "supervisor",
        "--pin-stdin",
        input="9753\n",
    )
    listed = _cli(config, "list")
    assert [(m["id"], m["role"]) for m in listed] == [  # type: ignore[attr-defined,index]
        ("BOSS", "supervisor"),
        ("S001", "staff"),
    ]
    engine = create_engine(any_db_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE staff SET failed_tries = 3"))
    finally:
        engine.dispose()
    assert _cli(config, "unlock", "--id", "s001")["failed_tries"] == 0  # type: ignore[index]
    _cli(config, "set-pin", "--id", "s001", input="9753\n9753\n")
    assert _cli(config, "deactivate", "--id", "s001")["active"] is False  # type: ignore[index]


def test_cli_refusals_are_messages(config: Path) -> None:
    runner = CliRunner()
    weak = runner.invoke(
        main,
        ["staff", "add", "--id", "x", "--name", "n", "--pin-stdin", "--config", str(config)],
        input="1234\n",
    )
    assert weak.exit_code == 1
    assert "run of digits" in weak.output
    assert "3456" not in weak.output
    unknown = runner.invoke(main, ["staff", "unlock", "--id", "nobody", "--config", str(config)])
    assert unknown.exit_code == 1
    assert "No staff account NOBODY" in unknown.output
    mismatch = runner.invoke(
        main,
        ["staff", "add", "--id", "x", "--name", "n", "--config", str(config)],
        input="2580\n2581\n2580\n2580\n",
    )
    assert mismatch.exit_code == 0, mismatch.output


def test_cli_enrols_an_authenticator_and_shows_it_once(config: Path) -> None:
    _cli(
        config,
        "add",
        "--id",
        "boss",
        "--name",
        "課長",
        "--role",
        "supervisor",
        "--pin-stdin",
        input="9753\n",
    )
    result = CliRunner().invoke(
        main, ["staff", "enrol-totp", "--id", "boss", "--config", str(config)]
    )
    assert result.exit_code == 0, result.output
    enrolled = json.loads(result.stdout.strip().splitlines()[-1])
    assert enrolled["second_factor"] is True
    assert enrolled["otpauth_uri"].startswith("otpauth://totp/")
    assert "secret=" in enrolled["otpauth_uri"] and "BOSS" in enrolled["otpauth_uri"]
    assert "▄" in result.stderr or "▀" in result.stderr  # the QR code, for the app to scan
    listed = _cli(config, "list")
    assert "otpauth" not in json.dumps(listed)  # shown once, never listed
