"""SQLAlchemy tables of the kiosk database (portable between SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Literal, get_args

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

VisitStatus = Literal["in_progress", "completed", "abandoned"]
# "cancelled" predates the queue (revision 0001) and is kept for old rows; "served"
# became "done" in revision 0003.
TicketStatus = Literal[
    "waiting", "called", "serving", "done", "no_show", "transferred", "cancelled"
]
VISIT_STATUSES: tuple[str, ...] = get_args(VisitStatus)
TICKET_STATUSES: tuple[str, ...] = get_args(TicketStatus)
REFERENCE_MAX = 16
ACTOR_MAX = 100
ACTION_MAX = 64
DETAIL_MAX = 200
HASH_HEX = 64  # SHA-256 in hex (the access log's chain, revision 0009)
StaffRole = Literal["staff", "supervisor"]
STAFF_ROLES: tuple[str, ...] = get_args(StaffRole)
STAFF_ID_MAX = 32
STAFF_NAME_MAX = 100
PIN_HASH_MAX = 255
TOKEN_MAX = 32  # secrets.token_urlsafe(16) is 22 characters

# Explicit constraint names keep Alembic migrations reproducible on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetime stored as UTC (SQLite keeps no offset, so normalise first)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: store only timezone-aware datetimes")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class VisitRow(Base):
    """One visitor session. Card data lives only in the two ``*_ciphertext`` columns."""

    __tablename__ = "visits"
    __table_args__ = (CheckConstraint(_in("status", VISIT_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(REFERENCE_MAX), unique=True)
    kiosk_id: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(16))
    used_card: Mapped[bool] = mapped_column(default=False)
    used_voice: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The visitor said the card details shown are wrong: staff correct them (revision 0012).
    details_to_correct: Mapped[bool] = mapped_column(default=False, server_default=false())
    answers: Mapped[dict[str, str]] = mapped_column(JSON)
    procedures: Mapped[list[str]] = mapped_column(JSON)
    person_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary)
    number_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary)
    # The answers, sealed like the card data (revision 0010); ``answers`` stays empty.
    answers_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(16))
    personal_data_purged_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class AccessLogRow(Base):
    """Who did what with which visit, and when. Never holds personal data.

    ``visit_reference`` is kept as text so that an entry still names its visit after
    the visit row is gone, and can record lookups of references that do not exist.
    Append-only: database triggers refuse UPDATE and DELETE (revision 0009).
    """

    __tablename__ = "access_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(ACTOR_MAX))
    action: Mapped[str] = mapped_column(String(ACTION_MAX))
    visit_id: Mapped[int | None] = mapped_column(
        ForeignKey("visits.id", ondelete="SET NULL"), index=True
    )
    visit_reference: Mapped[str | None] = mapped_column(String(REFERENCE_MAX), index=True)
    detail: Mapped[str] = mapped_column(String(DETAIL_MAX), default="")
    # The hash chain (revision 0009, see ``kiosk.storage.audit``); ``visit_id`` is not hashed.
    prev_hash: Mapped[str] = mapped_column(String(HASH_HEX))
    entry_hash: Mapped[str] = mapped_column(String(HASH_HEX))


class AccessLogHeadRow(Base):
    """The access log's last entry (one row, revision 0009); locking it serialises appends."""

    __tablename__ = "access_log_head"
    __table_args__ = (CheckConstraint("id = 1", name="one_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_id: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(HASH_HEX))


class SchemaCompatibilityRow(Base):
    """Which older software may still run on this schema (one row, revision 0011).

    Written by every migration run (``kiosk.storage.compat``): ``serves_from`` is the
    oldest revision whose software may use the schema at ``revision``.
    """

    __tablename__ = "schema_compatibility"
    __table_args__ = (CheckConstraint("id = 1", name="one_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    revision: Mapped[str] = mapped_column(String(32))
    serves_from: Mapped[str] = mapped_column(String(32))


class StaffRow(Base):
    """A counter staff account (revision 0006). Only the argon2id hash of the PIN is kept."""

    __tablename__ = "staff"
    __table_args__ = (CheckConstraint(_in("role", STAFF_ROLES), name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[str] = mapped_column(String(STAFF_ID_MAX), unique=True)
    display_name: Mapped[str] = mapped_column(String(STAFF_NAME_MAX))
    role: Mapped[str] = mapped_column(String(16))
    pin_hash: Mapped[str] = mapped_column(String(PIN_HASH_MAX))
    failed_tries: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    totp_secret: Mapped[bytes | None] = mapped_column(LargeBinary)  # sealed (revision 0008)
    # The last TOTP time step a code was accepted for: no code is taken twice (0008).
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class TicketRow(Base):
    """One queue ticket; numbers restart per (service_day, category)."""

    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("service_day", "category", "number"),
        CheckConstraint(_in("status", TICKET_STATUSES), name="status"),
        Index("ix_tickets_queue", "service_day", "category", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    visit_id: Mapped[int | None] = mapped_column(
        ForeignKey("visits.id", ondelete="SET NULL"), index=True
    )
    service_day: Mapped[date] = mapped_column(Date)
    category: Mapped[str] = mapped_column(String(32))
    number: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(16))
    counter: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="waiting")
    waiting_ahead: Mapped[int] = mapped_column(Integer)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # The queue (revision 0003). ``queued_at`` orders the queue: the issue time, or
    # for a ticket transferred from another category, the original ticket's.
    priority: Mapped[bool] = mapped_column(Boolean, default=False)
    passed: Mapped[int] = mapped_column(Integer, default=0)
    queued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    status_at: Mapped[datetime] = mapped_column(UtcDateTime)
    called_by: Mapped[str | None] = mapped_column(String(32))
    serving_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    transferred_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("tickets.id", ondelete="SET NULL")
    )
    # The visitor's language (revision 0013): the board calls the number in it too.
    language: Mapped[str] = mapped_column(String(16), default="", server_default="")
    # The secret in the phone page's URL, /t/<token> (revision 0014); NULL on older tickets.
    token: Mapped[str | None] = mapped_column(String(TOKEN_MAX), unique=True, index=True)


class TicketEventRow(Base):
    """Every change of a ticket's status, timestamped; also the feed pollers read."""

    __tablename__ = "ticket_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(16))
    counter: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(String(32), default="")


class TicketCounterRow(Base):
    """Last number handed out per day and category; locking this row serialises issuance."""

    __tablename__ = "ticket_counters"

    service_day: Mapped[date] = mapped_column(Date, primary_key=True)
    category: Mapped[str] = mapped_column(String(32), primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)


class CounterStateRow(Base):
    """Whether a counter is open (revision 0007); a counter without a row is open."""

    __tablename__ = "counter_states"

    counter: Mapped[str] = mapped_column(String(32), primary_key=True)
    open: Mapped[bool] = mapped_column(Boolean)
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    changed_by: Mapped[str] = mapped_column(String(ACTOR_MAX))


class KioskHeartbeatRow(Base):
    """The latest heartbeat of each kiosk (revision 0007): its health checks, no personal data.

    ``checks`` is a list of ``{"name", "status", "detail"}``, status ok/warning/error.
    """

    __tablename__ = "kiosk_heartbeats"

    kiosk_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    version: Mapped[str] = mapped_column(String(32))
    checks: Mapped[list[dict[str, str]]] = mapped_column(JSON)


class StaffCallRow(Base):
    """A visitor touched "職員を呼ぶ" at a kiosk (revision 0012); open until acknowledged.

    Times are the database server's. No personal data: the kiosk, the screen, the language.
    """

    __tablename__ = "staff_calls"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kiosk_id: Mapped[str] = mapped_column(String(64))
    screen: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(16))
    raised_at: Mapped[datetime] = mapped_column(UtcDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(ACTOR_MAX))


class WardKeyRow(Base):
    """The ward's public keys (revision 0010): the current one has no ``retired_at``.

    The key check value: a machine whose key has another fingerprint refuses to start.
    """

    __tablename__ = "ward_keys"

    fingerprint: Mapped[str] = mapped_column(String(32), primary_key=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    retired_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class DataKeyRow(Base):
    """A service day's data key (revision 0010): its private half sealed to the ward key.

    ``wrapped_private`` is set to NULL when the retention period ends (crypto-shredding).
    The id is chosen by the sealing process, so inserting needs no RETURNING.
    """

    __tablename__ = "data_keys"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    service_day: Mapped[date] = mapped_column(Date, index=True)
    created_by: Mapped[str] = mapped_column(String(64))
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    wrapped_private: Mapped[bytes | None] = mapped_column(LargeBinary)
    ward_fingerprint: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    destroyed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class PreEntryRow(Base):
    """A resident's スマート申請 (revision 0014): found by ``lookup``, derived from the code.

    ``payload`` is sealed with the key derived from the code (``kiosk.pre_entry``): the
    database holds neither the code nor anything readable without it.
    """

    __tablename__ = "pre_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lookup: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    used_by: Mapped[str | None] = mapped_column(String(64))  # the kiosk that printed it
