"""Whatever a card answers, the reader returns a result or raises our CardError, never hangs."""

from __future__ import annotations

import contextlib
from collections import deque
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.card import apdu, tlv
from kiosk.card.connection import Connection
from kiosk.card.errors import CardDataRefusedError, CardError, CardRemovedError, NoCardError
from kiosk.card.service import CardService
from kiosk.card.session import (
    MAX_GET_RESPONSE,
    TAG_BASIC_INFO,
    MyNumberSession,
    is_valid_individual_number,
    parse_basic_info,
    parse_individual_number,
)
from kiosk.card.virtual.card import basic_info_file
from kiosk.person import Person, text_fault

ITEM_TAGS = [0xDF21, 0xDF22, 0xDF23, 0xDF24, 0xDF25]
RARE = "𠮷髙﨑𩸽葛\U000e0100辻\u0304々〆ヶＡＢＣ０１２３４５６７８９－・　"

responses = st.tuples(st.binary(max_size=300), st.integers(min_value=0, max_value=0xFFFF))
status_words = st.one_of(
    st.integers(min_value=0, max_value=0xFFFF),
    st.sampled_from([0x9000, 0x6282, 0x6B00, 0x6983, 0x63C0, 0x63C2, 0x6100, 0x6C10, 0x61FF]),
)


class FuzzConnection(Connection):
    """Answers each command with the next drawn response; then the card is gone."""

    def __init__(self, answers: list[tuple[bytes, int]]) -> None:
        self._answers = deque(answers)
        self.sent: list[bytes] = []

    def send_and_receive(self, command: bytes) -> tuple[bytes, int]:
        self.sent.append(command)
        if not self._answers:
            raise CardRemovedError("script ended")
        return self._answers.popleft()

    def close(self) -> None:
        pass


class FuzzBackend:
    def __init__(self, answers: list[tuple[bytes, int]]) -> None:
        self.connection = FuzzConnection(answers)

    def card_present(self) -> bool:
        return True

    def connect(self) -> Connection:
        return self.connection


@given(st.binary(max_size=600))
def test_any_bytes_as_basic_info(data: bytes) -> None:
    with contextlib.suppress(CardError):
        assert isinstance(parse_basic_info(data), Person)


@given(
    st.lists(
        st.tuples(st.sampled_from([*ITEM_TAGS, 0xDF26, 0x01]), st.binary(max_size=40)),
        max_size=7,
    ),
    st.sampled_from([TAG_BASIC_INFO, 0xFF10, 0x30]),
)
def test_any_items_in_a_tlv_as_basic_info(items: list[tuple[int, bytes]], outer: int) -> None:
    data = tlv.encode(outer, b"".join(tlv.encode(tag, value) for tag, value in items))
    with contextlib.suppress(CardError):
        assert isinstance(parse_basic_info(data), Person)


def _persons(address_characters: st.SearchStrategy[str]) -> st.SearchStrategy[Person]:
    return st.builds(
        Person,
        name=st.text(alphabet=st.sampled_from(RARE + "山田花子 "), min_size=1, max_size=40),
        address=st.text(alphabet=address_characters, min_size=1, max_size=300),
        birth_date=st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)),
        sex=st.sampled_from(["male", "female", "not_applicable"]),
    )


any_persons = _persons(st.characters(codec="utf-8"))
# Addresses the card rules take: no controls, line breaks or format characters.
persons = _persons(st.characters(codec="utf-8", exclude_categories=("Cc", "Cf", "Zl", "Zp")))


@given(any_persons)
def test_every_character_survives_encoding_and_parsing(person: Person) -> None:
    """Rare kanji, variation selectors, full-width digits, long addresses: never changed.

    Text the correction rules refuse (control characters) is refused as a whole.
    """
    faults = [text_fault("name", person.name), text_fault("address", person.address)]
    if any(faults):
        with pytest.raises(CardDataRefusedError):
            parse_basic_info(basic_info_file(person))
    else:
        assert parse_basic_info(basic_info_file(person)) == person


@given(st.binary(max_size=40))
def test_any_bytes_as_individual_number(data: bytes) -> None:
    try:
        number = parse_individual_number(data)
    except CardError:
        return
    assert is_valid_individual_number(number)


@given(status_words)
def test_any_status_word(sw: int) -> None:
    try:
        apdu.check_sw(sw)
    except CardError:
        assert sw != apdu.SW_OK
    else:
        assert sw == apdu.SW_OK
    try:
        tries = apdu.tries_left_from_sw(sw, 3)
    except CardError:
        return
    assert 0 <= tries <= 15


@given(st.binary(max_size=300))
def test_any_bytes_as_apdus(data: bytes) -> None:
    for function in (apdu.split_response, apdu.parse_command):
        with contextlib.suppress(CardError):
            function(data)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.one_of(responses, st.tuples(st.binary(max_size=300), status_words)), max_size=40)
)
def test_a_session_over_any_answers(answers: list[tuple[bytes, int]]) -> None:
    """The whole read, answered by arbitrary bytes and status words: a result or a CardError."""
    connection = FuzzConnection(answers)
    session = MyNumberSession(connection)
    steps = (
        session.select,
        session.tries_left,
        lambda: session.verify_pin("1234"),
        session.read_basic_info,
        session.read_individual_number,
    )
    for step in steps:
        with contextlib.suppress(CardError):
            step()
    # Bounded: each drawn answer is used once; a retry or GET RESPONSE never loops on its own.
    assert len(connection.sent) <= len(answers) + len(steps)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.binary(max_size=300), status_words), max_size=20))
def test_the_service_over_any_answers(answers: list[tuple[bytes, int]]) -> None:
    service = CardService(backend=FuzzBackend(answers), timeout=5)
    for call in (service.tries_left, lambda: service.read_card("1234", with_number=True)):
        with contextlib.suppress(CardError):
            call()


@given(persons, st.lists(st.integers(min_value=1, max_value=256), min_size=1, max_size=20))
def test_files_served_in_any_chunk_sizes(person: Person, sizes: list[int]) -> None:
    """A card may answer READ BINARY with fewer bytes than asked: the read goes on."""
    content = basic_info_file(person)
    chunks = deque(sizes)

    class Chunky(Connection):
        def send_and_receive(self, command: bytes) -> tuple[bytes, int]:
            if command[1] != apdu.INS_READ_BINARY:
                return b"", apdu.SW_OK
            offset = command[2] << 8 | command[3]
            size = min(command[4] or 256, chunks[0] if chunks else 256)
            chunks.rotate(-1)
            return content[offset : offset + size], apdu.SW_OK

        def close(self) -> None:
            pass

    assert MyNumberSession(Chunky()).read_basic_info() == person


def test_get_response_loops_are_bounded() -> None:
    """A card that always says "more data" (61xx) is cut off."""
    endless = [(b"\x00", 0x6101)] * (MAX_GET_RESPONSE + 5)
    connection = FuzzConnection(endless)
    with contextlib.suppress(CardError):
        MyNumberSession(connection).select()
    assert len(connection.sent) <= MAX_GET_RESPONSE + 1


def test_no_card_in_the_fuzz_backend_is_a_card_error() -> None:
    assert issubclass(NoCardError, CardError)
