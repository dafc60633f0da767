"""The individual number check digit (番号法 ordinance formula)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.card.session import check_digit, is_valid_individual_number


@pytest.mark.parametrize(
    "number", ["123456789018", "271828182840", "314159265352", "987654321093", "000000000000"]
)
def test_valid_numbers(number: str) -> None:
    assert is_valid_individual_number(number)


@pytest.mark.parametrize(
    "number",
    [
        "123456789010",  # wrong check digit
        "123456789019",
        "12345678901",  # too short
        "1234567890188",  # too long
        "12345678901A",
        "１２３４５６７８９０１８",  # full-width digits are not ASCII
        "",
    ],
)
def test_invalid_numbers(number: str) -> None:
    assert not is_valid_individual_number(number)


def test_check_digit_worked_example() -> None:
    # P1..P11 from the right: 1,0,9,8,7,6,5,4,3,2,1; weights 2..7 then 2..6; sum 212;
    # 212 mod 11 = 3; check digit 11 - 3 = 8.
    assert check_digit("12345678901") == 8


def test_check_digit_wants_eleven_digits() -> None:
    with pytest.raises(ValueError, match="11"):
        check_digit("1234567890")


@given(st.text(alphabet="0123456789", min_size=11, max_size=11), st.integers(1, 9))
def test_only_the_computed_digit_is_valid(first: str, shift: int) -> None:
    digit = check_digit(first)
    assert is_valid_individual_number(first + str(digit))
    assert not is_valid_individual_number(first + str((digit + shift) % 10))
