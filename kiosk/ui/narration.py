"""What a screen says when it is read aloud: everything it shows, personal data only on request."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from kiosk.ui.widgets import PRIVATE, Notice, WrapButton

SKIPPED_BUTTONS = ("key", "keyHome", "keyAction", "keyOk", "repeat")  # the PIN pad speaks apart


def screen_speech(screen: QWidget, *, personal: bool = False) -> str:
    """The texts a visitor sees on ``screen``, in the order they were laid out.

    Personal data (name, address, birth date, masked number) is left out unless
    ``personal``; secrets (the PIN dots) always are.
    """
    parts: list[str] = []
    for widget in screen.findChildren(QWidget):
        kind = _private(widget)
        if not widget.isVisibleTo(screen) or kind == "secret" or (kind and not personal):
            continue
        text = _text_of(widget)
        if text:
            parts.append(text)
    return "\n".join(parts)


def _text_of(widget: QWidget) -> str:
    if isinstance(widget, Notice):
        return widget.accessibleName()
    if isinstance(widget, WrapButton):
        return widget.text()
    if isinstance(widget, QLabel):
        return "" if isinstance(widget.parentWidget(), WrapButton) else widget.text()
    if isinstance(widget, QPushButton) and widget.objectName() not in SKIPPED_BUTTONS:
        return widget.text()
    return ""


def _private(widget: QWidget) -> str:
    """ "secret", "personal", or "" for what anyone may hear."""
    node: QWidget | None = widget
    while node is not None:
        kind = node.property(PRIVATE)
        if kind:
            return str(kind)
        node = node.parentWidget()
    return ""
