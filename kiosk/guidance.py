"""What the visitor is told at the end: procedures, things to bring, counters."""

from __future__ import annotations

from collections.abc import Mapping
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
            bring=tuple(texts.item(item) for item in p.items_to_bring(answers)),
            needs_individual_number=p.needs_individual_number,
        )
        for p in catalog.procedures_for(answers)
    ]
