"""What ``card status`` and ``doctor`` report about the reader and the card in it."""

from __future__ import annotations

from kiosk.card.errors import CardError, NotMyNumberCardError


def reader_status(reader: str | None = None, *, allow_virtual: bool = False) -> dict[str, object]:
    """Readers, chosen reader, card presence, My Number or not, tries left, error code.

    A reader the policy refuses (:mod:`kiosk.card.readers`) is reported, never opened.
    """
    from kiosk.card import pcsc
    from kiosk.card.service import CardService

    report: dict[str, object] = {"readers": [], "reader": None, "card_present": False}
    report |= {"is_mynumber": None, "tries_left": None, "error": None, "message": None}
    try:
        report["readers"] = pcsc.list_readers()
        report["reader"] = name = pcsc.find_reader(reader, allow_virtual=allow_virtual)
        service = CardService(name, allow_virtual=allow_virtual)
        report["card_present"] = service.card_present()
        if report["card_present"]:
            report["tries_left"] = service.tries_left()
            report["is_mynumber"] = True
    except NotMyNumberCardError:
        report["is_mynumber"] = False
    except CardError as err:
        report |= {"error": err.code, "message": str(err)}
    return report
