"""/etc/ward-kiosk/config.toml and its config.d/*.toml drop-ins, merged in name order."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk import config
from kiosk.config import ConfigError, load_settings, settings_files


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def main_file(tmp_path: Path) -> Path:
    return write(
        tmp_path / "config.toml",
        '[ward]\nname = "北区役所"\n[kiosk]\nid = "from-main"\nidle_timeout_seconds = 90\n',
    )


def test_drop_ins_are_read_after_the_file_in_name_order(main_file):
    write(main_file.parent / "config.d" / "50-site.toml", '[kiosk]\nid = "from-50"\n')
    write(main_file.parent / "config.d" / "10-base.toml", '[kiosk]\nid = "from-10"\n')
    write(main_file.parent / "config.d" / "90-notes.txt", '[kiosk]\nid = "not toml"\n')
    settings = load_settings(main_file, environ={})
    assert settings.kiosk.id == "from-50"
    assert settings.kiosk.idle_timeout_seconds == 90  # tables merge key by key
    assert settings.ward.name == "北区役所"
    assert [p.name for p in settings_files(main_file, {})] == [
        "config.toml",
        "10-base.toml",
        "50-site.toml",
    ]


def test_nested_tables_merge_and_lists_are_replaced(main_file):
    write(main_file.parent / "config.d" / "10.toml", "[printing.escpos]\nport = 9101\n")
    write(
        main_file.parent / "config.d" / "20.toml",
        '[printing.escpos]\nconnection = "network"\nhost = "printer"\n'
        '[kiosk]\nlanguages = ["en"]\n',
    )
    settings = load_settings(main_file, environ={})
    assert (settings.printing.escpos.host, settings.printing.escpos.port) == ("printer", 9101)
    assert settings.kiosk.languages == ["en"]


def test_the_environment_still_wins(main_file):
    write(main_file.parent / "config.d" / "50.toml", '[kiosk]\nid = "from-50"\n')
    settings = load_settings(main_file, environ={"WARD_KIOSK_KIOSK_ID": "from-env"})
    assert settings.kiosk.id == "from-env"


def test_ward_kiosk_config_names_the_file_and_its_drop_ins(main_file):
    write(main_file.parent / "config.d" / "50.toml", '[kiosk]\nid = "from-50"\n')
    settings = load_settings(environ={"WARD_KIOSK_CONFIG": str(main_file)})
    assert settings.kiosk.id == "from-50"


def test_a_bad_drop_in_is_named(main_file):
    bad = write(main_file.parent / "config.d" / "50.toml", "[kiosk\n")
    with pytest.raises(ConfigError, match=str(bad)):
        load_settings(main_file, environ={})
    write(bad, "[kiosk]\nidle_timeout_seconds = 1\n")
    with pytest.raises(ConfigError, match=r"50\.toml") as e:
        load_settings(main_file, environ={})
    assert "kiosk.idle_timeout_seconds" in str(e.value)


def test_the_package_file_switches_to_the_system_layout(tmp_path, monkeypatch):
    etc = tmp_path / "etc" / "ward-kiosk"
    monkeypatch.setattr(config, "SYSTEM_CONFIG_DIR", etc)
    monkeypatch.setattr(config, "SYSTEM_DATA_DIR", tmp_path / "var" / "lib" / "ward-kiosk")
    assert not config.installed()
    assert config.data_dir() != tmp_path / "var" / "lib" / "ward-kiosk"
    write(etc / "config.toml", "")
    write(etc / "config.d" / "50-test.toml", '[kiosk]\nid = "installed-1"\n')
    assert config.installed()
    assert config.data_dir() == tmp_path / "var" / "lib" / "ward-kiosk"
    assert config.config_dir() == etc
    settings = load_settings(environ={})
    assert settings.kiosk.id == "installed-1"
    assert settings.public_key_file() == etc / "ward-key.pub.pem"
