"""How the result screen cuts procedures into pages (kiosk/ui/screens/result_pages.py)."""

from __future__ import annotations

from kiosk.guidance import Step
from kiosk.ui.screens.result_pages import PAGE_SPACING, cut_into_pages

HEAD, LINE = 60, 40  # a card's height: its name, then one line per thing to bring


class FakeCard:
    def __init__(self, number: int, step: Step, items: list[str], continued: bool) -> None:
        self.number, self.items, self.continued = number, list(items), continued

    def heightForWidth(self, width: int) -> int:
        return HEAD + LINE * len(self.items)

    def deleteLater(self) -> None:
        return None


def step(name: str, items: int) -> Step:
    return Step(name, name, "2", "2", tuple(f"{name}-{i}" for i in range(items)), False)


def cut(steps: list[Step], height: int) -> list[list[FakeCard]]:
    return cut_into_pages(steps, FakeCard, 500, height, "nothing")  # type: ignore[arg-type]


def test_a_card_that_fits_a_page_of_its_own_is_moved_whole():
    pages = cut([step("a", 2), step("b", 3)], height=HEAD + 3 * LINE + 20)
    assert [[(c.number, len(c.items), c.continued) for c in p] for p in pages] == [
        [(1, 2, False)],
        [(2, 3, False)],
    ]


def test_a_card_taller_than_a_page_is_cut_between_things_to_bring():
    pages = cut([step("a", 7)], height=HEAD + 3 * LINE)
    assert [[(len(c.items), c.continued) for c in p] for p in pages] == [
        [(3, False)],
        [(3, True)],
        [(1, True)],
    ]
    assert [item for p in pages for c in p for item in c.items] == [f"a-{i}" for i in range(7)]


def test_cards_share_a_page_when_they_fit():
    pages = cut([step("a", 1), step("b", 1)], height=2 * (HEAD + LINE) + PAGE_SPACING)
    assert [len(p) for p in pages] == [2]
