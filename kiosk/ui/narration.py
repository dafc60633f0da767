"""What a screen says when it is read aloud: what it shows, in reading order.

The texts are collected by walking the screen's layouts in the order they lay
their widgets out (top to bottom, left to right), so a widget that has left the
layout (the previous question's answers, waiting to be deleted) is never read.
Personal data is read only on request; secrets (the PIN dots) never are.
"""

from __future__ import annotations

from collections.abc import Iterator

from PySide6.QtWidgets import QLabel, QLayout, QPushButton, QScrollArea, QWidget

from kiosk.ui.widgets import PLAIN, PRIVATE, WrapButton

SKIPPED = frozenset(
    {
        "key",  # the PIN pad speaks apart: "digit entered, 2 of 4"
        "keyHome",
        "keyAction",
        "keyOk",
        "codeKey",  # the pre-entry code's keypad: 32 letters and digits
        "codeDelete",
        "repeat",  # the speech controls themselves
        "volumeDown",
        "volumeUp",
        "viewButton",  # the toolbar: the same on every screen, not read each time
        "restartButton",
        "callStaffButton",
    }
)


def screen_speech(screen: QWidget, *, personal: bool = False) -> str:
    """The texts a visitor sees on ``screen``, one a line, in reading order.

    Personal data (name, address, birth date, masked number) is left out unless
    ``personal``; secrets (the PIN dots) always are.
    """
    return "\n".join(screen_texts(screen, personal=personal))


def screen_texts(screen: QWidget, *, personal: bool = False) -> list[str]:
    texts = []
    for widget in _laid_out(screen):
        kind = _private(widget)
        if not widget.isVisibleTo(screen) or kind == "secret" or (kind and not personal):
            continue
        text = spoken_text(widget)
        if text:
            texts.append(text)
    return texts


def spoken_text(widget: QWidget) -> str:
    """What a text widget says: its accessible name where it has one (a spoken form),
    else its text as written (never the phrase breaks or readings it is shown with)."""
    if widget.objectName() in SKIPPED:
        return ""
    if isinstance(widget, QLabel | QPushButton):
        plain = widget.property(PLAIN)
        text = plain if isinstance(plain, str) else widget.text()
        return _join_wrapped_lines(widget.accessibleName() or text)
    return ""


def _join_wrapped_lines(text: str) -> str:
    """A title broken over two lines for the eye is one sentence for the ear; list items stay."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    joined: list[str] = []
    for line in lines:
        if joined and not line.startswith("・") and not joined[-1].endswith((":", "：")):
            joined[-1] += ("" if _cjk(joined[-1][-1]) else " ") + line
        else:
            joined.append(line)
    return "\n".join(joined)


def _cjk(char: str) -> bool:
    return ord(char) >= 0x2E80


def _laid_out(widget: QWidget) -> Iterator[QWidget]:
    """The text widgets inside ``widget``, in its layouts' order."""
    if isinstance(widget, QLabel | WrapButton | QPushButton):
        yield widget
        return
    if isinstance(widget, QScrollArea):
        inner = widget.widget()
        if inner is not None:
            yield from _laid_out(inner)
        return
    layout = widget.layout()
    if layout is not None:
        yield from _in_layout(layout)


def _in_layout(layout: QLayout) -> Iterator[QWidget]:
    for index in range(layout.count()):
        item = layout.itemAt(index)
        if item is None:
            continue
        child, sub = item.widget(), item.layout()
        if child is not None:
            yield from _laid_out(child)
        elif sub is not None:
            yield from _in_layout(sub)


def _private(widget: QWidget) -> str:
    """ "secret", "personal", or "" for what anyone may hear."""
    node: QWidget | None = widget
    while node is not None:
        kind = node.property(PRIVATE)
        if kind:
            return str(kind)
        node = node.parentWidget()
    return ""
