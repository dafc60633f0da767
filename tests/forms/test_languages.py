"""Every language on every form: values in the text layer, fonts embedded, no missing glyphs;
and Nepali through the installed ``ward-kiosk forms render``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.catalog import Catalog
from kiosk.forms import fonts
from kiosk.forms.layout import LAYOUTS
from kiosk.i18n import Translations, available_languages
from kiosk.person import Person
from tests.forms.helpers import ANSWERS_FOR, pdftotext, render, save_png, squash
from tests.forms.test_forms import _expected

WARD_KIOSK = str(Path(sys.executable).with_name("ward-kiosk"))
LANGUAGES = available_languages()


def _procedure_of(form_id: str) -> str:
    """A procedure that prints the form, with answers that lead to it."""
    return next(
        p.id for p in Catalog.load().procedures if form_id in p.forms and p.id in ANSWERS_FOR
    )


def _pdffonts(pdf: bytes, tmp_path: Path) -> list[list[str]]:
    path = tmp_path / "form.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True).stdout
    return [line.split() for line in out.decode().splitlines()[2:] if line.strip()]


@pytest.mark.parametrize("form_id", sorted(LAYOUTS))
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_prints_every_form(
    language: str, form_id: str, demo: Person, tmp_path: Path
) -> None:
    procedure = _procedure_of(form_id)
    document = render(procedure, demo, language=language)
    assert document.missing == (), f"{language}: no font has {document.missing!r}"
    text = squash(pdftotext(document.pdf, raw=True))
    for value in _expected(procedure, demo, ANSWERS_FOR[procedure]):
        assert squash(value) in text, value
    rows = _pdffonts(document.pdf, tmp_path)
    assert rows
    assert all(row[-5] == "yes" for row in rows), rows  # emb: every font embedded


def _labels(language: str) -> list[str]:
    labels = Translations.load(language).tree.get("forms", {}).get("labels", {})
    return [text for text in labels.values() if isinstance(text, str)]


def test_nepali_form_from_the_installed_command(tmp_path: Path) -> None:
    if "ne" not in LANGUAGES:
        pytest.skip("no Nepali translations (resources/i18n/ne/language.toml) yet")
    source = tmp_path / "data.json"
    person = {
        "name": "大阪 花子",
        "address": "大阪府大阪市北区中之島1丁目3番20号",
        "birth_date": "1985-04-12",
        "sex": "female",
    }
    source.write_text(json.dumps({"person": person, "answers": ANSWERS_FOR["tennyu"]}))
    out = tmp_path / "ne.pdf"
    command = [WARD_KIOSK, "forms", "render", "--procedure", "tennyu", "--lang", "ne"]
    done = subprocess.run(
        [*command, "--data", str(source), "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["flags"] == []
    pdf = out.read_bytes()
    save_png(pdf, "languages-ne", resolution=80)
    text = squash(pdftotext(pdf))
    nepali = [
        label
        for label in _labels("ne")
        if any("\u0900" <= ch <= "\u097f" for ch in label) and squash(label) in text
    ]
    assert nepali, "no Nepali label in the text layer"
    # Shaped words with conjuncts and the ि sign copy as written (ActualText), too.
    assert any("\u094d" in label or "\u093f" in label for label in nepali), nepali
    assert "NotoSansDevanagari" in " ".join(row[0] for row in _pdffonts(pdf, tmp_path))


@pytest.mark.parametrize(
    "language", [lang for lang in ("zh-Hans", "vi", "ne") if lang in LANGUAGES]
)
def test_forms_for_people_to_look_at(language: str, demo: Person) -> None:
    document = render("tennyu", demo, language=language)
    assert save_png(document.pdf, f"languages-{language}", resolution=80)


def test_chinese_text_uses_chinese_glyph_forms() -> None:
    # 说 has no Japanese form; 户 and 号 are shared but drawn differently in Chinese.
    assert fonts.runs("请到2号窗口", "zh-Hans")[0][0] == "DroidSansFallbackFull"
    assert fonts.runs("住民票", "ja") == [("IPAexGothic", "住民票")]
    assert fonts.runs("Địa chỉ", "vi") == [("NotoSans-Regular", "Địa chỉ")]
