"""BER-TLV parsing: tables of captured hex, and property tests on arbitrary bytes."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.card import tlv
from kiosk.card.errors import CardError, MalformedDataError

from .scripted import DEMO_BASIC_INFO


def test_parse_captured_basic_info() -> None:
    data = bytes.fromhex(DEMO_BASIC_INFO)
    outer = tlv.parse(data)
    assert (outer.tag, outer.end) == (0xFF20, len(data))
    items = tlv.parse_dict(outer.value)
    assert list(items) == [0xDF21, 0xDF22, 0xDF23, 0xDF24, 0xDF25]
    assert items[0xDF22].decode() == "大阪 花子"
    assert items[0xDF24] == b"19850412"


@pytest.mark.parametrize(
    ("raw", "tag", "value"),
    [
        ("0101FF", 0x01, "FF"),
        ("FF100C313233343536373839303138", 0xFF10, "313233343536373839303138"),
        ("DF2100", 0xDF21, ""),
        ("5F2D026A61", 0x5F2D, "6A61"),
        ("9F810102AABB", 0x9F8101, "AABB"),
        ("04810100", 0x04, "00"),
        ("0482000100", 0x04, "00"),
    ],
)
def test_parse_single(raw: str, tag: int, value: str) -> None:
    item = tlv.parse(bytes.fromhex(raw))
    assert (item.tag, item.value) == (tag, bytes.fromhex(value))


@pytest.mark.parametrize(
    "raw",
    [
        "",  # nothing
        "FF",  # tag cut
        "DF",  # long tag cut
        "DF21",  # no length
        "0103AA",  # value shorter than length
        "0180",  # indefinite length
        "0184FFFFFFFF00",  # length too large
        "0182",  # length bytes missing
        "1F8181818101",  # tag longer than 4 bytes
    ],
)
def test_parse_malformed(raw: str) -> None:
    with pytest.raises(MalformedDataError):
        tlv.parse(bytes.fromhex(raw))


def test_parse_dict_rejects_repeated_tags() -> None:
    with pytest.raises(MalformedDataError, match="repeated"):
        tlv.parse_dict(bytes.fromhex("DF2201AADF2201BB"))


def test_unwrap_checks_the_tag() -> None:
    assert tlv.unwrap(bytes.fromhex("FF200100"), 0xFF20) == b"\x00"
    with pytest.raises(MalformedDataError, match="FF20"):
        tlv.unwrap(bytes.fromhex("FF100100"), 0xFF20)


def test_encoded_size_from_the_header_alone() -> None:
    assert tlv.encoded_size(bytes.fromhex("FF20820123")) == 5 + 0x123


def test_tlv_repr_hides_the_value() -> None:
    assert "31" not in repr(tlv.parse(bytes.fromhex("DF2201" + "31")))


@given(st.binary(max_size=64))
def test_any_bytes_parse_or_raise_card_error(data: bytes) -> None:
    for function in (tlv.parse, tlv.parse_all, tlv.parse_dict, tlv.encoded_size):
        with contextlib.suppress(CardError):
            function(data)


@given(st.binary(max_size=64), st.integers(min_value=0, max_value=64))
def test_any_offset_parses_or_raises_card_error(data: bytes, offset: int) -> None:
    try:
        item = tlv.parse(data, offset)
    except CardError:
        return
    assert offset < item.end <= len(data)


tags = st.sampled_from([0x01, 0x04, 0x5F2D, 0xDF21, 0xDF22, 0xFF10, 0xFF20, 0x9F8101])


@given(tags, st.binary(max_size=70000))
def test_encode_then_parse_round_trips(tag: int, value: bytes) -> None:
    encoded = tlv.encode(tag, value)
    assert tlv.parse(encoded) == tlv.Tlv(tag, value, len(encoded))
    assert tlv.encoded_size(encoded[:8]) == len(encoded)


@given(st.lists(st.tuples(tags, st.binary(max_size=300)), max_size=5))
def test_parse_all_splits_concatenations(items: list[tuple[int, bytes]]) -> None:
    data = b"".join(tlv.encode(tag, value) for tag, value in items)
    assert [(i.tag, i.value) for i in tlv.parse_all(data)] == items
