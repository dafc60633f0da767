"""Personal data is sealed at rest to day keys under the ward key pair.

A kiosk holds only the public key and cannot read back what it stored; a counter
PC holds the private key; the board holds none. No key is created implicitly.
"""

from __future__ import annotations

import json
import stat
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy import create_engine, text

from kiosk.person import Person
from kiosk.storage import (
    DecryptionFailed,
    KeyFileInsecure,
    KeyFileInvalid,
    StorageError,
    Store,
    ward_keys,
)
from kiosk.storage.crypto import KEY_BYTES, PersonCipher
from kiosk.storage.data_keys import Keyring, NoPrivateKey, StaleWardKey
from kiosk.storage.key_files import read_private_key, write_private_key
from kiosk.storage.sealing import SealBroken, raw_private, seal, unseal
from kiosk.storage.ward_keys import NoWardKey, WardKeyMismatch
from kiosk.visit import Visit
from tests.keys import counter_keys, key_pair, kiosk_keys, open_store
from tests.storage.conftest import FakeClock


def _raw_bytes(db_path: Path) -> bytes:
    files = [db_path, *db_path.parent.glob(db_path.name + "-*")]  # -wal, -shm
    return b"".join(f.read_bytes() for f in files if f.is_file())


def _cleartext_forms(value: str) -> list[bytes]:
    escaped = json.dumps(value).strip('"').encode("ascii")
    return [value.encode("utf-8"), value.encode("utf-16-le"), value.encode("utf-32-le"), escaped]


def _execute(db_url: str, sql: str, **params: object) -> None:
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(text(sql), params)
    finally:
        engine.dispose()


def _scalar(db_url: str, sql: str, **params: object) -> object:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql), params).scalar_one()
    finally:
        engine.dispose()


def _ciphertext(db_url: str, reference: str, column: str = "person_ciphertext") -> bytes:
    sql = f"SELECT {column} FROM visits WHERE reference = :r"  # noqa: S608 - test's own names
    return bytes(_scalar(db_url, sql, r=reference))  # type: ignore[arg-type]


def _assert_absent(raw: bytes, values: list[str]) -> None:
    assert len(raw) > 0
    for value in values:
        for form in _cleartext_forms(value):
            assert form not in raw, "personal data in clear in the database files"


def _secrets(person: Person) -> list[str]:
    return [person.name, person.address, person.name_kana, "1985-07-14", "123456789018"]


def test_database_file_never_holds_personal_data_in_clear(
    store: Store, db_path: Path, person: Person
) -> None:
    visit = Visit(
        language="ja",
        person=person,
        used_card=True,
        individual_number="123456789018",
        answers={"move": "moved_in_from_abroad"},
    )
    store.save_visit(visit, kiosk_id="kiosk-1", status="in_progress")
    store.save_visit(visit, kiosk_id="kiosk-1", status="completed")
    in_clear = [*_secrets(person), "moved_in_from_abroad"]
    _assert_absent(_raw_bytes(db_path), in_clear)
    store.close()  # checkpoints the WAL into the main file
    _assert_absent(_raw_bytes(db_path), in_clear)


def test_answers_are_sealed_with_the_card_data(store: Store, db_url: str, person: Person) -> None:
    reference = store.save_visit(
        Visit(language="ja", person=person, answers={"move": "in"}),
        kiosk_id="k",
        status="completed",
    )
    assert _scalar(db_url, "SELECT answers FROM visits WHERE reference = :r", r=reference) == "{}"
    assert _ciphertext(db_url, reference, "answers_ciphertext")[0] == 2
    assert store.load_visit(reference).answers == {"move": "in"}


def test_a_kiosk_cannot_read_back_what_it_stored(
    db_url: str, key_file: Path, person: Person, clock: FakeClock
) -> None:
    open_store(db_url, key_file).close()  # the ward key registered (key init)
    with Store.open(db_url, kiosk_keys(key_file), clock=clock, creator="kiosk-1") as kiosk:
        reference = kiosk.save_visit(
            Visit(language="ja", person=person, individual_number="123456789018"),
            kiosk_id="kiosk-1",
            status="completed",
        )
        with pytest.raises(NoPrivateKey, match="cannot read personal data"):
            kiosk.load_visit(reference)
    with Store.open(db_url, counter_keys(key_file)) as counter:
        loaded = counter.load_visit(reference)
    assert loaded.person == person
    assert loaded.individual_number == "123456789018"


def test_the_board_holds_no_key_and_reads_no_personal_data(
    store: Store, db_url: str, person: Person
) -> None:
    reference = store.save_visit(
        Visit(language="ja", person=person), kiosk_id="k", status="completed"
    )
    with Store.open(db_url, Keyring()) as board:
        assert board.keyring.public is None and board.keyring.private is None
        with pytest.raises(NoPrivateKey):
            board.load_visit(reference)


