"""`ward-kiosk forms list` and `ward-kiosk forms render`."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from kiosk.cli import main
from tests.forms.helpers import pdftotext, squash

PERSON = {
    "name": "大阪 花子",
    "name_kana": "オオサカ ハナコ",
    "address": "大阪府大阪市北区中之島1丁目3番20号",
    "birth_date": "1985-04-12",
    "sex": "female",
}


def test_list_names_every_procedure_and_its_forms():
    result = CliRunner().invoke(main, ["forms", "list"])
    assert result.exit_code == 0, result.output
    procedures = {p["id"]: p["forms"] for p in json.loads(result.output)["procedures"]}
    assert [f["id"] for f in procedures["tennyu"]] == ["resident_move"]
    assert procedures["tenshutsu"][0]["title"] == "住民異動届"
    assert procedures["consultation"] == []
    assert procedures["shussei"][0]["file"].endswith("resources/forms/birth_checklist.toml")


def _render(tmp_path: Path, data: object, *args: str):
    source = tmp_path / "data.json"
    source.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "form.pdf"
    command = ["forms", "render", "--data", str(source), "--out", str(out), *args]
    return CliRunner().invoke(main, command), out


def test_render_fills_the_form_from_json(tmp_path: Path):
    data = {"person": PERSON, "answers": {"purpose": "move_out", "move_out_to": "abroad"}}
    result, out = _render(tmp_path, data, "--procedure", "tenshutsu", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"out": str(out), "forms": ["resident_move"], "flags": []}
    text = squash(pdftotext(out.read_bytes()))
    for value in ("大阪花子", "オオサカハナコ", PERSON["address"], "昭和60年（1985年）4月12日"):
        assert squash(value) in text
    assert "国外へ転出" in text and "Previousaddress" in text


def test_render_without_card_data(tmp_path: Path):
    result, out = _render(tmp_path, {"answers": {}}, "--procedure", "juminhyo")
    assert result.exit_code == 0, result.output
    assert "読取なし" in pdftotext(out.read_bytes())


def test_render_reports_characters_the_fonts_lack(tmp_path: Path):
    data = {"person": {**PERSON, "name": "𠮷田 花子"}}
    result, _ = _render(tmp_path, data, "--procedure", "inkan_cert")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["flags"] == [
        {"form": "inkan_certificate", "field": "name", "missing": "𠮷"}
    ]


def test_bad_json_is_explained(tmp_path: Path):
    data = {"person": {**PERSON, "birth_date": "12/04/1985", "sex": "f"}}
    result, out = _render(tmp_path, data, "--procedure", "tennyu")
    assert result.exit_code == 1
    assert "person.birth_date" in result.output and "person.sex" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_unknown_procedure_answer_or_formless_procedure(tmp_path: Path):
    cases = [
        (["--procedure", "passport"], {}, "no procedure 'passport'"),
        (["--procedure", "consultation"], {}, "has no form"),
        (["--procedure", "tennyu"], {"answers": {"purpose": "holiday"}}, "answers.purpose"),
        (["--procedure", "tennyu"], {"answers": {"colour": "red"}}, "no such question"),
    ]
    for args, data, message in cases:
        result, _ = _render(tmp_path, data, *args)
        assert result.exit_code == 1, args
        assert message in result.output
