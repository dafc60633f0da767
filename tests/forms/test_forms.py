"""Every form, filled for every persona: values land on the page, nothing guessed or dropped."""

from __future__ import annotations

import base64
import re
import subprocess
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest

from kiosk.catalog import Catalog
from kiosk.config import Settings
from kiosk.forms import fonts
from kiosk.forms.layout import LAYOUTS, FieldItem, NotesItem
from kiosk.forms.render import FormData, field_text, note_lines
from kiosk.person import Person
from tests.forms.helpers import (
    ANSWERS_FOR,
    TODAY,
    pdftotext,
    personas,
    procedures_with_forms,
    render,
    squash,
)

PROCEDURES = procedures_with_forms()
PERSONAS = list(personas())


def _data(procedure: str, person: Person | None, answers: dict[str, str]) -> FormData:
    settings = Settings()
    return FormData(
        procedure,
        person,
        answers,
        settings.ward.name,
        settings.ward.form_addressee(),
        TODAY,
        "7K2Q9",
    )


def _expected(procedure: str, person: Person | None, answers: dict[str, str]) -> list[str]:
    """Every text the kiosk fills in on the procedure's form, as drawn (〓 for a gap)."""
    data = _data(procedure, person, answers)
    texts = []
    for form_id in Catalog.load().procedure(procedure).forms:
        for item in LAYOUTS[form_id].placed:
            if isinstance(item, FieldItem) and item.source:
                texts.append(field_text(item, data))
            elif isinstance(item, NotesItem):
                texts.extend(note_lines(item, data))
    return [fonts.printable(t, fallback=True)[0] for t in texts if t]


def test_every_procedure_with_forms_is_covered():
    assert set(PROCEDURES) == set(ANSWERS_FOR)
    catalog = Catalog.load()
    assert {p.id for p in catalog.procedures if not p.forms} == {
        "card_address_update",
        "consultation",
    }


@pytest.mark.parametrize("who", PERSONAS)
@pytest.mark.parametrize("procedure", PROCEDURES)
def test_every_value_lands_on_the_form(procedure: str, who: str, people):
    person = people[who]
    document = render(procedure, person)
    text = squash(pdftotext(document.pdf, raw=True))
    expected = _expected(procedure, person, ANSWERS_FOR[procedure])
    assert expected, "the form fills nothing in"
    for value in expected:
        assert squash(value) in text, value
    assert not [c for c in document.cramped if not c.startswith("value ")], document.cramped


@pytest.mark.parametrize("procedure", PROCEDURES)
def test_without_a_card_nothing_personal_is_printed(procedure: str, demo: Person):
    text = squash(pdftotext(render(procedure, None).pdf))
    assert "読取なし" in text
    for value in (demo.name, demo.address, "昭和60年"):
        assert squash(value) not in text


@pytest.mark.parametrize("procedure", PROCEDURES)
def test_empty_answers_render(procedure: str, demo: Person):
    document = render(procedure, demo, answers={})
    assert document.pdf.startswith(b"%PDF-")
    assert squash(demo.name) in squash(pdftotext(document.pdf))


def test_the_card_holds_the_old_address_after_a_move(demo: Person):
    """After moving in, the card still shows the old address: printed only as 前住所."""
    moving = squash(pdftotext(render("tennyu", demo).pdf))
    assert squash(demo.address) in moving
    for procedure in ("child_allowance", "nhi_enroll"):
        text = squash(pdftotext(render(procedure, demo, answers=ANSWERS_FOR["tennyu"]).pdf))
        assert squash(demo.address) not in text, procedure
        assert squash(demo.name) in text


def test_after_a_birth_the_insured_is_the_baby_not_the_card_holder(demo: Person):
    text = pdftotext(render("nhi_enroll", demo, answers=ANSWERS_FOR["shussei"]).pdf)
    assert "昭和60年" not in text  # the card holder's birth date is not the baby's
    assert text.count(demo.name) == 1  # 届出人 only


@pytest.mark.parametrize(
    ("procedure", "ticked"),
    [("tennyu", "転入"), ("tenkyo", "転居"), ("tenshutsu", "転出")],
)
def test_the_move_form_ticks_its_procedure(procedure: str, ticked: str, demo: Person):
    from kiosk.forms.layout import ChecksItem
    from kiosk.forms.render import source_value

    items = LAYOUTS["resident_move"].placed
    [checks] = [i for i in items if isinstance(i, ChecksItem) and i.id == "move_type"]
    value = source_value(checks.source, _data(procedure, demo, {}))
    assert [o.text for o in checks.options if value in o.value] == [ticked]


def test_a_ticked_box_is_drawn(demo: Person):
    """The check mark is a stroked path: one more path with the card's sex ticked."""
    with_sex = render("inkan_register", demo).pdf
    without = render("inkan_register", replace(demo, sex="not_applicable")).pdf
    assert _paths(with_sex) == _paths(without) + 1


