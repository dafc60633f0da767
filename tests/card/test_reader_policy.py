"""Only real readers in production: a virtual reader, or none named, is refused before
anything is sent, through the real pcscd, vpcd and the virtual card."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.assembly import assemble
from kiosk.card import pcsc
from kiosk.card.errors import (
    CardDataRefusedError,
    ReaderNotAllowedError,
    ReaderNotConfiguredError,
)
from kiosk.card.pcsc import PcscBackend, PcscConnection
from kiosk.card.readers import ReaderPolicy, is_virtual_reader
from kiosk.card.service import CardService
from kiosk.card.virtual.card import VirtualMyNumberCard
from kiosk.cli.card import card
from kiosk.cli.run import demo_settings
from kiosk.config import Settings
from kiosk.context import KioskContext
from tests.pcsc_fixture import ALLOW_VIRTUAL_ENV, VirtualReader, persona_with

REAL = "ACS ACR39U ICC Reader 00 00"
VIRTUAL = "Virtual PCD 00 00"
Inserter = Callable[..., VirtualMyNumberCard]


# -- the rule ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "virtual"),
    [
        (VIRTUAL, True),
        ("virtual pcd 00 01", True),
        ("vpcd reader", True),
        ("Microsoft Virtual Smart Card 0", True),
        (REAL, False),
        ("SONY FeliCa Port/PaSoRi 4.0 (RC-S300) 00 00", False),
    ],
)
def test_virtual_readers_are_known_by_name(name: str, virtual: bool):
    assert is_virtual_reader(name) is virtual


def test_without_a_name_no_reader_is_taken_outside_demo_mode():
    with pytest.raises(ReaderNotConfiguredError, match=r"card\.reader is not set"):
        ReaderPolicy().usable([REAL, VIRTUAL])
    assert ReaderPolicy(allow_virtual=True).usable([REAL, VIRTUAL]) == [REAL, VIRTUAL]


def test_a_name_matching_only_a_virtual_reader_is_refused():
    with pytest.raises(ReaderNotAllowedError, match=r"card\.allow_virtual_reader") as caught:
        ReaderPolicy("PCD").usable([REAL, VIRTUAL])
    assert caught.value.code == "reader_not_allowed"
    assert ReaderPolicy("Reader").usable([VIRTUAL, REAL]) == [REAL]  # the real one serves
    assert ReaderPolicy("PCD", allow_virtual=True).usable([REAL, VIRTUAL]) == [VIRTUAL]
    assert ReaderPolicy("No Such").usable([REAL, VIRTUAL]) == []


def test_the_setting_is_off_by_default_and_on_in_demo_mode():
    settings = Settings()
    assert settings.card.allow_virtual_reader is False
    assert demo_settings(settings).card.allow_virtual_reader is True
    assert settings.card.allow_virtual_reader is False  # the settings given are unchanged


# -- through pcscd: the card never hears a thing -------------------------------------------

pcsc_only = pytest.mark.pcsc


@pcsc_only
def test_the_service_refuses_the_virtual_reader_before_connecting(
    pcsc_reader: VirtualReader, virtual_card: VirtualMyNumberCard
):
    service = CardService(pcsc_reader.name)
    with pytest.raises(ReaderNotAllowedError):
        service.tries_left()
    with pytest.raises(ReaderNotAllowedError):
        service.read_card("1234", with_number=True)
    with pytest.raises(ReaderNotAllowedError):
        service.card_present()
    assert virtual_card.log == []  # no SELECT, no VERIFY: the PIN never reached it
    assert virtual_card.tries_left == 3


@pcsc_only
def test_no_reader_named_takes_none(pcsc_reader: VirtualReader, virtual_card: VirtualMyNumberCard):
    with pytest.raises(ReaderNotConfiguredError):
        CardService().read_basic_info("1234")
    with pytest.raises(ReaderNotConfiguredError):
        pcsc.find_reader()
    assert virtual_card.log == []


@pcsc_only
def test_every_way_in_refuses_it(pcsc_reader: VirtualReader, virtual_card: VirtualMyNumberCard):
    with pytest.raises(ReaderNotAllowedError):
        PcscConnection(pcsc_reader.name)
    with pytest.raises(ReaderNotAllowedError):
        pcsc.connect("Virtual PCD")
    with pytest.raises(ReaderNotAllowedError):
        PcscBackend("Virtual").connect()
    with pytest.raises(ReaderNotAllowedError):
        pcsc.find_reader(pcsc_reader.name)
    assert virtual_card.log == []


@pcsc_only
def test_the_kiosk_built_from_the_settings_refuses_it(
    tmp_path: Path, pcsc_reader: VirtualReader, virtual_card: VirtualMyNumberCard
):
    settings = Settings.model_validate(
        {
            "card": {"reader": pcsc_reader.name},
            "database": {"url": f"sqlite:///{tmp_path / 'kiosk.db'}"},
            "printing": {"output_dir": str(tmp_path / "printed")},
        }
    )
    devices = assemble(KioskContext.load(settings=settings))
    try:
        with pytest.raises(ReaderNotAllowedError):
            devices.card.read_basic_info("1234")
    finally:
        devices.close()
    assert virtual_card.log == []
    demo = assemble(KioskContext.load(settings=demo_settings(settings)))
    try:
        assert demo.card.tries_left() == 3
    finally:
        demo.close()


@pcsc_only
@pytest.mark.parametrize("command", [["read"], ["status"]])
def test_the_card_commands_refuse_it(
    pcsc_reader: VirtualReader, virtual_card: VirtualMyNumberCard, command: list[str]
):
    result = CliRunner().invoke(card, [*command, "--reader", "PCD"], input="1234\n")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["error"] == "reader_not_allowed"
    assert "card.allow_virtual_reader" in report["message"]
    assert virtual_card.log == []
    allowed = CliRunner().invoke(card, ["status"], env={ALLOW_VIRTUAL_ENV: "true"})
    assert json.loads(allowed.stdout)["tries_left"] == 3


# -- text on the card: the rules for corrections -------------------------------------------


@pcsc_only
@pytest.mark.parametrize(
    ("name", "address"),
    [
        ("大阪 花子" * 1000, "大阪府大阪市北区中之島1丁目3番20号"),  # 5,000 characters
        ("大阪 花子", "大阪府\x1b[2J大阪市\r\n北区"),  # control characters, a line break
        ("大阪\u202e子花", "大阪府大阪市北区"),  # a bidirectional override
    ],
)
def test_card_text_that_breaks_the_rules_is_refused(
    pcsc_reader: VirtualReader, insert_card: Inserter, name: str, address: str
):
    card = insert_card(persona_with(name=name, address=address))
    service = CardService(pcsc_reader.name, allow_virtual=True)
    with pytest.raises(CardDataRefusedError) as caught:
        service.read_basic_info("1234")
    assert caught.value.code == "card_data_refused"
    message = str(caught.value)
    assert name not in message and address not in message  # the text is never quoted
    assert card.tries_left == 3
