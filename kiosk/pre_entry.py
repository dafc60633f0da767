"""スマート申請: what a resident prepared at home, found again at the kiosk by its code.

Plain Python (no Qt, no database). The pre-entry code is the only key: the database keeps
``derive(code)``'s lookup id and the private part sealed with the key derived with it, so
a copy of the database reveals nothing without the code. Codes never go to logs.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import threading
import unicodedata
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar

from kiosk.person import text_fault

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # 32 symbols: no 0/O or 1/I to misread
CODE_LENGTH = 12  # 60 bits
QR_PREFIX = "WK-PRE:"
_GROUP = 4
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―−ー]+")  # spaces, hyphens and dashes as typed

# scrypt: ~50 ms and 16 MiB per try, so guessing codes against a stolen database costs
# 2^60 of those. The salt is fixed (the code is the secret) and names the purpose.
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
_SALT = b"ward-kiosk/pre-entry/v1"
LOOKUP_BYTES = 32
KEY_BYTES = 32


def new_code() -> str:
    """A new random code of ``CODE_LENGTH`` symbols of ``ALPHABET``."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def format_code(code: str) -> str:
    """``"XXXX-XXXX-XXXX"``, as printed and shown."""
    return "-".join(code[i : i + _GROUP] for i in range(0, len(code), _GROUP))


def normalize_code(typed: str) -> str | None:
    """The code in ``typed`` (any case, spaces, hyphens, full-width forms), or None when it
    is not ``CODE_LENGTH`` symbols of ``ALPHABET``."""
    code = _SEPARATORS.sub("", unicodedata.normalize("NFKC", typed)).upper()
    if len(code) != CODE_LENGTH or any(ch not in ALPHABET for ch in code):
        return None
    return code


def qr_payload(code: str) -> str:
    """What the QR code on the resident's screen or print-out holds."""
    return f"{QR_PREFIX}{code}"


def code_from_scan(text: str) -> str | None:
    """The code in a scanned QR text (prefix in any case), or None when it holds none.

    The prefix's ``:`` may come as another sign: a scanner set for a US keyboard on a
    Japanese (JIS) layout types it as ``+``.
    """
    text = text.strip()
    head = QR_PREFIX[:-1]
    if text[: len(head)].upper() != head or len(text) <= len(head) or text[len(head)].isalnum():
        return None
    return normalize_code(text[len(QR_PREFIX) :])


def derive(code: str) -> tuple[bytes, bytes]:
    """``(lookup, key)`` for a normalised code: the row's id in the database and its
    AES-256-GCM key. Costly on purpose (scrypt)."""
    out = hashlib.scrypt(
        code.encode("ascii"),
        salt=_SALT,
        n=SCRYPT_N,
        r=SCRYPT_R,
        p=SCRYPT_P,
        maxmem=64 * 1024 * 1024,
        dklen=LOOKUP_BYTES + KEY_BYTES,
    )
    return out[:LOOKUP_BYTES], out[LOOKUP_BYTES:]


# -- what the resident entered --------------------------------------------------------

POSTAL_CODE = re.compile(r"[0-9]{7}")


