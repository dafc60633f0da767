"""A ward's own files (``kiosk.resources_dir``) override the shipped ones file by file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk import resources
from kiosk.catalog import Catalog, CatalogError
from kiosk.config import load_settings
from kiosk.context import KioskContext
from kiosk.forms.layout import LayoutLibrary
from kiosk.i18n import Translations, available_languages
from kiosk.resources import resource, resource_files, shipped_dir, use_ward_dir


@pytest.fixture
def ward(tmp_path: Path) -> Iterator[Path]:
    """An empty ward folder in use for the test; the previous one is restored after."""
    before = resources.ward_dir()
    folder = tmp_path / "ward"
    folder.mkdir()
    use_ward_dir(folder)
    yield folder
    use_ward_dir(before)


def write(ward: Path, relative: str, text: str) -> Path:
    path = ward / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def shipped_text(relative: str) -> str:
    return (shipped_dir() / relative).read_text(encoding="utf-8")


def test_without_ward_files_everything_is_shipped(ward: Path):
    assert resource("catalog", "questions.toml") == shipped_dir() / "catalog" / "questions.toml"
    names = [p.name for p in resource_files("catalog", "procedures")]
    assert names == sorted(p.name for p in (shipped_dir() / "catalog" / "procedures").glob("*"))


def test_a_ward_file_wins_and_a_new_one_is_added(ward: Path):
    own = write(
        ward, "catalog/procedures/tennyu.toml", shipped_text("catalog/procedures/tennyu.toml")
    )
    extra = write(ward, "catalog/procedures/zz_ward.toml", "")
    assert resource("catalog", "procedures", "tennyu.toml") == own
    files = resource_files("catalog", "procedures")
    assert own in files
    assert extra == files[-1]
    assert shipped_dir() / "catalog" / "procedures" / "tennyu.toml" not in files


def test_a_folder_is_never_taken_from_the_ward(ward: Path):
    (ward / "catalog").mkdir()
    assert resource("catalog") == shipped_dir() / "catalog"


def test_the_catalog_reads_the_ward_procedure(ward: Path):
    shipped = shipped_text("catalog/procedures/tennyu.toml")
    write(ward, "catalog/procedures/tennyu.toml", shipped.replace("order = ", "order = 9", 1))
    procedure = Catalog.load().procedure("tennyu")
    assert procedure.order == 910


def test_a_broken_ward_file_names_the_ward_file(ward: Path):
    broken = write(ward, "catalog/questions.toml", "start = [")
    with pytest.raises(CatalogError, match=f"^{broken}: not valid TOML"):
        Catalog.load()


def test_translations_and_a_new_language_come_from_the_ward(ward: Path):
    english = shipped_text("i18n/en/language.toml")
    own_name = english + 'name = "English (Koto Ward)"\n'  # a name of the ward's own
    write(ward, "i18n/en/language.toml", own_name)
    write(ward, "i18n/xx/language.toml", english)
    assert Translations.load("en").name == "English (Koto Ward)"
    assert "xx" in available_languages()
    assert Translations.load("xx").name == "English"


def test_a_ward_form_layout_is_listed_and_read_from_the_ward(ward: Path):
    name = next(iter(LayoutLibrary()))
    own = write(ward, f"forms/{name}.toml", shipped_text(f"forms/{name}.toml"))
    write(ward, "forms/zz_ward.toml", shipped_text(f"forms/{name}.toml"))
    library = LayoutLibrary()
    assert library.path(name) == own
    assert "zz_ward" in library
    assert list(library)[-1] == "zz_ward"


def test_the_setting_chooses_the_folder(ward: Path, tmp_path: Path):
    other = tmp_path / "other"
    write(
        other,
        "i18n/en/language.toml",
        shipped_text("i18n/en/language.toml") + 'name = "Other English"\n',
    )
    settings = load_settings(environ={"WARD_KIOSK_KIOSK_RESOURCES_DIR": str(other)})
    context = KioskContext.load(settings=settings)
    assert resources.ward_dir() == other
    assert context.texts["en"].name == "Other English"


def test_the_default_folder_is_in_etc():
    assert load_settings(environ={}).kiosk.resources_dir == "/etc/ward-kiosk/resources"
