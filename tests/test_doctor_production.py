"""`ward-kiosk doctor --production`: each rule fails on a demo-like PC and passes on a
production-like one (a private PostgreSQL server, real key files, a cupsd.conf in a
temporary folder, the time zone from TZ)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kiosk.cli import main
from kiosk.config import Settings
from kiosk.doctor_production import (
    CUPSD_CONF_ENV,
    config_file_check,
    cups_job_files_check,
    database_check,
    local_zone_name,
    preserve_job_files,
    settings_files,
    time_zone_check,
    virtual_reader_check,
    ward_key_check,
)
from tests.keys import key_pair, open_store

KIOSK = str(Path(sys.executable).with_name("ward-kiosk"))
RULES = [
    "kiosk id",
    "ward name",
    "folder printer",
    "virtual reader",
    "database",
    "time zone",
    "speech models",
    "CUPS job files",
    "ward key",
    "config file",
]
PRIVACY = "PreserveJobFiles No\nPreserveJobHistory 300\n"


def write_toml(path: Path, config: dict[str, dict[str, Any]]) -> Path:
    lines = []
    for section, values in config.items():
        lines.append(f"[{section}]")
        lines += [f"{key} = {json.dumps(v, ensure_ascii=False)}" for key, v in values.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def demo_like(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """What `run --demo` and the defaults give, with another PC's ward key in the database:
    the settings file and the environment."""
    url = f"sqlite:///{tmp_path / 'kiosk.db'}"
    registered, _ = key_pair(tmp_path / "ward" / "ward-key.pem")
    open_store(url, registered).close()
    _, other = key_pair(tmp_path / "other" / "ward-key.pem")
    config = write_toml(
        tmp_path / "kiosk.toml",
        {
            "kiosk": {"languages": ["ja", "en"]},
            "card": {"allow_virtual_reader": True},
            "database": {
                "url": url,
                "private_key_file": str(tmp_path / "absent.pem"),
                "public_key_file": str(other),
            },
            "printing": {"output_dir": str(tmp_path / "printed"), "folder_printer": True},
            "speech": {"model_dir": str(tmp_path / "models")},
        },
    )
    config.chmod(0o644)
    cupsd = tmp_path / "cupsd.conf"
    cupsd.write_text("LogLevel warn\nMaxLogSize 0\n", encoding="utf-8")  # CUPS's default: a day
    return config, {"TZ": "UTC", CUPSD_CONF_ENV: str(cupsd)}


def production_like(tmp_path: Path, url: str) -> tuple[Path, dict[str, str]]:
    private, public = key_pair(tmp_path / "ward" / "ward-key.pem")
    open_store(url, private).close()
    model = tmp_path / "models" / "ja"
    for part in ("am", "conf", "graph"):
        (model / part).mkdir(parents=True)
    config = write_toml(
        tmp_path / "kiosk.toml",
        {
            "ward": {"name": "大阪市北区役所", "time_zone": "Asia/Tokyo"},
            "kiosk": {"id": "kita-1f-east", "languages": ["ja"]},
            "database": {
                "url": url,
                "private_key_file": str(tmp_path / "absent.pem"),
                "public_key_file": str(public),
            },
            "printing": {"forms_printer": "forms", "output_dir": str(tmp_path / "printed")},
            "speech": {"model_dir": str(tmp_path / "models")},  # models/ja: "installed"
        },
    )
    config.chmod(0o600)
    cupsd = tmp_path / "cupsd.conf"
    cupsd.write_text("LogLevel warn\nPreserveJobFiles Yes\n" + PRIVACY, encoding="utf-8")
    return config, {"TZ": "Asia/Tokyo", CUPSD_CONF_ENV: str(cupsd)}


def production_rules(output: str) -> dict[str, dict[str, Any]]:
    checks = json.loads(output)
    prefix = "production: "
    return {c["check"][len(prefix) :]: c for c in checks if c["check"].startswith(prefix)}


@pytest.fixture
def no_virtual_reader_here(monkeypatch: pytest.MonkeyPatch) -> None:
    """This test PC has vsmartcard-vpcd (the tests need it); a production PC would not."""
    monkeypatch.setattr("kiosk.doctor_production._virtual_readers", list)
    monkeypatch.setattr("kiosk.doctor_production.installed_virtual_reader_packages", list)


def invoke(config: Path, env: dict[str, str], *args: str) -> Any:
    return CliRunner().invoke(
        main, ["doctor", "--config", str(config), "--json", "--no-speech", *args], env=env
    )


# -- the command --------------------------------------------------------------------


def test_every_rule_is_an_error_on_a_demo_like_pc(tmp_path: Path) -> None:
    config, env = demo_like(tmp_path)
    result = invoke(config, env, "--production")
    assert result.exit_code == 1
    rules = production_rules(result.stdout)
    assert list(rules) == RULES
    for name, check in rules.items():
        assert check["status"] == "error", (name, check)
        assert check["action"], name
    assert "'kiosk-1'" in rules["kiosk id"]["detail"]
    assert "allow_virtual_reader" in rules["virtual reader"]["detail"]
    assert "SQLite, but 4 counters" in rules["database"]["detail"]
    assert "UTC" in rules["time zone"]["detail"]
    assert "timedatectl set-timezone Asia/Tokyo" in rules["time zone"]["action"]
    assert "ja, en" in rules["speech models"]["detail"]
    assert "cups-privacy.sh" in rules["CUPS job files"]["action"]
    assert "chmod o-rwx" in rules["config file"]["action"]
    for fingerprint in _fingerprints(tmp_path):  # this PC's and the database's
        assert fingerprint in rules["ward key"]["detail"]


def _fingerprints(tmp_path: Path) -> set[str]:
    from kiosk.storage import sealing
    from kiosk.storage.key_files import read_public_key

    return {
        sealing.fingerprint(read_public_key(p))
        for p in (tmp_path / "ward" / "ward-key.pem.pub", tmp_path / "other" / "ward-key.pem.pub")
    }


def test_without_the_flag_no_rule_runs_and_the_summary_says_nothing_of_them(
    tmp_path: Path,
) -> None:
    config, env = demo_like(tmp_path)
    result = CliRunner().invoke(main, ["doctor", "--config", str(config), "--no-speech"], env=env)
    assert "production" not in result.stdout
    assert "virtual reader allowed" in result.stdout  # still a warning, as before


def test_every_rule_passes_on_a_production_like_pc(
    tmp_path: Path, pg_url: str, no_virtual_reader_here: None
) -> None:
    config, env = production_like(tmp_path, pg_url)
    result = invoke(config, env, "--production")
    rules = production_rules(result.stdout)
    assert list(rules) == RULES
    assert {n: c["status"] for n, c in rules.items()} == dict.fromkeys(RULES, "ok"), rules
    table = CliRunner().invoke(
        main, ["doctor", "--config", str(config), "--no-speech", "--production"], env=env
    )
    assert "production rules checked: 10 of 10 met" in table.stdout.splitlines()[-1]


def test_the_installed_command_reports_the_rules(tmp_path: Path) -> None:
    config, env = demo_like(tmp_path)
    result = subprocess.run(
        [KIOSK, "doctor", "--production", "--json", "--no-speech", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        env={**os.environ, **env, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 1, result.stderr
    rules = production_rules(result.stdout)
    assert {n: c["status"] for n, c in rules.items()} == dict.fromkeys(RULES, "error")


def test_settings_that_do_not_load_are_a_production_error(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("[kiosk]\nid = 'no spaces allowed'\n", encoding="utf-8")
    result = invoke(config, {}, "--production")
    assert result.exit_code == 1
    assert production_rules(result.stdout)["settings"]["status"] == "error"


# -- the rules one by one -------------------------------------------------------------


def test_a_virtual_reader_installed_is_an_error_even_when_not_allowed() -> None:
    settings = Settings()
    listed = virtual_reader_check(settings, lambda: ["Virtual PCD 00 00"], list)
    assert listed.status == "error" and "Virtual PCD 00 00" in listed.detail
    package = virtual_reader_check(settings, list, lambda: ["package vsmartcard-vpcd"])
    assert package.status == "error" and "apt-get purge vsmartcard-vpcd" in (package.action or "")
    assert virtual_reader_check(settings, list, list).status == "ok"


def test_sqlite_is_an_error_wherever_another_pc_needs_the_data() -> None:
    one = {"counters": {"resident": {"number": "2"}}}
    assert database_check(Settings.model_validate(one)).status == "ok"
    for extra in ({"database": {"role": "counter"}}, {"counter_app": {"counter": "resident"}}):
        check = database_check(Settings.model_validate({**one, **extra}))
        assert check.status == "error", extra
    assert database_check(Settings()).status == "error"  # the four default counters
    server = {"database": {"url": "postgresql+psycopg://kiosk@db/ward?sslmode=verify-full"}}
    assert database_check(Settings.model_validate(server)).status == "ok"


def test_the_time_zone_compares_the_time_kept_not_the_name(tmp_path: Path) -> None:
    tokyo = Settings()
    assert time_zone_check(tokyo, "Japan").status == "ok"  # another name, the same clock
    assert time_zone_check(tokyo, "Asia/Seoul").status == "ok"  # UTC+9 all year, too
    assert time_zone_check(tokyo, "Etc/UTC").status == "error"
    assert time_zone_check(tokyo, None).status == "error"
    assert time_zone_check(tokyo, "Mars/Olympus").status == "error"
    london = Settings.model_validate({"ward": {"time_zone": "Europe/London"}})
    assert time_zone_check(london, "Etc/UTC").status == "error"  # summer time differs
    link = tmp_path / "localtime"
    link.symlink_to("/usr/share/zoneinfo/Asia/Tokyo")
    assert local_zone_name({}, link) == "Asia/Tokyo"
    assert local_zone_name({"TZ": ":Europe/London"}, link) == "Europe/London"


def test_an_unknown_ward_time_zone_is_a_settings_error() -> None:
    from kiosk.config import ConfigError, load_settings

    with pytest.raises(ConfigError, match=r"ward\.time_zone"):
        load_settings(environ={"WARD_KIOSK_WARD_TIME_ZONE": "Tokio"})


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("", True),  # CUPS's default keeps files for a day
        ("PreserveJobFiles Yes\n", True),
        ("PreserveJobFiles 86400\n", True),
        ("PreserveJobFiles No\n", False),
        ("preservejobfiles off # kiosk\n", False),
        ("PreserveJobFiles No\nPreserveJobFiles Yes\n", True),  # the last line wins
        ("# PreserveJobFiles Yes\nPreserveJobFiles No\n", False),
    ],
)
def test_cups_keeping_job_files(tmp_path: Path, text: str, kept: bool) -> None:
    conf = tmp_path / "cupsd.conf"
    conf.write_text(text, encoding="utf-8")
    check = cups_job_files_check(conf)
    assert (check.status == "error") is kept, (text, check)
    assert preserve_job_files("x\n") is None


def test_a_cupsd_conf_that_cannot_be_read_is_an_error_with_what_to_do(tmp_path: Path) -> None:
    check = cups_job_files_check(tmp_path / "absent.conf")
    assert check.status == "error"
    assert check.action and "cups-privacy.sh" in check.action
    assert cups_job_files_check(tmp_path / "x", "cups.ward.lan").status == "warning"


def test_a_config_file_readable_by_another_group_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("", encoding="utf-8")
    gid = path.stat().st_gid
    path.chmod(0o640)
    assert config_file_check([path], gid=gid).status == "ok"
    assert config_file_check([path], gid=gid + 1).status == "error"
    path.chmod(0o604)
    assert config_file_check([path], gid=gid).status == "error"
    path.chmod(0o600)
    assert config_file_check([path], gid=gid + 1).status == "ok"
    assert config_file_check([]).status == "ok"


def test_the_drop_ins_beside_the_settings_file_are_checked_too(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("", encoding="utf-8")
    path.chmod(0o600)
    (tmp_path / "config.d").mkdir()
    drop_in = tmp_path / "config.d" / "50-database.toml"
    drop_in.write_text("", encoding="utf-8")
    drop_in.chmod(0o644)
    files = settings_files(path, {})
    assert files == [path, drop_in]
    check = config_file_check(files)
    assert check.status == "error"
    assert str(drop_in) in check.detail
    assert settings_files(None, {"WARD_KIOSK_CONFIG": str(path)}) == files


def test_a_wrong_ward_key_names_both_fingerprints(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ward.db'}"
    registered, registered_public = key_pair(tmp_path / "ward" / "ward-key.pem")
    open_store(url, registered).close()
    _, other = key_pair(tmp_path / "other" / "ward-key.pem")
    database = {"url": url, "private_key_file": str(tmp_path / "absent.pem")}
    wrong = Settings.model_validate({"database": {**database, "public_key_file": str(other)}})
    check = ward_key_check(wrong)
    assert check.status == "error"
    for fingerprint in _fingerprints(tmp_path):
        assert fingerprint in check.detail
    right = {**database, "public_key_file": str(registered_public)}
    assert ward_key_check(Settings.model_validate({"database": right})).status == "ok"
