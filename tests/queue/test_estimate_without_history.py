"""The waiting-time estimate without today's service times yet: people ahead × the
category's service minutes / desks, rounded up; and the desks a category has."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kiosk.catalog import DEFAULT_SERVICE_MINUTES, Catalog, CatalogError
from kiosk.config import CounterSettings, Settings
from kiosk.queue import QueueService, estimate_wait_minutes
from kiosk.resources import resource
from kiosk.storage import Store


@pytest.mark.parametrize(
    ("ahead", "minutes", "desks", "expected"),
    [
        (0, 10, 1, 0),  # nobody ahead: no wait
        (1, 10, 1, 10),
        (3, 10, 1, 30),
        (3, 10, 2, 15),
        (1, 10, 3, 4),  # 3.33 rounds up: better early than late
        (5, 12, 2, 30),
        (10, 0.7, 1, 7),  # 10 × 0.7 is 7, not 7.000000000000001 -> 8
        (3, 7.5, 1, 23),  # 22.5 rounds up
        (200, 20, 4, 1000),
    ],
)
def test_estimate_table(ahead: int, minutes: float, desks: int, expected: int) -> None:
    assert estimate_wait_minutes(ahead, [], fallback_minutes=minutes, desks=desks) == expected


@pytest.mark.parametrize(("ahead", "minutes", "desks"), [(-1, 10, 1), (1, 0, 1), (1, 10, 0)])
def test_nonsense_is_refused(ahead: int, minutes: float, desks: int) -> None:
    with pytest.raises(ValueError, match="cannot estimate"):
        estimate_wait_minutes(ahead, [], fallback_minutes=minutes, desks=desks)


def test_desks_come_from_the_counters_a_category_is_sent_to(store: Store) -> None:
    catalog = Catalog.load()
    counters = dict(Settings().counters)

    def desks(category: str) -> int:
        return QueueService(store, catalog, counters).desks(category)

    assert desks("resident") == 1
    counters["resident"] = CounterSettings(number="2", desks=3)
    assert desks("resident") == 3
    assert desks("insurance") == 1
    # consultation is served at the information counter
    counters["information"] = CounterSettings(number="1", desks=2)
    assert desks("consultation") == 2
    counters.clear()
    assert desks("resident") == 1  # nothing configured: one desk
    more = {**Settings().counters, "resident": CounterSettings(number="2", desks=2)}
    assert QueueService(store, catalog, more).estimate_minutes("resident", 3) == 15


def test_the_shipped_categories_have_service_times() -> None:
    categories = Catalog.load().categories
    assert {c: categories[c].service_minutes for c in categories} == {
        "resident": 10,
        "insurance": 12,
        "children": 15,
        "consultation": 20,
    }


@pytest.fixture
def categories_file(tmp_path: Path) -> Path:
    folder = tmp_path / "catalog"
    shutil.copytree(resource("catalog"), folder)
    return folder / "categories.toml"


def test_a_category_without_a_service_time_gets_the_default(categories_file: Path) -> None:
    text = categories_file.read_text(encoding="utf-8")
    categories_file.write_text(text.replace("service_minutes = 12\n", ""), encoding="utf-8")
    insurance = Catalog.load(categories_file.parent).categories["insurance"]
    assert insurance.service_minutes == DEFAULT_SERVICE_MINUTES == 10


@pytest.mark.parametrize("bad", ["0", "-5", '"ten"', "true", "500"])
def test_a_bad_service_time_names_the_category(categories_file: Path, bad: str) -> None:
    text = categories_file.read_text(encoding="utf-8")
    categories_file.write_text(
        text.replace("service_minutes = 15", f"service_minutes = {bad}"), encoding="utf-8"
    )
    with pytest.raises(CatalogError, match=r"categories\.toml: category children: service_minutes"):
        Catalog.load(categories_file.parent)
