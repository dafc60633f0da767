"""Anonymous statistics: aggregates from a real store, suppression, and the CSV export."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from kiosk.catalog import Catalog
from kiosk.cli import main
from kiosk.config import DEFAULT_LANGUAGES, Settings
from kiosk.person import Person
from kiosk.queue import QueueService
from kiosk.stats import (
    MIN_COUNT,
    TicketFacts,
    columns,
    local_range,
    p90,
    safe_cell,
    ticket_cells,
    ticket_row,
    visit_cells,
    visit_row,
    write_csv,
)
from kiosk.storage import Store
from kiosk.storage.stats_queries import ticket_facts, visit_facts
from kiosk.storage.store import create_kiosk_engine
from kiosk.visit import Visit
from tests.keys import open_store
from tests.storage.conftest import FakeClock

TOKYO = ZoneInfo("Asia/Tokyo")
DAY1 = date(2024, 4, 1)
DAY2 = date(2024, 4, 2)
NUMBER = "123456789018"
PERSON = Person(
    name="大阪 花子",
    name_kana="オオサカ ハナコ",
    address="大阪府大阪市北区中之島一丁目3番20号",
    birth_date=date(1985, 7, 14),
    sex="female",
)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TOKYO)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(at(DAY1, 8))


@pytest.fixture
def db_url(any_db_url: str) -> str:
    return any_db_url


@pytest.fixture
def store(db_url: str, tmp_path: Path, clock: FakeClock) -> Iterator[Store]:
    with open_store(db_url, tmp_path / "secrets" / "kiosk.key", clock=clock) as opened:
        yield opened


@pytest.fixture
def service(store: Store) -> QueueService:
    return QueueService(store, Catalog.load(), Settings().counters, max_passes=2)


class Recorded:
    """What the scenario stored that must never reach the statistics."""

    def __init__(self) -> None:
        self.references: list[str] = []
        self.codes: list[str] = []


@pytest.fixture
def scenario(store: Store, service: QueueService, clock: FakeClock) -> Recorded:
    """Two days at a ward office, driven through the real Store and QueueService."""
    recorded = Recorded()

    def visit(start: datetime, language: str, card: bool, status: str, voice: bool = False) -> str:
        v = Visit(language=language, started_at=start, used_card=card, used_voice=voice)
        if card:
            v.person, v.individual_number = PERSON, NUMBER
        ref = store.save_visit(v, kiosk_id="kita-1f-01", status=status)  # type: ignore[arg-type]
        recorded.references.append(ref)
        return ref

    # Day 1, 09:00-09:59: 7 visits (ja 4, en 3; card 4; voice 3; 4 completed, 3 abandoned).
    refs = [
        visit(at(DAY1, 9, 0), "ja", True, "completed", voice=True),
        visit(at(DAY1, 9, 1), "ja", True, "completed", voice=True),
        visit(at(DAY1, 9, 2), "en", True, "completed", voice=True),
        visit(at(DAY1, 9, 3), "en", True, "completed"),
        visit(at(DAY1, 9, 4), "ja", False, "abandoned"),
        visit(at(DAY1, 9, 5), "ja", False, "abandoned"),
    ]
    visit(at(DAY1, 9, 59), "en", False, "in_progress")  # abandoned below, as stale
    # 10:00-10:59: 3 visits, one in Vietnamese (not a configured language).
    visit(at(DAY1, 10, 0), "ja", True, "completed")
    visit(at(DAY1, 10, 10), "ja", True, "completed")
    visit(at(DAY1, 10, 20), "vi", True, "completed")
    # 11:00: 2 visits, a group too small to publish.
    visit(at(DAY1, 11, 0), "ja", True, "completed")
    visit(at(DAY1, 11, 5), "en", False, "completed")
    # Day 2: one visit.
    visit(at(DAY2, 9, 30), "ja", True, "completed")
    clock.now = at(DAY1, 12)
    assert store.abandon_stale_visits(timedelta(hours=2)) == 1

    # Day 1: six tickets in "resident", issued 09:00-09:05.
    tickets = []
    for i, ref in enumerate(refs):
        clock.now = at(DAY1, 9, i)
        issued = service.issue("resident", visit_reference=ref)
        recorded.codes.append(issued.ticket.code)
        tickets.append(issued.ticket.id)

    def call(hour: int, minute: int) -> int:
        clock.now = at(DAY1, hour, minute)
        called = service.call_next("resident")
        assert called is not None
        return called.id

    def then(hour: int, minute: int, action: str, ticket_id: int) -> None:
        clock.now = at(DAY1, hour, minute)
        getattr(service, action)(ticket_id, "resident")

    t = call(9, 10)  # waited 10 min
    then(9, 10, "start", t)
    then(9, 15, "done", t)  # served 5 min
    t = call(9, 20)  # waited 19 min; calling again does not change the wait
    then(9, 22, "call_again", t)
    then(9, 22, "start", t)
    then(9, 30, "done", t)  # 8 min
    t = call(9, 30)  # 28 min
    then(9, 31, "start", t)
    then(9, 43, "done", t)  # 12 min
    for hour, minute in ((9, 45), (9, 50), (9, 55)):  # 42, 46, 50 min; nobody came
        t = call(hour, minute)
        then(hour, minute + 5 if minute < 55 else 59, "no_show", t)
    # 10:20 one ticket in "insurance", still waiting; day 2 one in "resident".
    clock.now = at(DAY1, 10, 20)
    recorded.codes.append(service.issue("insurance").ticket.code)
    clock.now = at(DAY2, 9, 40)
    recorded.codes.append(service.issue("resident").ticket.code)
    return recorded


def test_aggregates_from_the_store(db_url: str, scenario: Recorded):
    engine = create_kiosk_engine(db_url)
    try:
        start, end = local_range(DAY1, DAY1, TOKYO)
        tickets = ticket_cells(ticket_facts(engine, start, end), TOKYO)
        visits = visit_cells(visit_facts(engine, start, end), TOKYO)
    finally:
        engine.dispose()

    assert [(c.day, c.hour, c.category, c.issued) for c in tickets] == [
        (DAY1, 9, "resident", 6),
        (DAY1, 10, "insurance", 1),
    ]
    resident = tickets[0]
    assert (resident.done, resident.no_show, resident.transferred, resident.open) == (3, 3, 0, 0)
    assert sorted(s / 60 for s in resident.wait_seconds) == [10, 19, 28, 42, 46, 50]
    assert sorted(s / 60 for s in resident.service_seconds) == [5, 8, 12]
    assert ticket_row(resident) == {
        "section": "tickets",
        "date": "2024-04-01",
        "hour": "9",
        "category": "resident",
        "tickets": "6",
        "tickets_done": "3",
        "tickets_no_show": "3",
        "tickets_transferred": "0",
        "tickets_open": "0",
        "wait_median_min": "35.0",  # (28 + 42) / 2
        "wait_p90_min": "48.0",  # rank 0.9 * 5 = 4.5: 46 + 0.5 * (50 - 46)
        "service_median_min": "8.0",
        "service_p90_min": "11.2",  # rank 1.8: 8 + 0.8 * (12 - 8)
    }
    assert set(ticket_row(tickets[1]).values()) - {"tickets", "2024-04-01", "10", "insurance"} == {
        "x"
    }

    assert [(c.hour, c.visits) for c in visits] == [(9, 7), (10, 3), (11, 2)]
    languages = ["ja", "en"]
    assert visit_row(visits[0], languages) == {
        "section": "visits",
        "date": "2024-04-01",
        "hour": "9",
        "visits": "7",
        "visits_completed": "4",
        "visits_abandoned": "3",
        "visits_in_progress": "0",
        "visits_with_card": "4",
        "visits_without_card": "3",
        "visits_with_voice": "3",
        "visits_without_voice": "4",
        "visits_lang_ja": "4",
        "visits_lang_en": "3",
        "visits_lang_other": "0",
    }
    ten = visit_row(visits[1], languages)
    # One visit in Vietnamese: the whole language breakdown is hidden, the rest shown.
    assert [ten[k] for k in ("visits", "visits_completed", "visits_with_card")] == ["3"] * 3
    assert {ten[f"visits_lang_{k}"] for k in ("ja", "en", "other")} == {"x"}
    eleven = visit_row(visits[2], languages)
    assert {v for k, v in eleven.items() if k.startswith("visits")} == {"x"}


def export(db_url: str, tmp_path: Path, *args: str) -> tuple[int, str, Path]:
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[database]\nurl = "{db_url}"\nkey_file = "{tmp_path / "secrets" / "kiosk.key"}"\n',
        encoding="utf-8",
    )
    out = tmp_path / "stats.csv"
    result = CliRunner().invoke(
        main,
        [
            "stats",
            "export",
            "--config",
            str(config),
            "--tz",
            "Asia/Tokyo",
            "--out",
            str(out),
            *args,
        ],
    )
    return result.exit_code, result.output, out


def read(out: Path) -> tuple[list[str], list[str], list[dict[str, str]]]:
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf#")  # UTF-8 with BOM, for Excel
    text = raw.decode("utf-8-sig")
    comments = [line for line in text.splitlines() if line.startswith("#")]
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    reader = csv.DictReader(io.StringIO(body))
    return comments, list(reader.fieldnames or []), list(reader)


@pytest.mark.parametrize("any_db_url", ["sqlite"], indirect=True)
def test_export_writes_aggregates_only(db_url: str, scenario: Recorded, tmp_path: Path):
    code, output, out = export(db_url, tmp_path, "--from", "2024-04-01", "--to", "2024-04-02")
    assert code == 0, output
    comments, header, rows = read(out)
    assert header == columns(list(DEFAULT_LANGUAGES))
    assert not any("voice" in line and "not recorded" in line for line in comments)
    assert [(r["section"], r["date"], r["hour"], r["category"]) for r in rows] == [
        ("tickets", "2024-04-01", "9", "resident"),
        ("tickets", "2024-04-01", "10", "insurance"),
        ("tickets", "2024-04-02", "9", "resident"),
        ("visits", "2024-04-01", "9", ""),
        ("visits", "2024-04-01", "10", ""),
        ("visits", "2024-04-01", "11", ""),
        ("visits", "2024-04-02", "9", ""),
    ]
    assert rows[0]["wait_p90_min"] == "48.0"
    text = out.read_text(encoding="utf-8-sig")
    secrets = [PERSON.name, PERSON.name_kana, PERSON.address, "大阪", "1985", NUMBER, "kita-1f"]
    for secret in [*secrets, *scenario.references, *scenario.codes]:
        assert secret not in text
    assert "A-0" not in text and "B-0" not in text


@pytest.mark.parametrize("any_db_url", ["sqlite"], indirect=True)
def test_export_filters_by_local_day(db_url: str, scenario: Recorded, tmp_path: Path):
    code, output, out = export(db_url, tmp_path, "--from", "2024-04-02", "--to", "2024-04-02")
    assert code == 0, output
    _, _, rows = read(out)
    assert {r["date"] for r in rows} == {"2024-04-02"}
    assert [r["section"] for r in rows] == ["tickets", "visits"]
    assert rows[1]["visits"] == "x"  # one visit


@pytest.mark.parametrize("any_db_url", ["sqlite"], indirect=True)
def test_an_empty_range_gives_the_header_only(db_url: str, scenario: Recorded, tmp_path: Path):
    code, output, out = export(db_url, tmp_path, "--from", "2023-01-01", "--to", "2023-01-31")
    assert code == 0, output
    assert '"ticket_rows": 0' in output
    _, header, rows = read(out)
    assert header == columns(list(DEFAULT_LANGUAGES))
    assert rows == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2024-13-01", "--to", "2024-12-31"], "'2024-13-01' is not a date"),
        (["--from", "1 April", "--to", "2024-04-01"], "YYYY-MM-DD"),
        (["--from", "2024-04-02", "--to", "2024-04-01"], "before --from"),
        (["--from", "2024-04-01", "--to", "2024-04-01", "--tz", "Mars/Base"], "time zone"),
    ],
)
def test_bad_arguments_are_named(tmp_path: Path, args: list[str], message: str):
    out = tmp_path / "stats.csv"
    result = CliRunner().invoke(
        main, ["stats", "export", "--config", str(tmp_path / "none.toml"), "--out", str(out), *args]
    )
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_p90_is_percentile_inc():
    assert p90([7.0]) == 7.0
    assert p90([1, 2]) == pytest.approx(1.9)
    assert p90(list(range(1, 11))) == pytest.approx(9.1)  # Excel PERCENTILE.INC(1..10, 0.9)
    with pytest.raises(ValueError, match="no values"):
        p90([])


def test_days_are_local_and_inclusive():
    start, end = local_range(DAY1, DAY2, TOKYO)
    assert start.isoformat() == "2024-03-31T15:00:00+00:00"
    assert end.isoformat() == "2024-04-02T15:00:00+00:00"
    with pytest.raises(ValueError, match="before it starts"):
        local_range(DAY2, DAY1, TOKYO)


def test_small_cells_and_times():
    def ticket(status: str, minute: int) -> TicketFacts:
        issued = at(DAY1, 14, minute)
        return TicketFacts(
            category="children",
            status=status,
            issued_at=issued,
            first_called_at=issued + timedelta(minutes=3) if status != "waiting" else None,
            serving_at=issued + timedelta(minutes=4) if status == "done" else None,
            done_at=issued + timedelta(minutes=6) if status == "done" else None,
        )

    rows = [ticket("done", 0), ticket("done", 1), ticket("transferred", 2), ticket("waiting", 3)]
    (cell,) = ticket_cells(rows, TOKYO)
    row = ticket_row(cell)
    assert row["tickets"] == "4"
    # Outcomes 2 / 1 / 1: the whole breakdown is hidden.
    assert {row[k] for k in ("tickets_done", "tickets_transferred", "tickets_open")} == {"x"}
    assert row["wait_median_min"] == "3.0"  # three calls
    assert row["service_median_min"] == "x"  # two services: fewer than MIN_COUNT
    assert MIN_COUNT == 3


@pytest.mark.parametrize(
    "category", ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\r=1"]
)
def test_a_cell_a_spreadsheet_would_run_is_written_as_text(category: str):
    """OWASP CSV injection: a category id (the ward's own files) starting like a formula."""
    facts = [
        TicketFacts(category, "waiting", at(DAY1, 9, minute), None, None, None)
        for minute in range(3)
    ]
    out = io.StringIO(newline="")
    write_csv(out, ticket_cells(facts, TOKYO), [], languages=["ja"], comments=["a\n=1+1"])
    out.seek(0)
    lines = out.getvalue().split("\r\n")
    assert lines[0] == "# a =1+1"  # a comment stays one line
    (row,) = csv.DictReader(io.StringIO("\r\n".join(lines[1:]), newline=""))
    assert row["category"] == "'" + category
    assert (row["tickets"], row["tickets_open"], row["hour"]) == ("3", "3", "9")
    assert row["date"] == "2024-04-01"


def test_safe_cells_are_unchanged():
    for value in ("resident", "12.5", "x", "", "2024-04-01", "visits_lang_ja", "'quoted"):
        assert safe_cell(value) == value
    assert safe_cell("=1") == "'=1"
    assert safe_cell(-3) == "'-3"