def test_a_wrong_key_stops_start_up_with_the_message(
    store: Store, db_url: str, tmp_path: Path
) -> None:
    other = tmp_path / "other" / "ward-key.pem"
    with pytest.raises(WardKeyMismatch, match="current key is") as caught:
        Store.open(db_url, kiosk_keys(other))
    assert caught.value.code == "ward_key_mismatch"
    assert store.keyring.fingerprint in str(caught.value)
    with pytest.raises(WardKeyMismatch):
        Store.open(db_url, counter_keys(other))


def test_no_key_is_ever_created_or_registered_implicitly(db_url: str, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "ward-key.pem"
    with pytest.raises(KeyFileInvalid, match="cannot be opened"):
        read_private_key(missing)
    assert not missing.exists() and not missing.parent.exists()
    with pytest.raises(NoWardKey, match="ward-kiosk key init"):
        Store.open(db_url, counter_keys(tmp_path / "k" / "ward-key.pem"))


def test_private_key_file_is_owner_only_and_never_in_the_database(
    store: Store, key_file: Path, db_path: Path, person: Person
) -> None:
    store.save_visit(Visit(language="ja", person=person), kiosk_id="k", status="in_progress")
    private, public = key_pair(key_file)
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert stat.S_IMODE(public.stat().st_mode) == 0o644
    assert raw_private(read_private_key(private)) not in _raw_bytes(db_path)


def test_group_readable_private_key_is_refused(db_url: str, key_file: Path) -> None:
    private, _ = key_pair(key_file)
    private.chmod(0o640)
    with pytest.raises(KeyFileInsecure) as caught:
        open_store(db_url, key_file)
    assert isinstance(caught.value, StorageError)
    assert "0640" in str(caught.value)
    assert f"chmod 600 '{private}'" in str(caught.value)


def test_an_existing_key_file_is_never_overwritten(key_file: Path) -> None:
    private, _ = key_pair(key_file)
    before = private.read_bytes()
    with pytest.raises(KeyFileInvalid, match="already exists"):
        write_private_key(private, X25519PrivateKey.generate())
    assert private.read_bytes() == before


def test_symlinked_private_key_is_refused(tmp_path: Path, key_file: Path) -> None:
    real, _ = key_pair(tmp_path / "real" / "ward-key.pem")
    key_file.parent.mkdir(mode=0o700)
    key_file.symlink_to(real)
    with pytest.raises(KeyFileInvalid, match="symlink"):
        read_private_key(key_file)


def test_tampered_ciphertext_fails_to_decrypt(store: Store, db_url: str, person: Person) -> None:
    reference = store.save_visit(
        Visit(language="ja", person=person), kiosk_id="k", status="completed"
    )
    blob = bytearray(_ciphertext(db_url, reference))
    blob[-5] ^= 0x01
    _execute(
        db_url,
        "UPDATE visits SET person_ciphertext = :b WHERE reference = :r",
        b=bytes(blob),
        r=reference,
    )
    with pytest.raises(DecryptionFailed) as caught:
        store.load_visit(reference)
    assert caught.value.code == "decryption_failed"
    assert reference in str(caught.value)
    assert "altered" in str(caught.value)


def test_ciphertext_moved_to_another_visit_fails_to_decrypt(
    store: Store, db_url: str, person: Person
) -> None:
    source = store.save_visit(Visit(language="ja", person=person), kiosk_id="k", status="completed")
    target = store.save_visit(Visit(language="en"), kiosk_id="k", status="completed")
    blob = _ciphertext(db_url, source)
    _execute(
        db_url, "UPDATE visits SET person_ciphertext = :b WHERE reference = :r", b=blob, r=target
    )
    with pytest.raises(DecryptionFailed, match=target):
        store.load_visit(target)
    assert store.load_visit(source).person == person


def test_after_the_retention_period_the_day_is_unreadable_with_every_key(
    store: Store, db_url: str, db_path: Path, key_file: Path, person: Person, clock: FakeClock
) -> None:
    reference = store.save_visit(
        Visit(language="ja", person=person, individual_number="123456789018", started_at=clock()),
        kiosk_id="k",
        status="completed",
    )
    copied = _ciphertext(db_url, reference)  # e.g. a backup taken that day
    wrapped = bytes(_scalar(db_url, "SELECT wrapped_private FROM data_keys"))  # type: ignore[arg-type]
    clock.advance(timedelta(days=8))
    assert store.purge_personal_data(timedelta(days=7)) == 1
    assert _scalar(db_url, "SELECT count(*) FROM data_keys WHERE wrapped_private IS NULL") == 1
    _execute(
        db_url,
        "UPDATE visits SET person_ciphertext = :b WHERE reference = :r",
        b=copied,
        r=reference,
    )
    with pytest.raises(DecryptionFailed, match="destroyed"):
        store.load_visit(reference)
    fresh = Store.open(db_url, counter_keys(key_file))  # no cached day key either
    with fresh, pytest.raises(DecryptionFailed, match="destroyed"):
        fresh.load_visit(reference)
    _execute(db_url, "UPDATE visits SET person_ciphertext = NULL WHERE reference = :r", r=reference)
    store.purge_personal_data(timedelta(days=7))  # checkpoints; secure_delete zeroed the pages
    raw = _raw_bytes(db_path)
    assert copied not in raw and wrapped not in raw
    _assert_absent(raw, _secrets(person))


def test_the_individual_number_goes_when_the_service_day_ends(
    store: Store, person: Person, clock: FakeClock
) -> None:
    reference = store.save_visit(
        Visit(language="ja", person=person, individual_number="123456789018", started_at=clock()),
        kiosk_id="k",
        status="completed",
    )
    store.purge_personal_data(timedelta(days=7))
    assert store.load_visit(reference).individual_number == "123456789018"
    clock.advance(timedelta(days=1))
    store.purge_personal_data(timedelta(days=7))
    loaded = store.load_visit(reference)
    assert loaded.individual_number is None
    assert loaded.person == person  # the card data stays for the retention period


def test_stale_visits_are_abandoned_and_lose_their_number(
    store: Store, person: Person, clock: FakeClock
) -> None:
    reference = store.save_visit(
        Visit(language="ja", person=person, individual_number="123456789018", started_at=clock()),
        kiosk_id="k",
        status="in_progress",
    )
    clock.advance(timedelta(hours=3))
    assert store.abandon_stale_visits(timedelta(hours=2)) == 1
    assert store.load_visit(reference).individual_number is None


def test_legacy_rows_open_with_the_legacy_key_until_they_expire(
    db_url: str, key_file: Path, person: Person
) -> None:
    open_store(db_url, key_file).close()
    legacy = PersonCipher(b"\x07" * KEY_BYTES)
    with open_store(db_url, key_file) as store:
        reference = store.save_visit(Visit(language="ja"), kiosk_id="k", status="completed")
    blob = legacy.encrypt(json.dumps(person.to_dict()).encode(), reference=reference)
    _execute(
        db_url, "UPDATE visits SET person_ciphertext = :b WHERE reference = :r", b=blob, r=reference
    )
    with pytest.raises(DecryptionFailed, match="legacy key"):
        open_store(db_url, key_file).load_visit(reference)
    keys = counter_keys(key_file)
    with Store.open(db_url, Keyring.opening(keys.private, legacy)) as store:  # type: ignore[arg-type]
        assert store.load_visit(reference).person == person


def test_sealing_is_one_way_and_bound_to_its_context() -> None:
    ward = X25519PrivateKey.generate()
    blob = seal(ward.public_key(), b"secret", b"context")
    assert unseal(ward, blob, b"context") == b"secret"
    assert seal(ward.public_key(), b"secret", b"context") != blob  # a fresh key each time
    with pytest.raises(SealBroken):
        unseal(ward, blob, b"other context")
    with pytest.raises(SealBroken):
        unseal(X25519PrivateKey.generate(), blob, b"context")
    with pytest.raises(SealBroken, match="too short"):
        unseal(ward, blob[:20], b"context")


def test_keyring_repr_hides_the_key(key_file: Path) -> None:
    keys = counter_keys(key_file)
    assert "private" in repr(keys)
    assert raw_private(keys.private).hex() not in repr(keys)  # type: ignore[arg-type]


def test_a_kiosk_still_running_after_a_rotation_makes_no_day_key_nobody_can_open(
    db_url: str, key_file: Path, person: Person, clock: FakeClock, tmp_path: Path
) -> None:
    open_store(db_url, key_file).close()
    kiosk = Store.open(db_url, kiosk_keys(key_file), clock=clock)
    old = counter_keys(key_file).private
    assert old is not None
    new = X25519PrivateKey.generate()
    with (
        Store.open(db_url, counter_keys(key_file)) as counter,
        counter.transaction(write=True) as session,
    ):
        ward_keys.rotate(session, old, new, clock())
    with kiosk, pytest.raises(StaleWardKey, match="rotated") as caught:
        kiosk.save_visit(Visit(language="ja", person=person), kiosk_id="k", status="completed")
    assert caught.value.code == "ward_key_mismatch"
