"""Files ward staff edit cannot hurt: a wrong encoding or a crafted placeholder is a named
error, never a traceback, and a text can show only the values the kiosk gives it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.catalog import Catalog, CatalogError
from kiosk.i18n import SafeFormatter, TranslationError, Translations, check_template
from kiosk.resources import resources_dir

KIOSK = str(Path(sys.executable).parent / "ward-kiosk")
SHIFT_JIS = '[purpose]\ntitle = "転入"\n'.encode("shift_jis")


@pytest.fixture
def resources(tmp_path: Path) -> Path:
    """A ward's resources folder: catalog and translations copied, the rest linked."""
    folder = tmp_path / "resources"
    folder.mkdir()
    for entry in resources_dir().iterdir():
        if entry.name in ("catalog", "i18n"):
            shutil.copytree(entry, folder / entry.name)
        else:
            (folder / entry.name).symlink_to(entry)
    return folder


def set_wrong_pin(resources: Path, text: str) -> Path:
    """Replace English ``ui.errors.wrong_pin`` with ``text``; the file changed."""
    ui = resources / "i18n" / "en" / "ui.toml"
    old = (
        'wrong_pin = { one = "That PIN is not correct. {n} try left.",'
        ' other = "That PIN is not correct. {n} tries left." }'
    )
    content = ui.read_text(encoding="utf-8")
    assert content.count(old) == 1
    ui.write_text(content.replace(old, f"wrong_pin = {text!r}"), encoding="utf-8")
    return ui


def kiosk(resources: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The installed command with ``resources`` as its resources folder."""
    return subprocess.run(
        [KIOSK, *args],
        env={**os.environ, "WARD_KIOSK_RESOURCES": str(resources)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# -- files that are not UTF-8 ---------------------------------------------------------


@pytest.mark.parametrize(
    "file",
    [
        "catalog/procedures/tennyu.toml",
        "catalog/questions.toml",
        "i18n/ja/ui.toml",
        "i18n/en/catalog.toml",
        "i18n/ja/speech.toml",
    ],
)
def test_config_show_names_a_file_that_is_not_utf8(resources: Path, file: str):
    (resources / file).write_bytes(SHIFT_JIS)
    result = kiosk(resources, "config", "show")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"Error: {resources / file}: not UTF-8 text" in result.stderr
    assert "save it as UTF-8" in result.stderr


@pytest.mark.parametrize(
    "command", [["queue", "categories"], ["forms", "list"], ["speech", "voices", "--json"]]
)
def test_every_command_names_the_file_instead_of_a_traceback(resources: Path, command: list[str]):
    (resources / "catalog" / "categories.toml").write_bytes(SHIFT_JIS)
    (resources / "i18n" / "ja" / "language.toml").write_bytes(SHIFT_JIS)
    result = kiosk(resources, *command)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "not UTF-8 text" in result.stdout + result.stderr


def test_doctor_reports_it_as_a_settings_error(resources: Path):
    file = resources / "catalog" / "categories.toml"
    file.write_bytes(b"\xff\xfe" + "[resident]".encode("utf-16-le"))
    result = kiosk(resources, "doctor", "--json", "--no-speech")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f'"detail": "{file}: not UTF-8 text (byte 0 is 0xff)' in result.stdout


def test_the_loaders_raise_their_own_errors(resources: Path):
    (resources / "catalog" / "questions.toml").write_bytes(SHIFT_JIS)
    with pytest.raises(CatalogError, match=r"questions\.toml: not UTF-8 text \(byte 19 is 0x93\)"):
        Catalog.load(resources / "catalog")
    (resources / "i18n" / "en" / "ui.toml").write_bytes(b"\x81")
    with pytest.raises(TranslationError, match=r"en/ui\.toml: not UTF-8 text"):
        Translations.load("en", resources / "i18n")


def test_a_utf8_file_with_a_bom_still_loads(resources: Path):
    ui = resources / "i18n" / "en" / "ui.toml"
    ui.write_bytes(b"\xef\xbb\xbf" + ui.read_bytes())
    assert Translations.load("en", resources / "i18n").text("ui.common.back")


# -- placeholders -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "{n.__class__}",
        "{n.__class__.__init__.__globals__}",
        "{n[0]}",
        "{0}",
        "{}",
        "{n!r}",
        "{n:{w}}",
        "{n:>99999999}",
        "{n",
        "n}",
    ],
)
def test_a_crafted_placeholder_is_refused(text: str):
    with pytest.raises(ValueError):  # noqa: PT011 - the message is checked below
        check_template(text)
    with pytest.raises(ValueError):  # noqa: PT011
        SafeFormatter().format(text, n="x", w=3)


def test_plain_names_and_format_specs_work():
    assert SafeFormatter().format("{n} tries, {m:>3}, {{n}}", n=2, m=7) == "2 tries,   7, {n}"


def test_a_crafted_translation_is_refused_when_loaded_naming_file_and_key(resources: Path):
    ui = set_wrong_pin(resources, "{n.__class__} tries left")
    with pytest.raises(TranslationError) as caught:
        Translations.load("en", resources / "i18n")
    assert f"{ui}: errors.wrong_pin: {{n.__class__}} is not a plain name" in str(caught.value)
    result = kiosk(resources, "config", "show")
    assert result.returncode == 1
    assert "errors.wrong_pin" in result.stderr and "Traceback" not in result.stderr


def test_a_value_the_text_asks_for_but_is_not_given_names_file_and_key(resources: Path):
    ui = set_wrong_pin(resources, "{count} tries left")
    texts = Translations.load("en", resources / "i18n")
    with pytest.raises(TranslationError) as caught:
        texts.text("ui.errors.wrong_pin", n=2)
    message = str(caught.value)
    assert message.startswith(f"{ui}: errors.wrong_pin: cannot fill in")
    assert "the values offered are: n" in message


def test_a_text_taken_from_the_reference_names_the_reference_file(resources: Path):
    ja = resources / "i18n" / "ja" / "ui.toml"
    ja.write_text(
        ja.read_text(encoding="utf-8") + '\n[probe]\ntext = "{missing}"\n', encoding="utf-8"
    )
    texts = Translations.load("en", resources / "i18n")
    with pytest.raises(TranslationError, match=r"ja/ui\.toml: probe\.text"):
        texts.text("ui.probe.text", n=1)
