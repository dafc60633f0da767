"""The one place where a staff member's second-factor secret is sealed and opened.

``staff.totp_secret`` never holds the secret in the clear: it is sealed to the
ward's public key (bound to the staff ID, so a blob copied to another account does
not open) and opens only on a PC holding the ward private key, i.e. a counter PC.
``ward-kiosk key rotate`` re-seals these secrets with the day keys.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.staff_members import StaffError
from kiosk.storage import sealing
from kiosk.storage.ward_keys import staff_secret_context

if TYPE_CHECKING:
    from kiosk.storage import Store


class SecretUnreadable(StaffError):
    """A sealed second-factor secret does not open with this PC's key."""

    code = "second_factor_unreadable"


def seal_secret(store: Store, staff_id: str, secret: bytes) -> bytes:
    """``secret`` sealed for storing in ``staff.totp_secret`` of ``staff_id``."""
    public = store.keyring.public
    if public is None:
        raise SecretUnreadable(
            "This PC holds no ward key, so it cannot store an authenticator secret. "
            "Enrol staff on a counter PC."
        )
    return sealing.seal(public, secret, staff_secret_context(staff_id))


def open_secret(store: Store, staff_id: str, blob: bytes) -> bytes:
    """The secret sealed in ``blob`` for ``staff_id``; SecretUnreadable if it does not open."""
    private = store.keyring.private
    try:
        if private is None:
            raise sealing.SealBroken("no ward private key on this PC")
        return sealing.unseal(private, blob, staff_secret_context(staff_id))
    except sealing.SealBroken:
        raise SecretUnreadable(
            f"The authenticator secret of {staff_id} cannot be opened with this PC's key "
            f"(no ward private key, another key, or an altered row). Enrol it again: "
            f"ward-kiosk staff enrol-totp --id {staff_id}"
        ) from None
