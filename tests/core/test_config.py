"""Settings: defaults, the TOML file, environment overrides, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import ConfigError, load_settings
from kiosk.context import KioskContext


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_need_no_file():
    settings = load_settings(environ={})
    assert settings.kiosk.languages == [
        "ja",
        "ja-easy",
        "en",
        "zh-Hans",
        "ko",
        "vi",
        "ne",
        "fil",
        "id",
        "pt-BR",
    ]
    assert settings.kiosk.idle_warning_seconds >= 20
    assert settings.database_url().startswith("sqlite:///")
    assert settings.key_file().name == "data.key"
    assert not str(settings.key_file()).startswith(str(settings.database_url()))


def test_file_values_are_used(tmp_path: Path):
    path = write(
        tmp_path,
        '[ward]\nname = "大阪市北区役所"\n[kiosk]\nidle_timeout_seconds = 45\n'
        '[counters.resident]\nnumber = "3"\n[counters.insurance]\nnumber = "7"\n'
        '[counters.children]\nnumber = "9"\n[counters.information]\nnumber = "1"\n',
    )
    settings = load_settings(path, environ={})
    assert settings.ward.name == "大阪市北区役所"
    assert settings.ward.form_addressee() == "大阪市北区長"
    assert settings.kiosk.idle_timeout_seconds == 45
    assert settings.counters["resident"].number == "3"


def test_environment_overrides_the_file(tmp_path: Path):
    path = write(tmp_path, '[database]\nurl = "sqlite:///from-file.db"\n')
    env = {
        "WARD_KIOSK_DATABASE_URL": "postgresql://kiosk@db/ward",
        "WARD_KIOSK_KIOSK_LANGUAGES": "en, ja",
        "WARD_KIOSK_KIOSK_IDLE_TIMEOUT_SECONDS": "120",
    }
    settings = load_settings(path, environ=env)
    assert settings.database_url() == "postgresql://kiosk@db/ward"
    assert settings.kiosk.languages == ["en", "ja"]
    assert settings.kiosk.idle_timeout_seconds == 120


def test_config_file_from_environment(tmp_path: Path):
    path = write(tmp_path, '[kiosk]\nid = "kita-2"\n')
    assert load_settings(environ={"WARD_KIOSK_CONFIG": str(path)}).kiosk.id == "kita-2"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[kiosk]\nidle_warning_seconds = 5\n", "kiosk.idle_warning_seconds"),
        ("[kiosk]\nidle_timout_seconds = 60\n", "kiosk.idle_timout_seconds: Extra inputs"),
        ("[printer]\nqueue = 'x'\n", "printer: Extra inputs"),
        ("[kiosk]\nlanguages = []\n", "kiosk.languages"),
        ("[kiosk\n", "not valid TOML"),
    ],
)
def test_bad_files_name_the_key(tmp_path: Path, text: str, message: str):
    with pytest.raises(ConfigError, match=message) as caught:
        load_settings(write(tmp_path, text), environ={})
    assert str(tmp_path) in str(caught.value)


def test_a_named_file_that_does_not_exist_is_an_error(tmp_path: Path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "missing.toml", environ={})


def test_an_unknown_environment_setting_is_an_error():
    with pytest.raises(ConfigError, match="WARD_KIOSK_PRINTER_QUEUE"):
        load_settings(environ={"WARD_KIOSK_PRINTER_QUEUE": "x"})


def test_a_language_without_translations_is_refused():
    settings = load_settings(environ={"WARD_KIOSK_KIOSK_LANGUAGES": "ja,xx"})
    with pytest.raises(ConfigError, match=r"kiosk.languages: no translations for \['xx'\]"):
        KioskContext.load(settings=settings)


def test_a_counter_the_catalog_needs_must_be_configured(tmp_path: Path):
    settings = load_settings(write(tmp_path, '[counters.resident]\nnumber = "1"\n'), environ={})
    with pytest.raises(
        ConfigError, match=r"counters: .*'insurance'.*\[counters.children\]|counters"
    ):
        KioskContext.load(settings=settings)


def test_the_example_file_shows_every_key_with_its_default():
    from kiosk.config import Settings
    from kiosk.resources import resource

    example = load_settings(resource("config", "example.toml"), environ={})
    assert example == Settings()
    text = resource("config", "example.toml").read_text(encoding="utf-8")
    for section, model in Settings.model_fields.items():
        if section == "counters":
            continue
        for key in model.annotation.model_fields:  # type: ignore[union-attr]
            assert f"\n{key} = " in text or f"[{section}.{key}]" in text, f"{section}.{key}"
