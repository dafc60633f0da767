"""A counter PC's world for tests: settings, a real store, staff, and stored visits."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pyotp
import pytest
from argon2 import PasswordHasher, Type

from kiosk.checkout import Checkout
from kiosk.config import Settings
from kiosk.context import KioskContext
from kiosk.counter import CounterDesk
from kiosk.person import Person
from kiosk.printing import FolderPrinter
from kiosk.queue import QueueService
from kiosk.staff import SecondFactorRequired, Session, StaffAccounts
from kiosk.staff_totp import STEP_SECONDS, code_at
from kiosk.tickets import PdfTicketPrinter
from kiosk.visit import Visit
from tests.keys import open_store
from tests.storage.conftest import FakeClock

STAFF_PIN = "2580"
SUPERVISOR_PIN = "3691"
NUMBER = "123456789018"
CLI = "cli:tester"


def cheap_hasher() -> PasswordHasher:
    # Fast parameters for tests; production uses kiosk.staff.default_hasher() (64 MiB).
    return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, type=Type.ID)


def counter_settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings.model_validate(
        {
            "ward": {"name": "大阪市北区役所"},
            "database": {
                "url": db_url,
                "private_key_file": str(tmp_path / "keys" / "ward-key.pem"),
                "public_key_file": str(tmp_path / "keys" / "ward-key.pem.pub"),
            },
            "printing": {"output_dir": str(tmp_path / "printed")},
            "counters": {
                "resident": {"number": "2", "desks": 2},
                "insurance": {"number": "5"},
                "children": {"number": "8"},
                "information": {"number": "1"},
            },
        }
    )


class CounterWorld:
    """Everything a counter PC holds, over one real database."""

    def __init__(self, db_url: str, tmp_path: Path, clock: FakeClock) -> None:
        settings = counter_settings(db_url, tmp_path)
        self.context = KioskContext.load(settings=settings)
        self.clock = clock
        self.store = open_store(settings.database_url(), settings.private_key_file(), clock=clock)
        self.printed = settings.output_dir()
        folder = FolderPrinter(self.printed)
        self.checkout = Checkout(self.context, lambda: self.store, folder, PdfTicketPrinter(folder))
        self.queue = QueueService(self.store, self.context.catalog, settings.counters)
        self.desk = CounterDesk(self.context, self.store, self.queue, self.checkout.reprint)
        self.accounts = StaffAccounts(self.store, hasher=cheap_hasher())
        self.accounts.add("S001", "窓口 花子", "staff", STAFF_PIN, by=CLI)
        self.accounts.add("SV01", "管理 一郎", "supervisor", SUPERVISOR_PIN, by=CLI)
        enrolment = self.accounts.enrol_second_factor("SV01", by=CLI)
        self.totp_secret = base64.b32decode(pyotp.parse_uri(enrolment.uri).secret)

    def staff(self) -> Session:
        return self.accounts.sign_in("S001", STAFF_PIN)

    def supervisor(self) -> Session:
        """SV01 signed in with PIN and authenticator code (a fresh one each time)."""
        try:
            return self.accounts.sign_in("SV01", SUPERVISOR_PIN)
        except SecondFactorRequired as asked:
            return self.accounts.complete_sign_in(asked.challenge, self.next_code())

    def next_code(self) -> str:
        """SV01's authenticator code of the next time step (the clock moves on to it, as
        a code is taken once only)."""
        self.clock.advance(timedelta(seconds=STEP_SECONDS))
        return code_at(self.totp_secret, self.clock.now)

    def visit(self, *, card: bool = True, answers: dict[str, str] | None = None) -> str:
        """Complete a visit at the "kiosk" (stored, ticket issued, forms printed to files)."""
        answers = answers or {"purpose": "certificate", "certificate_kind": "juminhyo"}
        procedures = [p.id for p in self.context.catalog.procedures_for(answers)]
        visit = Visit(language="en", answers=dict(answers), procedures=procedures)
        if card:
            visit.person = Person(
                name="大阪 太郎",
                address="大阪府大阪市北区中之島1丁目3番20号",
                birth_date=date(1980, 5, 17),
                sex="male",
            )
            visit.used_card = True
            visit.individual_number = NUMBER
        return self.checkout.complete(visit).reference

    def close(self) -> None:
        self.store.close()


@pytest.fixture
def counter_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def world(any_db_url: str, tmp_path: Path, counter_clock: FakeClock) -> Iterator[CounterWorld]:
    """A counter over SQLite and over PostgreSQL."""
    opened = CounterWorld(any_db_url, tmp_path, counter_clock)
    try:
        yield opened
    finally:
        opened.close()
