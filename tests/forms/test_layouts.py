"""Layout files: the shipped ones fit the catalog and the translations; mistakes are named."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.catalog import Catalog
from kiosk.forms.layout import (
    LAYOUTS,
    ChecksItem,
    FieldItem,
    LabelItem,
    Layout,
    LayoutError,
    LayoutLibrary,
    NotesItem,
    TextItem,
    check_against_catalog,
    load_layout,
)
from kiosk.i18n import load_tree

FORM_IDS = list(LAYOUTS)


def test_every_procedure_names_forms_that_exist():
    catalog = Catalog.load()
    named = {form for p in catalog.procedures for form in p.forms}
    assert named == set(FORM_IDS)


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_a_layout_fits_the_catalog(form_id: str):
    assert check_against_catalog(LAYOUTS[form_id], Catalog.load()) == []


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_every_translation_key_is_in_the_reference(form_id: str):
    labels = load_tree("ja")["forms"]["labels"]
    layout = LAYOUTS[form_id]
    keys = {layout.key} if layout.key else set()
    for item in layout.placed:
        if isinstance(item, LabelItem | TextItem | FieldItem | NotesItem) and item.key:
            keys.add(item.key)
        if isinstance(item, ChecksItem):
            keys |= {option.key for option in item.options if option.key}
    assert keys - set(labels) == set()


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_fields_the_card_fills_name_themselves(form_id: str):
    """Flags and notes name fields in Japanese, so staff know where to look."""
    for item in LAYOUTS[form_id].fields:
        if isinstance(item, FieldItem) and item.source.startswith("person."):
            assert item.name or item.caption, item.id


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "broken.toml"
    path.write_text('title = "テスト"\n' + body, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            '[[items]]\ntype = "field"\nid = "name"\nx = 10\ny = 10\nh = 5\n',
            "item 1 (field 'name') w: Field required",
        ),
        (
            '[[items]]\ntype = "field"\nid = "name"\nx = 10\ny = 10\nw = 5\nh = 5\n'
            'source = "person.nickname"\n',
            "unknown source 'person.nickname'",
        ),
        (
            '[[items]]\ntype = "row"\nx = 10\ny = 10\nh = 8\n'
            'cells = [{ type = "label", w = 20, text = "氏名" },'
            ' { type = "field", id = "name", w = 20, colour = "red" }]\n',
            "item 1 (row) cell 2 (field 'name') colour: Extra inputs are not permitted",
        ),
        (
            '[[items]]\ntype = "field"\nid = "name"\nx = 150\ny = 10\nw = 80\nh = 5\n',
            "reaches to x=230",
        ),
        (
            '[[items]]\ntype = "field"\nid = "name"\nx = 15\ny = 270\nw = 80\nh = 10\n',
            "above 273 mm (the footer)",
        ),
        ('[[items]]\ntype = "circle"\nx = 1\n', "item 1 (circle)"),
    ],
)
def test_mistakes_name_the_file_and_the_item(tmp_path: Path, body: str, message: str):
    path = _write(tmp_path, body)
    with pytest.raises(LayoutError) as error:
        load_layout(path)
    assert str(path) in str(error.value)
    assert message in str(error.value)


def test_a_ward_changes_a_form_without_code(tmp_path: Path):
    source = LAYOUTS.path("juminhyo_request").read_text(encoding="utf-8")
    (tmp_path / "juminhyo_request.toml").write_text(
        source.replace('text = "使いみち"', 'text = "使用目的"'), encoding="utf-8"
    )
    library = LayoutLibrary(tmp_path)
    assert list(library) == ["juminhyo_request"]
    labels = [i.text for i in library["juminhyo_request"].placed if isinstance(i, LabelItem)]
    assert "使用目的" in labels and "使いみち" not in labels
    assert "resident_move" not in library


def test_conditions_must_name_questions():
    broken = Layout.model_validate(
        {
            "title": "テスト",
            "items": [
                {
                    "type": "field",
                    "id": "x",
                    "x": 1,
                    "y": 1,
                    "w": 1,
                    "h": 1,
                    "needed_when": {"colour": "red"},
                },
            ],
        }
    )
    assert check_against_catalog(broken, Catalog.load()) == ["field x: no question 'colour'"]
