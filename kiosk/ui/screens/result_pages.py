"""The result screen's pages: each procedure as a card, cut to fit the page.

A card that does not fit the room left on a page goes to the next one; only a
card taller than a whole page (large text on a small screen) is split between
its things to bring, the rest following as "（つづき）" on the next page. So every
page fits, whatever the text size, and nothing needs scrolling.

The calendar warnings come first, above the first procedure, boxed like notices; they
are paged like the cards (large text: the procedures may then start on page 2).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtWidgets import QFrame, QHBoxLayout, QVBoxLayout, QWidget

from kiosk.guidance import Step
from kiosk.i18n import Translations
from kiosk.ui.style import px
from kiosk.ui.widgets import label

PAGE_SPACING = 16

MakeCard = Callable[[int, Step, Sequence[str], bool], QFrame]


def cut_into_pages(
    steps: Sequence[Step],
    make: MakeCard,
    width: int,
    height: int,
    nothing: str,
    lead: Sequence[QFrame] = (),
) -> list[list[QFrame]]:
    """The cards of ``steps`` in pages of at most ``height`` at ``width``, after the
    ``lead`` widgets (the warnings; each goes whole onto a page)."""
    pages: list[list[QFrame]] = []
    page: list[QFrame] = []
    used = 0
    for widget in lead:
        needed = widget.heightForWidth(width) + (PAGE_SPACING if page else 0)
        if page and used + needed > height:
            pages.append(page)
            page, used, needed = [], 0, widget.heightForWidth(width)
        page.append(widget)
        used += needed
    for number, step in enumerate(steps, start=1):
        items = list(step.bring) or [nothing]
        first = True
        while items:
            room = height - used - (PAGE_SPACING if page else 0)
            whole = make(number, step, items, not first)
            needed = whole.heightForWidth(width)
            if page and room < needed <= height:  # fits a page of its own: not cut
                pages.append(page)
                page, used = [], 0
                continue
            card: QFrame | None = whole
            taken = len(items)
            if needed > room:
                whole.deleteLater()
                card, taken = _largest_fitting(make, number, step, items, not first, width, room)
            if card is None:
                if page:  # start a new page and try again there
                    pages.append(page)
                    page, used = [], 0
                    continue
                card, taken = make(number, step, items[:1], not first), 1  # nothing smaller
            used += card.heightForWidth(width) + (PAGE_SPACING if page else 0)
            page.append(card)
            items, first = items[taken:], False
    if page or not pages:
        pages.append(page)
    return pages


def _largest_fitting(
    make: MakeCard,
    number: int,
    step: Step,
    items: Sequence[str],
    continued: bool,
    width: int,
    room: int,
) -> tuple[QFrame | None, int]:
    for count in range(len(items), 0, -1):
        card = make(number, step, items[:count], continued)
        if card.heightForWidth(width) <= room:
            return card, count
        card.deleteLater()
    return None, 0


def step_card(
    parent: QWidget,
    texts: Translations,
    number: int,
    step: Step,
    items: Sequence[str],
    continued: bool,
) -> QFrame:
    """One procedure (or the rest of it): name and counter, then what to bring."""
    card = QFrame(parent)
    card.setObjectName("stepCard")
    card.hide()
    layout = QVBoxLayout(card)
    layout.setContentsMargins(px(24), px(12), px(24), px(12))
    layout.setSpacing(px(6))
    head = QHBoxLayout()
    head.setSpacing(px(24))
    name = f"{number}.  {step.name}"
    if continued:
        name += texts.text("ui.result.continued")
    head.addWidget(label(name, role="stepName"), 3)
    head.addWidget(label(step.counter, "stepCounter"), 2)
    layout.addLayout(head)
    if step.needs_individual_number and not continued:
        layout.addWidget(label(texts.text("ui.result.individual_number_note"), role="hint"))
    heading = "" if continued else f"{texts.text('ui.result.bring')}:\n"
    bring = "\n".join(f"・{item}" for item in items)
    layout.addWidget(label(f"{heading}{bring}", role="stepBring"))
    return card


def warning_label(parent: QWidget, text: str) -> QFrame:
    """A calendar warning, boxed like the screen's notices (the style sheet's
    ``QLabel#notice``: a heavy red frame, yellow in high contrast)."""
    widget = label(f"！  {text}", role="notice")
    widget.setParent(parent)
    widget.setAccessibleName(text)
    widget.hide()
    return widget
