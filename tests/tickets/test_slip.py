"""The ticket's content, built from the ticket, the settings, the catalog and the texts."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from kiosk.context import KioskContext
from kiosk.tickets import TicketSlip, build_slip
from tests.tickets.conftest import REFERENCE, TICKET

MakeSlip = Callable[..., TicketSlip]


def test_japanese_slip(make_slip: MakeSlip) -> None:
    slip = make_slip("ja")
    assert (slip.code, slip.language, slip.reference) == ("A-012", "ja", REFERENCE)
    assert slip.ward_name == "大阪市デモ区役所"
    assert slip.category_label == "住民登録・証明"
    assert slip.counter_label == "2番窓口（住民登録）"
    assert slip.waiting_ahead == 3
    assert slip.estimate_minutes == 30  # 3 ahead × 10 min at one desk
    assert slip.texts.waiting_value == "3人"
    assert slip.texts.estimate_value == "約30分"
    assert slip.texts.issued == "発行 令和8年（2026年）11月22日 14:05"
    assert slip.language_line == "番号が呼ばれるまで、近くでお待ちください。"


@pytest.mark.parametrize(
    ("language", "waiting", "estimate", "issued"),
    [
        ("en", "3 people", "about 30 min", "Issued November 22, 2026 14:05"),
        ("ko", "3명", "약 30분", "발행 2026년 11월 22일 14:05"),
    ],
)
def test_other_languages(
    make_slip: MakeSlip, language: str, waiting: str, estimate: str, issued: str
) -> None:
    texts = make_slip(language).texts
    assert (texts.waiting_value, texts.estimate_value, texts.issued) == (waiting, estimate, issued)


@pytest.mark.parametrize(
    ("language", "one", "none"),
    [("ja", "1人", "待ち時間なし"), ("en", "1 person", "no wait"), ("ko", "1명", "대기 없음")],
)
def test_one_and_nobody_ahead(make_slip: MakeSlip, language: str, one: str, none: str) -> None:
    assert (
        make_slip(language, dataclasses.replace(TICKET, waiting_ahead=1)).texts.waiting_value == one
    )
    nobody = make_slip(language, dataclasses.replace(TICKET, waiting_ahead=0))
    assert (nobody.estimate_minutes, nobody.texts.estimate_value) == (0, none)


def test_the_estimate_is_printed_as_given(context: KioskContext) -> None:
    slip = build_slip(
        TICKET,
        reference=REFERENCE,
        texts=context.texts_for("en"),
        settings=context.settings,
        minutes=15,
    )
    assert slip.estimate_minutes == 15
    assert slip.texts.estimate_value == "about 15 min"


def test_the_qr_code_holds_only_the_reference(make_slip: MakeSlip) -> None:
    slip = make_slip()
    assert slip.qr_data == "WK:V-7K2Q9"
    assert dataclasses.replace(slip, reference="").qr_data == ""
