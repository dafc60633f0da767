"""The ward keys on the real PostgreSQL: who can read what, and crypto-shredding."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from kiosk.person import Person
from kiosk.storage import DecryptionFailed, Store
from kiosk.storage.data_keys import Keyring, NoPrivateKey
from kiosk.storage.ward_keys import WardKeyMismatch
from kiosk.visit import Visit
from tests.keys import counter_keys, kiosk_keys, open_store
from tests.pg_server import PgServer
from tests.storage.conftest import FakeClock

NUMBER = "123456789018"


def _person() -> Person:
    return Person(
        name="難波 次郎",
        name_kana="ナンバ ジロウ",
        address="大阪府大阪市中央区難波五丁目1番60号",
        birth_date=date(1990, 2, 3),
        sex="male",
    )


def _execute(url: str, sql: str, **params: object) -> object:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            result = conn.execute(text(sql), params)
            return result.scalar() if result.returns_rows else None
    finally:
        engine.dispose()


def test_kiosk_seals_counter_opens_board_holds_nothing(pg_url: str, tmp_path: Path) -> None:
    key = tmp_path / "keys" / "ward-key.pem"
    open_store(pg_url, key).close()  # key init
    with Store.open(pg_url, kiosk_keys(key), creator="kiosk-1") as kiosk:
        reference = kiosk.save_visit(
            Visit(language="ja", person=_person(), individual_number=NUMBER, answers={"a": "b"}),
            kiosk_id="kiosk-1",
            status="completed",
        )
        with pytest.raises(NoPrivateKey):
            kiosk.load_visit(reference)
    with Store.open(pg_url, Keyring()) as board, pytest.raises(NoPrivateKey):
        board.load_visit(reference)
    with Store.open(pg_url, counter_keys(key)) as counter:
        loaded = counter.load_visit(reference)
    assert (loaded.person, loaded.individual_number, loaded.answers) == (
        _person(),
        NUMBER,
        {"a": "b"},
    )
    with pytest.raises(WardKeyMismatch):
        Store.open(pg_url, kiosk_keys(tmp_path / "other" / "ward-key.pem"))


def test_after_retention_the_day_is_unreadable_and_not_in_the_server_files(
    pg_url: str, pg_server: PgServer, tmp_path: Path
) -> None:
    clock = FakeClock()
    key = tmp_path / "keys" / "ward-key.pem"
    with open_store(pg_url, key, clock=clock) as store:
        reference = store.save_visit(
            Visit(language="ja", person=_person(), individual_number=NUMBER, started_at=clock()),
            kiosk_id="k",
            status="completed",
        )
        copied = _execute(
            pg_url, "SELECT person_ciphertext FROM visits WHERE reference = :r", r=reference
        )
        clock.advance(timedelta(days=8))
        assert store.purge_personal_data(timedelta(days=7)) == 1
        _execute(
            pg_url,
            "UPDATE visits SET person_ciphertext = :b WHERE reference = :r",
            b=copied,
            r=reference,
        )  # as if restored from a backup taken that day
    with (
        Store.open(pg_url, counter_keys(key)) as fresh,
        pytest.raises(DecryptionFailed, match="destroyed"),
    ):
        fresh.load_visit(reference)
    _execute(pg_url, "CHECKPOINT")
    raw = b"".join(f.read_bytes() for f in (pg_server.data / "base").rglob("*") if f.is_file())
    for value in (_person().name, _person().address, NUMBER):
        assert value.encode("utf-8") not in raw
