"""The individual number (個人番号) is stored only encrypted, bound to its visit and column."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from kiosk.person import Person
from kiosk.storage import DecryptionFailed, Store
from kiosk.storage.crypto import KEY_BYTES, NONCE_BYTES, PersonCipher
from kiosk.visit import Visit

NUMBER = "123456789018"  # well-formed: the last digit is the check digit
OTHER_NUMBER = "987654321093"


def _raw_bytes(db_path: Path) -> bytes:
    files = [db_path, *db_path.parent.glob(db_path.name + "-*")]  # -wal, -shm
    return b"".join(f.read_bytes() for f in files if f.is_file())


def _cleartext_forms(number: str) -> list[bytes]:
    grouped = f"{number[:4]} {number[4:8]} {number[8:]}"
    return [
        number.encode("ascii"),
        number.encode("utf-16-le"),
        number.encode("utf-16-be"),
        number.encode("utf-32-le"),
        json.dumps(number).encode("ascii"),
        json.dumps({"individual_number": number}).encode("ascii"),
        json.dumps(int(number)).encode("ascii"),
        grouped.encode("ascii"),
    ]


def _assert_number_absent(raw: bytes, number: str = NUMBER) -> None:
    assert len(raw) > 0
    for form in _cleartext_forms(number):
        assert form not in raw, "individual number in clear in the database files"


def _column(db_url: str, reference: str, column: str) -> bytes | None:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            sql = text(f"SELECT {column} FROM visits WHERE reference = :r")  # noqa: S608
            value = conn.execute(sql, {"r": reference}).scalar_one()
    finally:
        engine.dispose()
    return None if value is None else bytes(value)


def _set_column(db_url: str, reference: str, column: str, value: bytes | None) -> None:
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            sql = text(f"UPDATE visits SET {column} = :v WHERE reference = :r")  # noqa: S608
            conn.execute(sql, {"v": value, "r": reference})
    finally:
        engine.dispose()


def _visit(person: Person | None = None, number: str | None = NUMBER, **changes: object) -> Visit:
    visit = Visit(
        language="ja",
        person=person,
        used_card=person is not None,
        individual_number=number,
        procedures=["juminhyo"],
    )
    for name, value in changes.items():
        setattr(visit, name, value)
    return visit


def test_number_round_trips_encrypted(store: Store, db_url: str, person: Person) -> None:
    reference = store.save_visit(_visit(person), kiosk_id="k", status="in_progress")
    loaded = store.load_visit(reference)
    assert loaded.individual_number == NUMBER
    assert loaded.person == person
    blob = _column(db_url, reference, "number_ciphertext")
    assert blob is not None
    assert blob[0] == 2  # sealed to a day key: version, key id, ephemeral key, nonce, tag
    assert len(blob) == 1 + 8 + 32 + NONCE_BYTES + len(NUMBER) + 16
    assert NUMBER.encode() not in blob


def test_visit_without_number_stores_null(store: Store, db_url: str, person: Person) -> None:
    reference = store.save_visit(_visit(person, number=None), kiosk_id="k", status="completed")
    assert _column(db_url, reference, "number_ciphertext") is None
    assert store.load_visit(reference).individual_number is None


def test_database_files_never_hold_the_number_in_clear(
    store: Store, db_path: Path, person: Person
) -> None:
    visit = _visit(person, answers={"move": "in"})
    reference = store.save_visit(visit, kiosk_id="kiosk-1", status="in_progress")
    store.log_access(
        actor="kiosk:kiosk-1", action="individual_number_read", visit_reference=reference
    )
    store.save_visit(visit, kiosk_id="kiosk-1", status="completed")
    assert store.load_visit(reference).individual_number == NUMBER
    _assert_number_absent(_raw_bytes(db_path))
    store.close()  # checkpoints the WAL into the main file
    _assert_number_absent(_raw_bytes(db_path))


def test_clearing_the_number_clears_the_column(store: Store, db_url: str, person: Person) -> None:
    visit = _visit(person)
    reference = store.save_visit(visit, kiosk_id="k", status="in_progress")
    assert _column(db_url, reference, "number_ciphertext") is not None
    visit.individual_number = None  # e.g. the visitor gave up: an abandoned visit keeps no number
    store.save_visit(visit, kiosk_id="k", status="abandoned")
    assert _column(db_url, reference, "number_ciphertext") is None
    loaded = store.load_visit(reference)
    assert loaded.individual_number is None
    assert loaded.person == person


@pytest.mark.parametrize("drop", ["wipe", "forget_card"])
def test_wiped_or_forgotten_visit_clears_the_number(
    store: Store, db_url: str, person: Person, drop: str
) -> None:
    visit = _visit(person)
    reference = store.save_visit(visit, kiosk_id="k", status="in_progress")
    getattr(visit, drop)()
    assert visit.individual_number is None
    assert visit.person is None
    store.save_visit(visit, kiosk_id="k", status="abandoned")
    assert _column(db_url, reference, "number_ciphertext") is None
    assert _column(db_url, reference, "person_ciphertext") is None


def test_number_is_re_encrypted_with_a_fresh_nonce(store: Store, db_url: str) -> None:
    visit = _visit()
    reference = store.save_visit(visit, kiosk_id="k", status="in_progress")
    first = _column(db_url, reference, "number_ciphertext")
    store.save_visit(visit, kiosk_id="k", status="completed")
    assert _column(db_url, reference, "number_ciphertext") != first
    visit.individual_number = OTHER_NUMBER
    store.save_visit(visit, kiosk_id="k", status="completed")
    assert store.load_visit(reference).individual_number == OTHER_NUMBER


def test_swapped_person_and_number_ciphertexts_fail(
    store: Store, db_url: str, person: Person
) -> None:
    reference = store.save_visit(_visit(person), kiosk_id="k", status="completed")
    person_blob = _column(db_url, reference, "person_ciphertext")
    number_blob = _column(db_url, reference, "number_ciphertext")
    _set_column(db_url, reference, "person_ciphertext", number_blob)
    _set_column(db_url, reference, "number_ciphertext", None)
    with pytest.raises(DecryptionFailed, match=reference) as caught:
        store.load_visit(reference)
    assert caught.value.code == "decryption_failed"
    _set_column(db_url, reference, "person_ciphertext", None)
    _set_column(db_url, reference, "number_ciphertext", person_blob)
    with pytest.raises(DecryptionFailed, match="individual number") as caught:
        store.load_visit(reference)
    assert NUMBER not in str(caught.value)


def test_number_moved_to_another_visit_fails(store: Store, db_url: str) -> None:
    source = store.save_visit(_visit(), kiosk_id="k", status="completed")
    target = store.save_visit(_visit(number=OTHER_NUMBER), kiosk_id="k", status="completed")
    _set_column(db_url, target, "number_ciphertext", _column(db_url, source, "number_ciphertext"))
    with pytest.raises(DecryptionFailed, match=target) as caught:
        store.load_visit(target)
    message = str(caught.value)
    assert NUMBER not in message
    assert OTHER_NUMBER not in message
    assert store.load_visit(source).individual_number == NUMBER


def test_cipher_binds_the_purpose() -> None:
    cipher = PersonCipher(b"\x05" * KEY_BYTES)
    blob = cipher.encrypt(b"x", reference="R", purpose="individual_number")
    assert cipher.decrypt(blob, reference="R", purpose="individual_number") == b"x"
    with pytest.raises(DecryptionFailed, match="copied from another visit or column"):
        cipher.decrypt(blob, reference="R", purpose="person")
    with pytest.raises(DecryptionFailed):
        cipher.decrypt(
            cipher.encrypt(b"x", reference="R"), reference="R", purpose="individual_number"
        )


def test_purge_clears_the_number(store: Store, db_url: str, person: Person) -> None:
    now = datetime(2024, 4, 10, 3, 0, tzinfo=UTC)
    old = store.save_visit(
        _visit(person, started_at=now - timedelta(days=8)), kiosk_id="k", status="completed"
    )
    only_number = store.save_visit(
        _visit(started_at=now - timedelta(days=8)), kiosk_id="k", status="completed"
    )
    recent = store.save_visit(
        _visit(person, started_at=now - timedelta(days=1)), kiosk_id="k", status="completed"
    )
    assert store.purge_personal_data(timedelta(days=7), now=now) == 2
    for reference in (old, only_number):
        assert _column(db_url, reference, "number_ciphertext") is None
        assert _column(db_url, reference, "person_ciphertext") is None
        assert store.load_visit(reference).individual_number is None
    # The number goes at the end of its service day; the card data stays for the period.
    assert store.load_visit(recent).individual_number is None
    assert store.load_visit(recent).person == person


def test_saving_a_number_again_clears_the_purge_stamp(store: Store, db_url: str) -> None:
    visit = _visit(started_at=datetime(2024, 3, 1, 9, 0).astimezone())
    reference = store.save_visit(visit, kiosk_id="k", status="in_progress")
    assert store.purge_personal_data(timedelta(days=7)) == 1
    store.save_visit(visit, kiosk_id="k", status="completed")
    assert store.load_visit(reference).individual_number == NUMBER
    assert store.purge_personal_data(timedelta(days=7)) == 1


def test_stale_visits_lose_their_number_when_abandoned(
    store: Store, db_url: str, person: Person
) -> None:
    now = datetime(2024, 4, 10, 3, 0, tzinfo=UTC)
    stale = store.save_visit(
        _visit(person, started_at=now - timedelta(hours=3)), kiosk_id="k", status="in_progress"
    )
    active = store.save_visit(
        _visit(person, started_at=now - timedelta(minutes=5)), kiosk_id="k", status="in_progress"
    )
    assert store.abandon_stale_visits(timedelta(hours=1), now=now) == 1
    assert _column(db_url, stale, "number_ciphertext") is None
    assert store.load_visit(stale).person == person  # removed later by the purge
    assert store.load_visit(active).individual_number == NUMBER


def test_number_never_reaches_logs_or_reprs(
    store: Store, person: Person, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    visit = _visit(person)
    reference = store.save_visit(visit, kiosk_id="k", status="completed")
    loaded = store.load_visit(reference)
    store.log_access(actor="kiosk:k", action="individual_number_read", visit_reference=reference)
    store.purge_personal_data(timedelta(0))
    for shown in (caplog.text, repr(store), repr(visit), repr(loaded), str(loaded)):
        assert NUMBER not in shown
