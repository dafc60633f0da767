"""A visit's personal data in its row: the card's Person, the individual number, the answers.

All three are sealed to the visit's service-day key (:mod:`kiosk.storage.data_keys`);
the row's plain columns hold only what statistics need (language, procedures,
times, status). Rows stored before revision 0010 may still hold plain answers
until the retention period clears them.
"""

from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy.orm import Session

from kiosk.person import Person
from kiosk.storage.data_keys import DataKeys, Purpose
from kiosk.storage.models import VisitRow, VisitStatus
from kiosk.visit import Ticket, Visit


def service_day(moment: datetime) -> date:
    """The local calendar day of ``moment`` (naive: the machine's local time)."""
    aware = moment if moment.tzinfo is not None else moment.astimezone()
    return aware.astimezone().date()


def holds_personal_data(visit: Visit) -> bool:
    return visit.person is not None or visit.individual_number is not None or bool(visit.answers)


def fill_row(
    row: VisitRow, visit: Visit, keys: DataKeys, *, status: VisitStatus, now: datetime
) -> None:
    """Copy ``visit`` into ``row``, sealing what is personal."""
    started = visit.started_at if visit.started_at.tzinfo else visit.started_at.astimezone()
    row.language = visit.language
    row.used_card = visit.used_card
    row.used_voice = visit.used_voice
    row.details_to_correct = visit.details_to_correct
    row.answers = {}
    row.procedures = list(visit.procedures)
    row.started_at = started
    row.status = status
    if status == "in_progress":
        row.finished_at = None
    elif row.finished_at is None:
        row.finished_at = now
    day = service_day(started)

    def sealed(value: str | None, purpose: Purpose) -> bytes | None:
        if value is None:
            return None
        return keys.seal(
            day, value.encode("utf-8"), purpose=purpose, reference=row.reference, now=now
        )

    row.person_ciphertext = sealed(_person_json(visit.person), "person")
    row.number_ciphertext = sealed(visit.individual_number, "individual_number")
    answers = json.dumps(dict(visit.answers), ensure_ascii=False) if visit.answers else None
    row.answers_ciphertext = sealed(answers, "answers")
    if holds_personal_data(visit):
        row.personal_data_purged_at = None


def seal_person(keys: DataKeys, row: VisitRow, person: Person, now: datetime) -> bytes:
    """A corrected Person, sealed to the visit's own service day."""
    plaintext = json.dumps(person.to_dict(), ensure_ascii=False, separators=(",", ":"))
    return keys.seal(
        service_day(row.started_at),
        plaintext.encode("utf-8"),
        purpose="person",
        reference=row.reference,
        now=now,
    )


def to_visit(session: Session, row: VisitRow, ticket: Ticket | None, keys: DataKeys) -> Visit:
    """The stored visit with its personal data opened (needs the ward private key)."""

    def opened(blob: bytes | None, purpose: Purpose) -> str | None:
        if blob is None:
            return None
        return keys.open(session, blob, purpose=purpose, reference=row.reference).decode("utf-8")

    person = opened(row.person_ciphertext, "person")
    answers = opened(row.answers_ciphertext, "answers")
    return Visit(
        language=row.language,
        reference=row.reference,
        person=Person.from_dict(json.loads(person)) if person is not None else None,
        used_card=row.used_card,
        used_voice=row.used_voice,
        details_to_correct=row.details_to_correct,
        individual_number=opened(row.number_ciphertext, "individual_number"),
        answers=json.loads(answers) if answers is not None else dict(row.answers),
        procedures=list(row.procedures),
        ticket=ticket,
        started_at=row.started_at.astimezone(),
    )


def _person_json(person: Person | None) -> str | None:
    if person is None:
        return None
    return json.dumps(person.to_dict(), ensure_ascii=False, separators=(",", ":"))
