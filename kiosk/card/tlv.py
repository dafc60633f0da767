"""BER-TLV parsing and encoding as pure functions.

Tags are ints made of their encoded bytes (``FF 20`` is ``0xFF20``). Any
malformed input raises :class:`MalformedDataError`, never an IndexError.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.card.errors import MalformedDataError

MAX_TAG_BYTES = 4
MAX_LENGTH_BYTES = 3


@dataclass(frozen=True)
class Tlv:
    """One parsed TLV; ``end`` is the offset just past it. The value is kept out of repr."""

    tag: int
    value: bytes = field(repr=False)
    end: int


def _byte_at(data: bytes, offset: int) -> int:
    if offset >= len(data):
        raise MalformedDataError("TLV truncated")
    return data[offset]


def read_tag(data: bytes, offset: int = 0) -> tuple[int, int]:
    """The tag at ``offset`` and the offset after it."""
    tag = _byte_at(data, offset)
    if tag & 0x1F != 0x1F:
        return tag, offset + 1
    for size in range(2, MAX_TAG_BYTES + 1):
        byte = _byte_at(data, offset + size - 1)
        tag = tag << 8 | byte
        if not byte & 0x80:
            return tag, offset + size
    raise MalformedDataError("TLV tag too long")


def read_length(data: bytes, offset: int) -> tuple[int, int]:
    """The definite length at ``offset`` and the offset after it."""
    first = _byte_at(data, offset)
    if first < 0x80:
        return first, offset + 1
    count = first & 0x7F
    if not 0 < count <= MAX_LENGTH_BYTES:
        raise MalformedDataError("TLV length indefinite or too large")
    raw = data[offset + 1 : offset + 1 + count]
    if len(raw) < count:
        raise MalformedDataError("TLV length truncated")
    return int.from_bytes(raw, "big"), offset + 1 + count


def read_header(data: bytes, offset: int = 0) -> tuple[int, int, int]:
    """Tag, value length and value offset of the TLV at ``offset``."""
    tag, offset = read_tag(data, offset)
    length, offset = read_length(data, offset)
    return tag, length, offset


def encoded_size(data: bytes) -> int:
    """Total size of the TLV that ``data`` starts with, from its header alone."""
    _, length, start = read_header(data)
    return start + length


def parse(data: bytes, offset: int = 0) -> Tlv:
    """The TLV at ``offset``."""
    tag, length, start = read_header(data, offset)
    end = start + length
    if end > len(data):
        raise MalformedDataError("TLV value runs past the end of the data")
    return Tlv(tag, bytes(data[start:end]), end)


def parse_all(data: bytes) -> list[Tlv]:
    """Every TLV of a concatenation, in order."""
    items: list[Tlv] = []
    offset = 0
    while offset < len(data):
        items.append(parse(data, offset))
        offset = items[-1].end
    return items


def parse_dict(data: bytes) -> dict[int, bytes]:
    """Values of a concatenation of TLVs by tag; a repeated tag is malformed."""
    items = parse_all(data)
    values = {item.tag: item.value for item in items}
    if len(values) != len(items):
        raise MalformedDataError("TLV tag repeated")
    return values


def unwrap(data: bytes, tag: int) -> bytes:
    """The value of the TLV that ``data`` starts with, which must carry ``tag``."""
    item = parse(data)
    if item.tag != tag:
        raise MalformedDataError(f"expected TLV tag {tag:X}, found {item.tag:X}")
    return item.value


def encode_length(length: int) -> bytes:
    """BER definite length, short form below 128."""
    if length < 0x80:
        return bytes([length])
    raw = length.to_bytes((length.bit_length() + 7) // 8, "big")
    if len(raw) > MAX_LENGTH_BYTES:
        raise ValueError("TLV value too long")
    return bytes([0x80 | len(raw)]) + raw


def encode(tag: int, value: bytes) -> bytes:
    """One TLV; ``tag`` as its encoded bytes in an int (``0xDF22``)."""
    tag_bytes = tag.to_bytes(max(1, (tag.bit_length() + 7) // 8), "big")
    return tag_bytes + encode_length(len(value)) + value
