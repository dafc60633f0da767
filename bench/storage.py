"""Storage: what sealing personal data to the ward key costs a kiosk and a counter.

Baseline: the same visit saved without personal data (the row, its transaction,
SQLite's fsync), so the ratio is what sealing the card data, the number and the
answers adds. Then a counter opening the visit (the day key unwrapped once per
process, cached after). And the hourly purge with the WAL checkpoint.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from bench.common import Row
from kiosk.person import Person
from kiosk.storage import Store
from kiosk.storage.data_keys import Keyring
from kiosk.visit import Visit

RUNS = 60
PERSON = Person(
    name="大阪 花子",
    name_kana="オオサカ ハナコ",
    address="大阪府大阪市北区中之島一丁目3番20号",
    birth_date=date(1985, 7, 14),
    sex="female",
)


def run() -> list[Row]:
    folder = Path(tempfile.mkdtemp(prefix="bench-storage-"))
    url = f"sqlite:///{folder / 'kiosk.db'}"
    ward = X25519PrivateKey.generate()
    Store.open(url, Keyring.opening(ward), register_key=True).close()
    kiosk = Store.open(url, Keyring.sealing_only(ward.public_key()), creator="bench")
    counter = Store.open(url, Keyring.opening(ward))
    try:
        plain = _timed(lambda: kiosk.save_visit(_visit(False), kiosk_id="b", status="completed"))
        references: list[str] = []
        sealed = _timed(
            lambda: references.append(
                kiosk.save_visit(_visit(True), kiosk_id="b", status="completed")
            )
        )
        opened = _timed_each(references, counter.load_visit)
        purge = _timed(lambda: counter.purge_personal_data(timedelta(days=7)), runs=10)
    finally:
        kiosk.close()
        counter.close()
    return [
        Row("storage: save a visit without personal data (baseline)", plain, note="SQLite"),
        Row("storage: save a visit sealed to the day key", sealed, plain, note="kiosk"),
        Row("storage: open a sealed visit", opened, plain, note="counter"),
        Row("storage: hourly purge + WAL checkpoint", purge, plain, note=f"{RUNS * 2} visits"),
    ]


def _visit(personal: bool) -> Visit:
    if not personal:
        return Visit(language="ja", procedures=["juminhyo"])
    return Visit(
        language="ja",
        person=PERSON,
        used_card=True,
        individual_number="123456789018",
        answers={"purpose": "move_in", "from": "other_city"},
        procedures=["tennyu", "juminhyo"],
    )


def _timed(action: Callable[[], object], runs: int = RUNS) -> list[float]:
    action()  # the first call makes the day key / warms the pool
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return samples


def _timed_each(items: list[str], action: Callable[[str], object]) -> list[float]:
    samples = []
    for item in items:
        start = time.perf_counter()
        action(item)
        samples.append(time.perf_counter() - start)
    return samples
