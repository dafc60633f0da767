"""``doctor``'s checks of the card reader: the named reader is there, and no virtual reader
serves outside demo mode (see :mod:`kiosk.card.readers`). No card is sent a PIN."""

from __future__ import annotations

from kiosk.card.status import reader_status
from kiosk.config import CardSettings
from kiosk.doctor import Check, error, ok, warning

NAME = "card reader"
VIRTUAL = "virtual reader"
_PCSCD_DOWN = ("connecting to the PC/SC service", "Service not available")
_PURGE_VPCD = "sudo apt-get purge vsmartcard-vpcd && sudo systemctl restart pcscd"


def card_checks(card: CardSettings | None) -> list[Check]:
    """The reader check and the virtual reader check; ``card`` None: the settings did not load."""
    if card is None:
        return [readers_check()]
    allow = card.allow_virtual_reader
    return [card_reader_check(card.reader_name(), allow_virtual=allow), virtual_reader_check(allow)]


def readers_check() -> Check:
    """Without settings: only which readers pcscd shows (none is opened)."""
    from kiosk.card import pcsc
    from kiosk.card.errors import CardError

    try:
        names = pcsc.list_readers()
    except CardError as e:
        return _no_reader(None, [], str(e))
    if not names:
        return _no_reader(None, [], "")
    return ok(NAME, f"readers: {', '.join(names)} (card.reader is checked once the settings load)")


def card_reader_check(reader: str | None = None, *, allow_virtual: bool = False) -> Check:
    """A reader is there, matches ``reader`` and may serve; a card on it is not expected."""
    report = reader_status(reader, allow_virtual=allow_virtual)
    names = _names(report)
    message = str(report["message"] or "")
    if report["error"] == "no_reader":
        return _no_reader(reader, names, message)
    if report["error"] == "reader_not_configured":
        detail = f"card.reader is not set, so no reader is used; readers: {', '.join(names)}"
        action = "set [card] reader to part of the real card reader's name above"
        return error(NAME, detail if names else "card.reader is not set", action)
    if report["error"] == "reader_not_allowed":
        detail = f"card.reader={reader!r} names a virtual reader ({message})"
        action = f"set card.reader to the real reader's name; remove vpcd: {_PURGE_VPCD}"
        return error(NAME, detail, action)
    if report["error"] is not None:
        action = "take any card off the reader, check its cable, then: ward-kiosk card status"
        return error(NAME, f"{report['reader'] or 'reader'}: {message}", action)
    return _reader_found(report)


def virtual_reader_check(allow_virtual: bool) -> Check:
    """A warning when virtual readers are allowed; an error when one is installed anyway."""
    if allow_virtual:
        action = "turn card.allow_virtual_reader off on a kiosk visitors use"
        return warning(VIRTUAL, "virtual reader allowed (demo/test setting)", action)
    from kiosk.card import pcsc
    from kiosk.card.errors import CardError
    from kiosk.card.readers import is_virtual_reader

    try:
        virtual = [r for r in pcsc.list_readers() if is_virtual_reader(r)]
    except CardError:
        virtual = []  # pcscd is down: the card reader check says so
    if virtual:
        detail = (
            f"{', '.join(virtual)} present: vsmartcard-vpcd lets a program on the network"
            " put a card in it (the kiosk refuses it)"
        )
        return error(VIRTUAL, detail, f"remove it: {_PURGE_VPCD}")
    return ok(VIRTUAL, "none present; virtual readers are refused")


def _names(report: dict[str, object]) -> list[str]:
    readers = report["readers"]
    return [str(r) for r in readers] if isinstance(readers, list) else []


def _no_reader(reader: str | None, names: list[str], message: str) -> Check:
    if any(text in message for text in _PCSCD_DOWN):
        action = "start the PC/SC service: systemctl enable --now pcscd (package pcscd)"
        return error(NAME, f"pcscd is not reachable: {message}", action)
    if names and reader:
        detail = f"no reader matching card.reader={reader!r}; readers: {', '.join(names)}"
        return error(NAME, detail, "set card.reader to part of a name above")
    action = "plug the card reader in (USB) and check that its driver is installed"
    return error(NAME, f"no card reader connected ({message or 'pcscd lists none'})", action)


def _reader_found(report: dict[str, object]) -> Check:
    reader = report["reader"]
    if not report["card_present"]:
        return ok(NAME, f"{reader} is connected (no card on it)")
    if report["is_mynumber"] is False:
        detail = f"{reader}: a card that is not a My Number card is on the reader"
        return warning(NAME, detail, "take the card off the reader")
    return ok(NAME, f"{reader}: a My Number card is on it, {report['tries_left']} PIN tries left")
