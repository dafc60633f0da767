"""Card data is encrypted at rest, bound to its visit, under a private key file."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from kiosk.person import Person
from kiosk.storage import DecryptionFailed, KeyFileInsecure, KeyFileInvalid, StorageError, Store
from kiosk.storage.crypto import KEY_BYTES, PersonCipher, load_or_create_key
from kiosk.visit import Visit


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


def _ciphertext(db_url: str, reference: str) -> bytes:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            sql = text("SELECT person_ciphertext FROM visits WHERE reference = :r")
            return bytes(conn.execute(sql, {"r": reference}).scalar_one())
    finally:
        engine.dispose()


def test_database_file_never_holds_personal_data_in_clear(
    store: Store, db_path: Path, person: Person
) -> None:
    visit = Visit(language="ja", person=person, used_card=True, answers={"move": "in"})
    store.save_visit(visit, kiosk_id="kiosk-1", status="in_progress")
    store.save_visit(visit, kiosk_id="kiosk-1", status="completed")
    secrets_in_clear = [person.name, person.address, person.name_kana, "1985-07-14"]
    _assert_absent(_raw_bytes(db_path), secrets_in_clear)
    store.close()  # checkpoints the WAL into the main file
    _assert_absent(_raw_bytes(db_path), secrets_in_clear)


def _assert_absent(raw: bytes, values: list[str]) -> None:
    assert len(raw) > 0
    for value in values:
        for form in _cleartext_forms(value):
            assert form not in raw, "personal data in clear in the database files"


def test_key_file_is_private_and_separate(
    store: Store, key_file: Path, db_path: Path, person: Person
) -> None:
    store.save_visit(Visit(language="ja", person=person), kiosk_id="k", status="in_progress")
    info = key_file.stat()
    assert stat.S_IMODE(info.st_mode) == 0o600
    assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
    assert key_file.parent != db_path.parent
    key = key_file.read_bytes()
    assert len(key) == KEY_BYTES
    assert key not in _raw_bytes(db_path)
    assert not list(key_file.parent.glob("*.tmp"))


def test_key_is_reused_on_next_open(
    store: Store, db_url: str, key_file: Path, person: Person
) -> None:
    reference = store.save_visit(
        Visit(language="ja", person=person), kiosk_id="k", status="in_progress"
    )
    key = key_file.read_bytes()
    store.close()
    with Store.open(db_url, key_file) as reopened:
        assert reopened.load_visit(reference).person == person
    assert key_file.read_bytes() == key


def test_group_readable_key_file_is_refused(db_url: str, key_file: Path) -> None:
    load_or_create_key(key_file)
    key_file.chmod(0o644)
    with pytest.raises(KeyFileInsecure) as caught:
        Store.open(db_url, key_file)
    assert caught.value.code == "key_file_insecure"
    assert isinstance(caught.value, StorageError)
    message = str(caught.value)
    assert str(key_file) in message
    assert "0644" in message
    assert f"chmod 600 '{key_file}'" in message


@pytest.mark.parametrize("size", [0, 16, KEY_BYTES + 1])
def test_key_file_of_wrong_size_is_refused(key_file: Path, size: int) -> None:
    key_file.parent.mkdir(mode=0o700)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, b"k" * size)
    os.close(fd)
    with pytest.raises(KeyFileInvalid, match="expected 32") as caught:
        load_or_create_key(key_file)
    assert caught.value.code == "key_file_invalid"


def test_symlinked_key_file_is_refused(tmp_path: Path, key_file: Path) -> None:
    real = tmp_path / "real.key"
    load_or_create_key(real)
    key_file.parent.mkdir(mode=0o700)
    key_file.symlink_to(real)
    with pytest.raises(KeyFileInvalid, match="symlink"):
        load_or_create_key(key_file)


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
    assert "modified" in str(caught.value)


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


def test_blob_format_has_key_id_and_fresh_nonce() -> None:
    cipher = PersonCipher(b"\x07" * KEY_BYTES)
    first = cipher.encrypt(b"same", reference="AAAA2222")
    second = cipher.encrypt(b"same", reference="AAAA2222")
    assert first[0] == second[0] == cipher.key_id == 1
    assert first[1:13] != second[1:13]
    assert len(first) == 1 + 12 + len(b"same") + 16
    assert cipher.decrypt(first, reference="AAAA2222") == b"same"


def test_other_key_or_key_id_fails_clearly() -> None:
    blob = PersonCipher(b"\x01" * KEY_BYTES).encrypt(b"x", reference="R")
    with pytest.raises(DecryptionFailed, match="different key"):
        PersonCipher(b"\x02" * KEY_BYTES).decrypt(blob, reference="R")
    with pytest.raises(DecryptionFailed, match="key id 1"):
        PersonCipher(b"\x01" * KEY_BYTES, key_id=2).decrypt(blob, reference="R")
    with pytest.raises(DecryptionFailed, match="too short"):
        PersonCipher(b"\x01" * KEY_BYTES).decrypt(blob[:20], reference="R")


def test_cipher_repr_hides_the_key() -> None:
    assert "\\x07" not in repr(PersonCipher(b"\x07" * KEY_BYTES))


def test_key_file_that_cannot_be_created(tmp_path: Path, db_url: str) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    with pytest.raises(KeyFileInvalid, match="cannot be created"):
        Store.open(db_url, blocker / "kiosk.key")
