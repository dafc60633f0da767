"""Pre-entries through the stores, on SQLite and PostgreSQL: the web saves, the kiosk
finds, prints once, and the purge deletes; the database never holds the code or the
details readable."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from kiosk.catalog import Catalog
from kiosk.config import Settings
from kiosk.pre_entry import (
    HomeDetails,
    PreEntry,
    PreEntryExpired,
    PreEntryNotFound,
    PreEntryUsed,
    TooManyTries,
    format_code,
    new_code,
)
from kiosk.queue import QueueRules
from kiosk.storage import Store
from kiosk.storage.for_web import WebStore, expiry
from tests.keys import open_store
from tests.storage.conftest import FakeClock

NAME = "大阪 花子"
ADDRESS = "大阪市北区中之島一丁目3番20号"


@pytest.fixture
def store(any_db_url: str, key_file: Path, clock: FakeClock) -> Iterator[Store]:
    with open_store(any_db_url, key_file, clock=clock) as opened:
        yield opened


@pytest.fixture
def web(store: Store, any_db_url: str, clock: FakeClock) -> Iterator[WebStore]:
    rules = QueueRules(Catalog.load(), Settings().counters)
    with WebStore.for_web(any_db_url, rules, pre_entry_days=30, clock=clock) as opened:
        yield opened


def _entry(clock: FakeClock) -> PreEntry:
    details = HomeDetails(NAME, "オオサカ ハナコ", "5300005", ADDRESS, date(2024, 3, 30))
    history = [("purpose", "move_in"), ("moved_from", "other_city")]
    return PreEntry("vi", history, ["juminhyo", "kokuho"], details, clock.now, clock.now)


def test_saved_then_found_with_its_code(web: WebStore, store: Store, clock: FakeClock) -> None:
    entry = _entry(clock)
    code = web.save_pre_entry(entry)
    assert entry.expires_at == expiry(clock.now, 30)
    assert entry.expires_at.astimezone().time() == time(0)  # at midnight: the whole last day
    clock.advance(timedelta(days=3))
    found = store.load_pre_entry(format_code(code).lower(), source="kiosk-1")
    assert found == entry
    assert found.answers == {"purpose": "move_in", "moved_from": "other_city"}


def test_a_wrong_code_is_not_found(web: WebStore, store: Store, clock: FakeClock) -> None:
    web.save_pre_entry(_entry(clock))
    with pytest.raises(PreEntryNotFound):
        store.load_pre_entry(new_code(), source="kiosk-1")
    with pytest.raises(PreEntryNotFound):
        store.load_pre_entry("not a code", source="kiosk-1")
    with pytest.raises(PreEntryNotFound):
        store.mark_pre_entry_used(new_code(), kiosk_id="kiosk-1")
    with pytest.raises(PreEntryNotFound):
        store.release_pre_entry(new_code())


def test_an_expired_one_is_refused_then_purged(
    web: WebStore, store: Store, clock: FakeClock
) -> None:
    code = web.save_pre_entry(_entry(clock))
    kept = web.save_pre_entry(_entry(clock), now=clock.now + timedelta(days=20))
    clock.advance(timedelta(days=31))
    with pytest.raises(PreEntryExpired):
        store.load_pre_entry(code, source="kiosk-1")
    store.purge_personal_data(timedelta(days=7))  # the kiosk's scheduled purge
    with pytest.raises(PreEntryNotFound):
        store.load_pre_entry(code, source="kiosk-1")
    assert store.load_pre_entry(kept, source="kiosk-1").procedures == ["juminhyo", "kokuho"]
    clock.advance(timedelta(days=30))
    assert store.purge_expired_pre_entries() == 1


def test_printed_once_unless_staff_release_it(
    web: WebStore, store: Store, clock: FakeClock
) -> None:
    code = web.save_pre_entry(_entry(clock))
    store.load_pre_entry(code, source="kiosk-1")
    store.mark_pre_entry_used(code, kiosk_id="kiosk-1")
    with pytest.raises(PreEntryUsed):
        store.mark_pre_entry_used(code, kiosk_id="kiosk-2")
    with pytest.raises(PreEntryUsed):
        store.load_pre_entry(code, source="kiosk-2")
    seen = store.load_pre_entry(code, source="counter:2", include_used=True)  # staff see it
    assert seen.used_at == clock.now
    store.release_pre_entry(code)  # counter staff: one more print
    assert store.load_pre_entry(code, source="kiosk-2").used_at is None
    store.mark_pre_entry_used(code, kiosk_id="kiosk-2")
    with pytest.raises(PreEntryUsed):
        store.mark_pre_entry_used(code, kiosk_id="kiosk-1")


def test_five_wrong_codes_lock_out_that_source_only(
    web: WebStore, store: Store, clock: FakeClock
) -> None:
    code = web.save_pre_entry(_entry(clock))
    for _ in range(5):
        with pytest.raises(PreEntryNotFound):
            store.load_pre_entry(new_code(), source="kiosk-1")
    with pytest.raises(TooManyTries):
        store.load_pre_entry(code, source="kiosk-1")  # even the right one, for now
    assert store.load_pre_entry(code, source="kiosk-2").language == "vi"
    clock.advance(timedelta(minutes=10))
    assert store.load_pre_entry(code, source="kiosk-1").language == "vi"


def test_the_row_holds_neither_the_code_nor_the_details(
    web: WebStore, any_db_url: str, clock: FakeClock
) -> None:
    code = web.save_pre_entry(_entry(clock))
    engine = create_engine(any_db_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT * FROM pre_entries")).all()
    finally:
        engine.dispose()
    assert len(rows) == 1
    raw = b"".join(value if isinstance(value, bytes) else str(value).encode() for value in rows[0])
    for secret in (code, format_code(code), NAME, ADDRESS, "5300005", "juminhyo", "move_in"):
        assert secret.encode() not in raw
        assert secret.encode("utf-16-le") not in raw


def test_a_code_taken_by_chance_is_replaced(
    web: WebStore, store: Store, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = new_code(), new_code()
    made = iter([first, first, second])
    monkeypatch.setattr("kiosk.storage.for_web.new_code", lambda: next(made))
    assert web.save_pre_entry(_entry(clock)) == first
    assert web.save_pre_entry(_entry(clock)) == second
    assert store.load_pre_entry(second, source="kiosk-1").language == "vi"
