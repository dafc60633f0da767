"""``ward-kiosk staff``: counter staff accounts from the command line (IT, first supervisor).

Changes are logged in the access log as ``cli:<OS account>``. PINs are read hidden
(typed twice) or, for scripts, from one line of standard input; never echoed.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click

from kiosk.cli.common import cli_actor, config_option, settings_from

if TYPE_CHECKING:
    from kiosk.staff import StaffAccounts, StaffMember
    from kiosk.storage.models import StaffRole

T = TypeVar("T")

_id_option = click.option("--id", "staff_id", required=True, help="Staff ID.")
_pin_stdin_option = click.option(
    "--pin-stdin", is_flag=True, help="Read the PIN from one line of standard input (scripts)."
)


@click.group("staff")
def staff() -> None:
    """Counter staff accounts: add, list, set PIN, enrol TOTP, deactivate, unlock (JSON)."""


@staff.command("add")
@config_option
@_id_option
@click.option("--name", required=True, help="Display name shown in the counter app.")
@click.option(
    "--role", type=click.Choice(["staff", "supervisor"]), default="staff", show_default=True
)
@_pin_stdin_option
def add(config_file: Path | None, staff_id: str, name: str, role: str, pin_stdin: bool) -> None:
    """Add an account; asks for its PIN."""
    pin = _read_pin(pin_stdin)
    with _accounts(config_file) as accounts:
        member = _run(
            lambda: accounts.add(staff_id, name, cast("StaffRole", role), pin, by=_actor())
        )
    _echo(_member_json(member))


@staff.command("list")
@config_option
def list_(config_file: Path | None) -> None:
    """Every account (no PINs, no hashes)."""
    with _accounts(config_file) as accounts:
        members = _run(accounts.list)
    _echo([_member_json(m) for m in members])


@staff.command("set-pin")
@config_option
@_id_option
@_pin_stdin_option
def set_pin(config_file: Path | None, staff_id: str, pin_stdin: bool) -> None:
    """Give an account a new PIN (also unlocks it); asks for the PIN."""
    pin = _read_pin(pin_stdin)
    with _accounts(config_file) as accounts:
        member = _run(lambda: accounts.change_pin(staff_id, pin, by=_actor()))
    _echo(_member_json(member))


@staff.command("deactivate")
@config_option
@_id_option
def deactivate(config_file: Path | None, staff_id: str) -> None:
    """Deactivate an account (kept, since the access log names it)."""
    with _accounts(config_file) as accounts:
        member = _run(lambda: accounts.deactivate(staff_id, by=_actor()))
    _echo(_member_json(member))


@staff.command("unlock")
@config_option
@_id_option
def unlock(config_file: Path | None, staff_id: str) -> None:
    """Unlock an account locked after wrong PINs."""
    with _accounts(config_file) as accounts:
        member = _run(lambda: accounts.unlock(staff_id, by=_actor()))
    _echo(_member_json(member))


@staff.command("enrol-totp")
@config_option
@_id_option
def enrol_totp(config_file: Path | None, staff_id: str) -> None:
    """Give an account a new authenticator app secret (supervisors sign in with its codes).

    Shows the QR code (on standard error) and the otpauth:// URI once: scan it with the
    member's authenticator app now. An earlier secret stops working.
    """
    from kiosk.staff_totp import qr_matrix, qr_text

    with _accounts(config_file) as accounts:
        enrolment = _run(lambda: accounts.enrol_second_factor(staff_id, by=_actor()))
    click.echo(qr_text(qr_matrix(enrolment.uri)), err=True)
    click.echo(f"Secret for typing by hand: {enrolment.secret_text}", err=True)
    _echo({**_member_json(enrolment.member), "otpauth_uri": enrolment.uri})


def _read_pin(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    pin: str = click.prompt("PIN", hide_input=True, confirmation_prompt=True)
    return pin


def _actor() -> str:
    return cli_actor()


@contextmanager
def _accounts(config_file: Path | None) -> Iterator[StaffAccounts]:
    from kiosk.staff import StaffAccounts
    from kiosk.ward_keys import open_store

    settings = settings_from(config_file)
    store = _run(lambda: open_store(settings, "counter"))
    try:
        yield StaffAccounts(store, issuer=settings.ward.name)
    finally:
        store.close()


def _run(action: Callable[[], T]) -> T:
    """Run ``action``; storage and account errors become a one-line message, exit 1."""
    from kiosk.staff import StaffError
    from kiosk.storage import StorageError

    try:
        return action()
    except (StorageError, StaffError, ValueError) as e:
        raise click.ClickException(str(e)) from None


def _member_json(member: StaffMember) -> dict[str, Any]:
    return {
        "id": member.staff_id,
        "name": member.name,
        "role": member.role,
        "active": member.active,
        "failed_tries": member.failed_tries,
        "locked_until": member.locked_until.isoformat() if member.locked_until else None,
        "second_factor": member.second_factor,
        "created_at": member.created_at.isoformat(),
        "updated_at": member.updated_at.isoformat(),
    }


def _echo(value: object) -> None:
    click.echo(json.dumps(value, ensure_ascii=False))