@dataclass(frozen=True)
class HomeDetails:
    """Details typed at home for the forms; every field may be left empty.

    ``repr`` hides the values: they are personal.
    """

    name: str = field(default="", repr=False)
    name_kana: str = field(default="", repr=False)
    postal_code: str = field(default="", repr=False)  # 7 digits, no hyphen
    address: str = field(default="", repr=False)  # the new address
    moved_on: date | None = field(default=None, repr=False)

    def faults(self) -> dict[str, str]:
        """What keeps each filled-in field from being used, by field name (``kiosk.person``
        rules: "too_long", "control"; "postal_code": "format"). Empty when all is fine."""
        faults: dict[str, str] = {}
        for name in ("name", "name_kana", "address"):
            value = getattr(self, name)
            fault = text_fault(name, value) if value else None
            if fault is not None:
                faults[name] = fault
        if self.postal_code and not POSTAL_CODE.fullmatch(self.postal_code):
            faults["postal_code"] = "format"
        return faults

    def to_dict(self) -> dict[str, str | None]:
        return {
            "name": self.name,
            "name_kana": self.name_kana,
            "postal_code": self.postal_code,
            "address": self.address,
            "moved_on": self.moved_on.isoformat() if self.moved_on else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> HomeDetails:
        moved = data.get("moved_on")
        return cls(
            name=str(data.get("name", "")),
            name_kana=str(data.get("name_kana", "")),
            postal_code=str(data.get("postal_code", "")),
            address=str(data.get("address", "")),
            moved_on=date.fromisoformat(moved) if moved else None,
        )


@dataclass
class PreEntry:
    """One resident's preparation: the interview's answers, the procedures, the details.

    ``created_at``, ``expires_at`` and ``used_at`` are stored in the clear; the rest is
    the private part (``private_json``), sealed with the code's key.
    """

    language: str
    history: list[tuple[str, str]] = field(repr=False)  # (question, choice), as answered
    procedures: list[str] = field(repr=False)
    details: HomeDetails | None = field(repr=False)
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    row_id: int | None = field(default=None, compare=False)  # for the access log, not secret

    @property
    def answers(self) -> dict[str, str]:
        return dict(self.history)

    def private_json(self) -> bytes:
        data = {
            "v": 1,
            "language": self.language,
            "history": [list(pair) for pair in self.history],
            "procedures": list(self.procedures),
            "details": self.details.to_dict() if self.details is not None else None,
        }
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    @classmethod
    def from_private_json(
        cls,
        blob: bytes,
        *,
        created_at: datetime,
        expires_at: datetime,
        used_at: datetime | None = None,
    ) -> PreEntry:
        data = json.loads(blob.decode("utf-8"))
        details = data.get("details")
        return cls(
            language=str(data["language"]),
            history=[(str(q), str(a)) for q, a in data["history"]],
            procedures=[str(p) for p in data["procedures"]],
            details=HomeDetails.from_dict(details) if details is not None else None,
            created_at=created_at,
            expires_at=expires_at,
            used_at=used_at,
        )


# -- errors: the kiosk shows a message per ``code`` ----------------------------------


class PreEntryError(Exception):
    """Base of the pre-entry errors; ``code`` is stable for the UI."""

    code: ClassVar[str] = "pre_entry_error"


class PreEntryNotFound(PreEntryError):
    code = "pre_entry_not_found"

    def __init__(self) -> None:
        super().__init__(
            "No pre-entry has this code. Check the code on the resident's screen or "
            "print-out and type it again, or fill in the forms at the kiosk."
        )


class PreEntryExpired(PreEntryError):
    code = "pre_entry_expired"

    def __init__(self) -> None:
        super().__init__(
            "This pre-entry has expired and can no longer be printed. Prepare it again "
            "on the web, or fill in the forms at the kiosk."
        )


class PreEntryUsed(PreEntryError):
    code = "pre_entry_used"

    def __init__(self) -> None:
        super().__init__(
            "The forms of this pre-entry were already printed. Ask counter staff if they "
            "must be printed again."
        )


class TooManyTries(PreEntryError):
    code = "pre_entry_too_many_tries"

    def __init__(self) -> None:
        super().__init__(
            "Too many codes that were not found were typed here. Wait ten minutes and "
            "try again, or ask counter staff."
        )


# -- against guessing ---------------------------------------------------------------

Clock = Callable[[], datetime]


class LookupLimiter:
    """At most ``max_failures`` failed lookups per ``window`` and source (a kiosk, an IP
    address); past that ``check`` raises TooManyTries until the oldest failure ages out.

    Thread-safe, in memory. Remembers at most ``max_sources`` sources (the oldest go).
    """

    def __init__(
        self,
        max_failures: int = 5,
        window: timedelta = timedelta(minutes=10),
        *,
        clock: Clock | None = None,
        max_sources: int = 10_000,
    ) -> None:
        self.max_failures = max_failures
        self.window = window
        self._clock: Clock = clock or (lambda: datetime.now(UTC))
        self._max_sources = max_sources
        self._failures: dict[str, deque[datetime]] = {}
        self._lock = threading.Lock()

    def check(self, source: str, now: datetime | None = None) -> None:
        """Raise TooManyTries while ``source`` has used up its failures."""
        with self._lock:
            if len(self._recent(source, now or self._clock())) >= self.max_failures:
                raise TooManyTries()

    def failed(self, source: str, now: datetime | None = None) -> None:
        """Count one failed lookup of ``source``."""
        now = now or self._clock()
        with self._lock:
            self._recent(source, now).append(now)
            if len(self._failures) > self._max_sources:
                del self._failures[next(iter(self._failures))]

    def _recent(self, source: str, now: datetime) -> deque[datetime]:
        times = self._failures.setdefault(source, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times
