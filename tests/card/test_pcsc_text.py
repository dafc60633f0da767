"""Rare characters and long addresses come through pcscd, pyscard and the CLI unchanged."""

from __future__ import annotations

import json
import math
import unicodedata

import pytest
from click.testing import CliRunner

from kiosk.card.service import CardService
from kiosk.card.virtual.card import VirtualMyNumberCard, basic_info_file
from kiosk.cli.card import card

pytestmark = [pytest.mark.pcsc, pytest.mark.usefixtures("virtual_reader_allowed")]

READ_BINARY = "00 B0"


@pytest.mark.parametrize("virtual_card", ["gaiji.toml"], indirect=True)
def test_gaiji_and_a_long_address_through_pcscd(
    virtual_card: VirtualMyNumberCard, card_service: CardService
) -> None:
    expected = virtual_card.persona.person
    assert {"﨑", "𩸽", "\ufa10"} <= set(expected.name + expected.address)
    assert unicodedata.normalize("NFC", expected.address) != expected.address  # not normalized
    data = card_service.read_card("2468", with_number=True)
    assert data.person == expected
    assert data.individual_number == virtual_card.persona.individual_number
    size = len(basic_info_file(expected))
    reads = [line for line in virtual_card.log if line.startswith(READ_BINARY)]
    assert len(reads) == math.ceil(size / 256) + 1  # EF 0002 in 256-byte chunks, EF 0001 once


@pytest.mark.parametrize("virtual_card", ["gaiji.toml", "rare_kanji.toml"], indirect=True)
def test_the_cli_prints_them_unchanged(virtual_card: VirtualMyNumberCard) -> None:
    result = CliRunner().invoke(card, ["read"], input=virtual_card.persona.pin + "\n")
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    person = virtual_card.persona.person
    assert (report["name"], report["address"]) == (person.name, person.address)
    assert person.name in result.stdout  # as characters, not \u escapes
