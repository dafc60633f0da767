"""住民異動届 (moving in): content, blanks, fonts and characters the font lacks."""

from __future__ import annotations

import dataclasses
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest

from kiosk.forms import MovingInData, RenderedForm, render_moving_in
from kiosk.forms.fonts import PLACEHOLDER
from kiosk.forms.moving_in import kiosk_notes
from kiosk.person import Person
from tests.forms.helpers import LONG_ADDRESS, pdftotext, squash


def _with_person(data: MovingInData, **changes: object) -> MovingInData:
    assert data.person is not None
    return dataclasses.replace(data, person=dataclasses.replace(data.person, **changes))


def test_card_data_is_printed(moving_in: MovingInData) -> None:
    form = render_moving_in(moving_in)
    text = squash(pdftotext(form.pdf))
    assert form.missing_glyphs == {}
    assert "住民異動届" in text
    assert "山田花子" in text
    assert squash("大阪府大阪市北区中之島一丁目三番二十号 グランドメゾン中之島二〇一号室") in text
    assert "昭和60年4月1日" in text
    assert "令和8年11月22日" in text  # 届出日
    assert "転入" in text
    assert "大阪市北区長" in text
    assert "V-7K2Q9" in text


def test_answers_become_notes(moving_in: MovingInData) -> None:
    text = squash(pdftotext(render_moving_in(moving_in).pdf))
    for note in (
        "国民健康保険加入予定",
        "児童手当対象児童あり",
        "マイナンバーカード継続利用手続あり",
        "他の市区町村から転入",
        "異動者3人",
    ):
        assert note in text


def test_notes_keep_unknown_choices(moving_in: MovingInData) -> None:
    data = dataclasses.replace(moving_in, answers={"insurance": "mutual_aid", "children": "no"})
    notes = kiosk_notes(data)
    assert "insurance: mutual_aid" in notes
    assert not any("児童手当" in note for note in notes)


@pytest.mark.parametrize(("size", "rows"), [("1", 1), ("2", 2), ("3", 3), ("4_or_more", 4)])
def test_one_mover_row_per_household_member(moving_in: MovingInData, size: str, rows: int) -> None:
    data = dataclasses.replace(moving_in, answers={"household_size": size})
    text = pdftotext(render_moving_in(data).pdf)
    assert text.count("男") == rows  # each row has its 男/女 boxes


def test_without_card_personal_fields_stay_blank(moving_in: MovingInData) -> None:
    form = render_moving_in(dataclasses.replace(moving_in, person=None))
    text = squash(pdftotext(form.pdf))
    assert form.pdf.startswith(b"%PDF-")
    assert "住民異動届" in text
    assert "読取なし" in text
    for personal in ("山田", "花子", "中之島", "昭和60年"):
        assert personal not in text


def test_whole_long_address_is_printed(moving_in: MovingInData) -> None:
    assert len(LONG_ADDRESS) >= 80
    form = render_moving_in(_with_person(moving_in, address=LONG_ADDRESS))
    assert squash(LONG_ADDRESS) in squash(pdftotext(form.pdf))


def test_long_name_is_printed_whole(moving_in: MovingInData) -> None:
    name = "ジョナサン・アレクサンダー・クリストファー・山田・ウィリアムズ 花子"
    text = squash(pdftotext(render_moving_in(_with_person(moving_in, name=name)).pdf))
    assert text.count(squash(name)) == 2  # 届出人 and 異動者


def test_font_is_embedded(moving_in: MovingInData, tmp_path) -> None:
    path = tmp_path / "form.pdf"
    path.write_bytes(render_moving_in(moving_in).pdf)
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    fonts = out.stdout.splitlines()[2:]
    assert fonts
    for line in fonts:
        assert "IPAexGothic" in line
        assert re.search(r"\byes yes yes\b", line), line  # embedded, subset, ToUnicode


@pytest.mark.parametrize("rare", ["髙", "﨑", "\ufa10", "𠮷", "辻", "𩸽", "葛\U000e0100"])
def test_rare_kanji_print_or_are_reported(moving_in: MovingInData, rare: str) -> None:
    form = render_moving_in(_with_person(moving_in, name=f"{rare}山 花子"))
    text = pdftotext(form.pdf)
    reported = form.missing_glyphs.get("name", "")
    if rare in reported:
        # A visible gap (〓), or for a variation sequence the base character.
        assert PLACEHOLDER in text if len(rare) == 1 else rare[0] in text
    else:
        assert rare in text
        assert form.missing_glyphs == {}


def test_missing_glyphs_name_the_fields(moving_in: MovingInData) -> None:
    data = _with_person(moving_in, name="𠮷田 花子", address="東京都葛\U000e0100飾区立石五丁目")
    form = render_moving_in(dataclasses.replace(data, ward_name="𠮷区長"))
    assert form.missing_glyphs == {
        "name": "𠮷",
        "address": "葛\U000e0100",
        "ward_name": "𠮷",
    }
    assert form.needs_review
    text = squash(pdftotext(form.pdf))
    assert "葛飾区" in text
    assert "外字あり（〓の文字を確認）:宛先・氏名・前住所" in text


def test_rendering_is_deterministic_and_thread_safe(moving_in: MovingInData) -> None:
    people = [_with_person(moving_in, name=f"山田 {n}") for n in ("一郎", "二郎", "三郎", "四郎")]
    first = [render_moving_in(p).pdf for p in people]
    with ThreadPoolExecutor(4) as pool:
        again = list(pool.map(lambda p: render_moving_in(p).pdf, people * 3))
    assert again == first * 3


def test_sex_not_applicable_leaves_both_boxes(moving_in: MovingInData) -> None:
    form = render_moving_in(_with_person(moving_in, sex="not_applicable"))
    assert isinstance(form, RenderedForm)
    assert "山田花子" in squash(pdftotext(form.pdf))


def test_name_kana_is_printed_when_known(moving_in: MovingInData) -> None:
    form = render_moving_in(_with_person(moving_in, name_kana="ヤマダ ハナコ"))
    assert "ヤマダハナコ" in squash(pdftotext(form.pdf))


def test_first_year_of_era_on_form() -> None:
    person = Person("令和 元子", "東京都千代田区", date(2019, 5, 1), "female")
    form = render_moving_in(MovingInData("千代田区長", date(2019, 5, 7), person, {}))
    text = squash(pdftotext(form.pdf))
    assert "令和元年5月1日" in text
    assert "令和元年5月7日" in text


def test_every_note_is_printed_with_four_rows(moving_in: MovingInData) -> None:
    answers = {**moving_in.answers, "household_size": "4_or_more", "move_in_from": "abroad"}
    data = _with_person(dataclasses.replace(moving_in, answers=answers), name="𠮷田 花子")
    text = squash(pdftotext(render_moving_in(data).pdf))
    for note in kiosk_notes(data):
        assert squash(note) in text
    assert "外字あり" in text
