"""``kiosk.pre_entry`` without a database: codes, details, the private part, the limiter."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.pre_entry import (
    ALPHABET,
    CODE_LENGTH,
    QR_PREFIX,
    HomeDetails,
    LookupLimiter,
    PreEntry,
    PreEntryError,
    PreEntryExpired,
    PreEntryNotFound,
    PreEntryUsed,
    TooManyTries,
    code_from_scan,
    derive,
    format_code,
    new_code,
    normalize_code,
    qr_payload,
)

codes = st.text(alphabet=ALPHABET, min_size=CODE_LENGTH, max_size=CODE_LENGTH)


def test_the_alphabet_has_32_symbols_without_look_alikes() -> None:
    assert len(ALPHABET) == len(set(ALPHABET)) == 32
    assert not set("01OI") & set(ALPHABET)


def test_new_codes_are_12_symbols_of_the_alphabet_and_differ() -> None:
    made = {new_code() for _ in range(200)}
    assert len(made) == 200
    assert all(len(c) == CODE_LENGTH and set(c) <= set(ALPHABET) for c in made)


@given(codes)
def test_a_code_survives_how_people_type_it(code: str) -> None:
    shown = format_code(code)
    assert shown.count("-") == 2 and shown.replace("-", "") == code
    assert normalize_code(shown) == code
    assert normalize_code(f"  {shown.lower()} ") == code
    assert normalize_code(shown.replace("-", " ")) == code
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in shown)  # ＡＢＣ－２３４
    assert normalize_code(full_width) == code
    assert normalize_code(shown.replace("-", "ー")) == code
    assert code_from_scan(qr_payload(code)) == code
    assert code_from_scan(QR_PREFIX.lower() + code) == code


@pytest.mark.parametrize(
    "typed", ["", "ABCD-EFGH-JKL", "ABCD-EFGH-JKLMN", "ABCD-EFGH-JK0M", "ABCD-EFGH-JKIM", "あ" * 12]
)
def test_what_cannot_be_a_code_is_none(typed: str) -> None:
    assert normalize_code(typed) is None


def test_a_scan_without_the_prefix_is_no_code() -> None:
    assert code_from_scan("WK:K7QH3MZA") is None
    assert code_from_scan(new_code()) is None


def test_derive_splits_64_bytes_and_depends_on_the_code() -> None:
    lookup, key = derive("23456789ABCD")
    assert (len(lookup), len(key)) == (32, 32) and lookup != key
    assert derive("23456789ABCD") == (lookup, key)
    assert derive("23456789ABCE")[0] != lookup


def test_home_details_faults_follow_the_card_rules() -> None:
    assert HomeDetails().faults() == {}
    good = HomeDetails("大阪 花子", "オオサカ ハナコ", "5300005", "大阪市北区中之島1-3-20")
    assert good.faults() == {}
    bad = HomeDetails(name="a\nb", address="x" * 301, postal_code="530-0005")
    assert bad.faults() == {"name": "control", "address": "too_long", "postal_code": "format"}
    assert "花子" not in repr(good)


def test_the_private_part_round_trips() -> None:
    now = datetime(2026, 12, 5, 9, tzinfo=UTC)
    details = HomeDetails("大阪 花子", "", "5300005", "北区", date(2026, 11, 30))
    entry = PreEntry(
        "vi",
        [("purpose", "move_in"), ("from", "other_city")],
        ["juminhyo"],
        details,
        now,
        now + timedelta(days=30),
    )
    again = PreEntry.from_private_json(
        entry.private_json(), created_at=entry.created_at, expires_at=entry.expires_at
    )
    assert again == entry
    assert again.answers == {"purpose": "move_in", "from": "other_city"}


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (PreEntryNotFound, "pre_entry_not_found"),
        (PreEntryExpired, "pre_entry_expired"),
        (PreEntryUsed, "pre_entry_used"),
        (TooManyTries, "pre_entry_too_many_tries"),
    ],
)
def test_errors_have_stable_codes_and_say_what_to_do(error: type[PreEntryError], code: str) -> None:
    assert error.code == code and issubclass(error, PreEntryError)
    message = str(error())
    assert message.endswith(".") and len(message) > 40


def test_the_limiter_allows_five_failures_per_window_and_source() -> None:
    now = datetime(2026, 12, 5, 9, tzinfo=UTC)
    limiter = LookupLimiter(clock=lambda: now)
    for _ in range(5):
        limiter.check("kiosk-1")
        limiter.failed("kiosk-1")
    with pytest.raises(TooManyTries):
        limiter.check("kiosk-1")
    limiter.check("kiosk-2")  # another source is not affected
    limiter.check("kiosk-1", now + timedelta(minutes=10))  # the oldest have aged out


def test_the_limiter_forgets_the_oldest_sources_past_its_size() -> None:
    limiter = LookupLimiter(max_failures=1, max_sources=2)
    for source in ("a", "b", "c"):
        limiter.failed(source)
    limiter.check("a")  # forgotten
    with pytest.raises(TooManyTries):
        limiter.check("c")
