"""The waiting-time estimate: people ahead × service minutes / desks, rounded up."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kiosk.catalog import DEFAULT_SERVICE_MINUTES, Catalog, CatalogError
from kiosk.config import CounterSettings, Settings
from kiosk.resources import resource
from kiosk.tickets import desks_serving, estimated_wait_minutes


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
    assert estimated_wait_minutes(ahead, minutes, desks) == expected


@pytest.mark.parametrize(("ahead", "minutes", "desks"), [(-1, 10, 1), (1, 0, 1), (1, 10, 0)])
def test_nonsense_is_refused(ahead: int, minutes: float, desks: int) -> None:
    with pytest.raises(ValueError, match="cannot estimate"):
        estimated_wait_minutes(ahead, minutes, desks)


def test_desks_come_from_the_counters_a_category_is_sent_to() -> None:
    catalog = Catalog.load()
    counters = dict(Settings().counters)
    assert desks_serving(catalog, counters, "resident") == 1
    counters["resident"] = CounterSettings(number="2", desks=3)
    assert desks_serving(catalog, counters, "resident") == 3
    assert desks_serving(catalog, counters, "insurance") == 1
    # consultation is served at the information counter
    counters["information"] = CounterSettings(number="1", desks=2)
    assert desks_serving(catalog, counters, "consultation") == 2
    assert desks_serving(catalog, {}, "resident") == 1  # nothing configured: one desk


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
