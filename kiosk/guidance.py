"""What the visitor is told at the end: procedures, things to bring, counters."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kiosk.catalog import Catalog
from kiosk.config import Settings
from kiosk.i18n import Translations


@dataclass(frozen=True)
class Step:
    """One procedure as the visitor sees it on the result screen and cover page."""

    procedure_id: str
    name: str
    counter: str
    counter_number: str  # as on the counter's sign: "2"
    bring: tuple[str, ...]
    needs_individual_number: bool


def counter_label(settings: Settings, texts: Translations, counter_id: str) -> str:
    """E.g. "Counter 2 (Resident registration)" in the visitor's language."""
    return texts.text(
        "ui.counter.label",
        number=settings.counters[counter_id].number,
        name=texts.text(f"catalog.counters.{counter_id}"),
    )


def guidance(
    catalog: Catalog, settings: Settings, texts: Translations, answers: Mapping[str, str]
) -> list[Step]:
    """The procedures these answers need, in order, in the visitor's language."""
    return [
        Step(
            procedure_id=p.id,
            name=texts.procedure(p.id),
            counter=counter_label(settings, texts, p.counter),
            counter_number=settings.counters[p.counter].number,
            bring=tuple(texts.item(item) for item in p.items_to_bring(answers)),
            needs_individual_number=p.needs_individual_number,
        )
        for p in catalog.procedures_for(answers)
    ]


def route(steps: Sequence[Step]) -> list[str]:
    """The counters to go to, in the order of the procedures, each once: ["2", "5", "8"]."""
    return list(dict.fromkeys(step.counter_number for step in steps))


def route_summary(texts: Translations, steps: Sequence[Step]) -> str:
    """One line for the top of the result screen, the done screen, the cover page and the
    ticket: "手続き 4つ: 2番 → 5番 → 8番窓口" in the visitor's language ("" for no steps)."""
    if not steps:
        return ""
    stops = [texts.text("ui.route.stop", number=n) for n in route(steps)]
    return texts.text(
        "ui.route.summary", n=len(steps), route=texts.text("ui.route.arrow").join(stops)
    )
