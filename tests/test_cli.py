"""The `ward-kiosk` command as IT and the README use it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.cli import main

ROOT = Path(__file__).resolve().parent.parent
KIOSK = str(Path(sys.executable).parent / "ward-kiosk")


def test_help_lists_the_commands():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for command in ("run", "card", "config", "data"):
        assert command in result.output


def test_config_show_prints_the_effective_settings(tmp_path: Path):
    config = tmp_path / "kiosk.toml"
    config.write_text('[ward]\nname = "大阪市北区役所"\n', encoding="utf-8")
    result = CliRunner().invoke(
        main, ["config", "show", "--config", str(config)], env={"WARD_KIOSK_KIOSK_ID": "kita-3"}
    )
    assert result.exit_code == 0, result.output
    settings = json.loads(result.output)
    assert settings["ward"]["name"] == "大阪市北区役所"
    assert settings["kiosk"]["id"] == "kita-3"


def test_a_bad_setting_is_named_without_a_traceback(tmp_path: Path):
    config = tmp_path / "kiosk.toml"
    config.write_text("[kiosk]\nidle_warning_seconds = 3\n", encoding="utf-8")
    for command in (["config", "show"], ["run"], ["data", "purge"]):
        result = CliRunner().invoke(main, [*command, "--config", str(config)])
        assert result.exit_code == 1, command
        assert "kiosk.idle_warning_seconds" in result.output
        assert "Traceback" not in result.output


def test_data_purge_reports_a_count(tmp_path: Path):
    env = {
        "WARD_KIOSK_DATABASE_URL": f"sqlite:///{tmp_path / 'kiosk.db'}",
        "WARD_KIOSK_DATABASE_KEY_FILE": str(tmp_path / "keys" / "data.key"),
    }
    result = CliRunner().invoke(main, ["data", "purge", "--days", "0"], env=env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"purged_visits": 0, "purged_pdfs": 0, "retention_days": 0}


def test_queue_issue_prints_the_ticket_page_url(tmp_path: Path):
    """With ``[web] public_url`` the ticket's phone page; without it, ""."""
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[database]\nurl = "sqlite:///{tmp_path / "kiosk.db"}"\n'
        '[web]\npublic_url = "https://ward.example.jp/kiosk/"\n',
        encoding="utf-8",
    )
    issue = [KIOSK, "queue", "issue", "--category", "resident", "--config", str(config)]
    done = subprocess.run(issue, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    url = json.loads(done.stdout)["url"]
    prefix = "https://ward.example.jp/kiosk/t/"
    assert url.startswith(prefix) and len(url) == len(prefix) + 22
    config.write_text(f'[database]\nurl = "sqlite:///{tmp_path / "kiosk.db"}"\n', encoding="utf-8")
    done = subprocess.run(issue, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["url"] == ""


@pytest.mark.pcsc
@pytest.mark.skipif(os.geteuid() != 0, reason="the demo starts pcscd, which needs root")
def test_demo_starts_its_card_and_shows_the_welcome_screen(tmp_path: Path):
    """What the README's first command runs, on a machine with no pcscd running."""
    env = {
        **os.environ,
        "PCSCLITE_CSOCK_NAME": str(tmp_path / "pcscd.comm"),
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    result = subprocess.run(
        [KIOSK, "run", "--demo", "--windowed", "--quit-when-shown"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "welcome screen shown after" in result.stdout
    assert "PIN of the virtual demo card: 1234" in result.stdout
    assert "could not be started" not in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "pcscd.comm").exists(), "the demo left pcscd running"


def test_every_command_accepts_a_config_file():
    import click

    def leaves(group: click.Group, prefix: str = ""):
        for name, command in group.commands.items():
            if isinstance(command, click.Group):
                yield from leaves(command, f"{prefix}{name} ")
            else:
                yield f"{prefix}{name}", command

    for name, command in leaves(main):
        options = {opt for param in command.params for opt in param.opts}
        assert "--config" in options, name
