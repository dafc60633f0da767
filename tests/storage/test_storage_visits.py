"""Saving, loading, updating and purging visits."""

from __future__ import annotations

import string
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from kiosk.person import Person
from kiosk.storage import StorageError, Store, VisitNotFound
from kiosk.storage.store import REFERENCE_ALPHABET, REFERENCE_LENGTH
from kiosk.visit import Visit
from tests.keys import open_store


@pytest.fixture
def db_url(any_db_url: str) -> str:
    """Every test here runs on SQLite and on PostgreSQL."""
    return any_db_url


def _row(db_url: str, reference: str) -> dict[str, object]:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            sql = text("SELECT * FROM visits WHERE reference = :r")
            return dict(conn.execute(sql, {"r": reference}).mappings().one())
    finally:
        engine.dispose()


def _visit(person: Person | None = None, **changes: object) -> Visit:
    visit = Visit(
        language="ja",
        person=person,
        used_card=person is not None,
        answers={"purpose": "move_in", "household": "alone"},
        procedures=["juminhyo", "kokuho"],
    )
    for name, value in changes.items():
        setattr(visit, name, value)
    return visit


def test_save_and_load_round_trip(store: Store, person: Person) -> None:
    visit = _visit(person)
    reference = store.save_visit(visit, kiosk_id="kiosk-1", status="in_progress")
    assert visit.reference == reference
    assert len(reference) == REFERENCE_LENGTH
    assert set(reference) <= set(REFERENCE_ALPHABET)
    loaded = store.load_visit(reference)
    assert loaded.person == person
    assert (loaded.language, loaded.reference, loaded.used_card) == ("ja", reference, True)
    assert loaded.answers == visit.answers
    assert loaded.procedures == visit.procedures
    assert loaded.ticket is None
    assert loaded.started_at == visit.started_at.astimezone()  # naive input = local time
    assert loaded.started_at.tzinfo is not None


def test_reference_alphabet_is_unambiguous() -> None:
    assert not set("01IO") & set(REFERENCE_ALPHABET)
    assert set(REFERENCE_ALPHABET) <= set(string.ascii_uppercase + string.digits)


def test_save_updates_by_reference(store: Store, db_url: str, person: Person) -> None:
    visit = _visit()
    reference = store.save_visit(visit, kiosk_id="kiosk-1", status="in_progress")
    assert _row(db_url, reference)["finished_at"] is None
    visit.person = person
    visit.answers["household"] = "family"
    assert store.save_visit(visit, kiosk_id="kiosk-1", status="completed") == reference
    loaded = store.load_visit(reference)
    assert loaded.person == person
    assert loaded.answers["household"] == "family"
    row = _row(db_url, reference)
    assert row["status"] == "completed"
    assert row["finished_at"] is not None


def test_wiped_visit_clears_stored_person(store: Store, db_url: str, person: Person) -> None:
    visit = _visit(person)
    reference = store.save_visit(visit, kiosk_id="k", status="in_progress")
    visit.wipe()
    store.save_visit(visit, kiosk_id="k", status="abandoned")
    assert _row(db_url, reference)["person_ciphertext"] is None
    assert store.load_visit(reference).person is None


def test_lookup_ignores_case_and_spaces(store: Store) -> None:
    reference = store.save_visit(_visit(), kiosk_id="k", status="completed")
    assert store.load_visit(f" {reference.lower()} ").reference == reference


def test_unknown_reference_raises_visit_not_found(store: Store) -> None:
    with pytest.raises(VisitNotFound, match="ZZZZ9999") as caught:
        store.load_visit("ZZZZ9999")
    assert caught.value.code == "visit_not_found"
    assert isinstance(caught.value, StorageError)
    with pytest.raises(VisitNotFound):
        store.save_visit(_visit(reference="ZZZZ9999"), kiosk_id="k", status="completed")