def _content(pdf: bytes) -> bytes:
    """The page content streams (ASCII85 and Flate), decoded."""
    pattern = rb"/ASCII85Decode /FlateDecode \][^>]*>>\s*stream\r?\n(.*?)endstream"
    pages = re.findall(pattern, pdf, re.S)
    return b"".join(zlib.decompress(base64.a85decode(p.strip(), adobe=True)) for p in pages)


def _paths(pdf: bytes) -> int:
    return len(re.findall(rb" l\s+S", _content(pdf)))


def test_unknown_choices_are_printed_raw(demo: Person):
    answers = {**ANSWERS_FOR["tennyu"], "insurance": "mutual_aid"}
    text = pdftotext(render("tennyu", demo, answers=answers).pdf)
    assert "insurance: mutual_aid" in text


def test_name_kana_is_printed_when_known_and_never_guessed(demo: Person):
    assert "ヤマダ" not in pdftotext(render("juminhyo", demo).pdf)
    kana = replace(demo, name_kana="オオサカ ハナコ")
    assert "オオサカハナコ" in squash(pdftotext(render("juminhyo", kana).pdf))


@pytest.mark.parametrize("rare", ["髙", "﨑", "\ufa10", "𠮷", "辻", "𩸽", "葛\U000e0100"])
def test_rare_kanji_print_or_are_flagged(rare: str, demo: Person):
    document = render("juminhyo", replace(demo, name=f"{rare}山 花子"))
    text = pdftotext(document.pdf)
    flagged = {(f.field, f.missing) for f in document.flags}
    if flagged:
        assert flagged == {("name", rare)}
        assert (fonts.PLACEHOLDER if len(rare) == 1 else rare[0]) in text
        assert "外字あり（〓の文字を確認）: 氏名" in text
    else:
        assert rare in text


def test_missing_characters_are_flagged_per_field(people):
    person = people["rare_kanji"]
    document = render("tennyu", person)
    fields = {f.field: f.missing for f in document.flags}
    assert fields == {"address": "葛\U000e0100𠮷", "notifier_name": "𠮷", "name": "𠮷"}
    assert all(f.form == "resident_move" for f in document.flags)
    text = squash(pdftotext(document.pdf))
    assert "外字あり（〓の文字を確認）:前住所・届出人氏名・氏名" in text


def test_a_flagged_field_is_tinted(demo: Person):
    """The field with a missing character gets the light mark even though it is filled."""
    plain = render("inkan_cert", demo).pdf
    flagged = render("inkan_cert", replace(demo, name="𠮷田 花子")).pdf
    assert _tints(flagged) == _tints(plain) + 1


def _tints(pdf: bytes) -> int:
    return _content(pdf).count(b".89 g")


@pytest.mark.parametrize("procedure", ["tennyu", "shussei"])
def test_fonts_are_embedded_subsets(procedure: str, demo: Person, tmp_path: Path):
    path = tmp_path / "form.pdf"
    path.write_bytes(render(procedure, demo, language="ko").pdf)
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    rows = out.stdout.splitlines()[2:]
    assert any("IPAexGothic" in row for row in rows)
    assert any("NanumGothic" in row for row in rows)  # the Korean translations
    for row in rows:
        assert re.search(r"\byes yes yes\b", row), row  # embedded, subset, ToUnicode


@pytest.mark.parametrize("language", ["en", "ko"])
def test_labels_carry_a_translation(language: str, demo: Person):
    text = squash(pdftotext(render("tennyu", demo, language=language).pdf))
    expected = {"en": ["Previousaddress", "Dateofbirth"], "ko": ["이전주소", "생년월일"]}[language]
    for translation in expected:
        assert translation in text
    japanese = squash(pdftotext(render("tennyu", demo).pdf))
    assert "Previousaddress" not in japanese


def test_rendering_is_deterministic_and_thread_safe(demo: Person):
    people = [replace(demo, name=f"山田 {n}") for n in ("一郎", "二郎", "三郎", "四郎")]
    first = [render("tennyu", p).pdf for p in people]
    with ThreadPoolExecutor(4) as pool:
        again = list(pool.map(lambda p: render("tennyu", p).pdf, people * 2))
    assert again == first * 2


def test_first_year_of_an_era(demo: Person):
    born = replace(demo, birth_date=TODAY.replace(2019, 5, 1))
    text = squash(pdftotext(render("juminhyo", born).pdf))
    assert "令和元年（2019年）5月1日" in text
    assert "令和8年11月22日" in text


def test_the_ward_name_comes_from_the_settings(demo: Person):
    settings = Settings.model_validate({"ward": {"name": "大阪市北区役所"}})
    text = pdftotext(render("juminhyo", demo, settings=settings).pdf)
    assert "大阪市北区長" in text