def test_unknown_status_is_a_programming_error(store: Store) -> None:
    with pytest.raises(ValueError, match="unknown visit status"):
        store.save_visit(_visit(), kiosk_id="k", status="done")  # type: ignore[arg-type]


def test_purge_removes_personal_data_of_old_visits_only(
    store: Store, db_url: str, person: Person
) -> None:
    now = datetime(2024, 4, 10, 3, 0, tzinfo=UTC)
    old = _visit(person, started_at=now - timedelta(days=8))
    recent = _visit(person, started_at=now - timedelta(days=6))
    old_ref = store.save_visit(old, kiosk_id="k", status="completed")
    recent_ref = store.save_visit(recent, kiosk_id="k", status="completed")

    assert store.purge_personal_data(timedelta(days=7), now=now) == 1

    purged = store.load_visit(old_ref)
    assert purged.person is None
    assert purged.answers == {}  # the answers are personal too (e.g. a priority reason)
    assert purged.procedures == old.procedures  # kept for the statistics
    row = _row(db_url, old_ref)
    assert row["person_ciphertext"] is None
    assert row["answers_ciphertext"] is None
    assert row["personal_data_purged_at"] is not None
    assert store.load_visit(recent_ref).person == person
    assert _row(db_url, recent_ref)["personal_data_purged_at"] is None
    assert store.purge_personal_data(timedelta(days=7), now=now) == 0


def test_purge_defaults_to_the_store_clock(store: Store, person: Person) -> None:
    visit = _visit(person, started_at=datetime(2024, 3, 1, 9, 0).astimezone())
    reference = store.save_visit(visit, kiosk_id="k", status="completed")
    assert store.purge_personal_data(timedelta(days=30)) == 1  # clock says 2024-04-01
    assert store.load_visit(reference).person is None


def test_abandon_stale_visits(store: Store, db_url: str) -> None:
    now = datetime(2024, 4, 10, 3, 0, tzinfo=UTC)
    stale = store.save_visit(
        _visit(started_at=now - timedelta(hours=3)), kiosk_id="k", status="in_progress"
    )
    active = store.save_visit(
        _visit(started_at=now - timedelta(minutes=5)), kiosk_id="k", status="in_progress"
    )
    done = store.save_visit(
        _visit(started_at=now - timedelta(hours=3)), kiosk_id="k", status="completed"
    )
    assert store.abandon_stale_visits(timedelta(hours=1), now=now) == 1
    assert _row(db_url, stale)["status"] == "abandoned"
    assert _row(db_url, active)["status"] == "in_progress"
    assert _row(db_url, done)["status"] == "completed"


def test_store_repr_and_errors_hide_personal_data(
    store: Store, person: Person, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    reference = store.save_visit(_visit(person), kiosk_id="k", status="completed")
    store.load_visit(reference)
    store.purge_personal_data(timedelta(0))
    logged = caplog.text + repr(store)
    for value in (person.name, person.address, person.name_kana, "1985"):
        assert value not in logged


def test_birth_date_and_sex_survive(store: Store) -> None:
    person = Person(name="X", address="Y", birth_date=date(1900, 1, 1), sex="not_applicable")
    reference = store.save_visit(_visit(person), kiosk_id="k", status="completed")
    assert store.load_visit(reference).person == person


def test_store_is_usable_as_context_manager(db_url: str, key_file: Path) -> None:
    with open_store(db_url, key_file) as store:
        reference = store.save_visit(_visit(), kiosk_id="k", status="completed")
    with open_store(db_url, key_file) as store:
        assert store.load_visit(reference).language == "ja"


def test_threads_share_one_store(store: Store, person: Person) -> None:
    def save_and_load(i: int) -> bool:
        visit = _visit(person, answers={"n": str(i)})
        loaded = store.load_visit(store.save_visit(visit, kiosk_id="k", status="completed"))
        return loaded.person == person and loaded.answers == {"n": str(i)}

    with ThreadPoolExecutor(8) as pool:
        assert all(pool.map(save_and_load, range(80)))
