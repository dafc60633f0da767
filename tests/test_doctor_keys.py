"""``doctor`` on the ward keys: which key this PC holds, and a wrong or missing one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from kiosk.config import Settings
from kiosk.doctor import database_check
from tests.keys import key_pair, open_store

KIOSK = str(Path(sys.executable).with_name("ward-kiosk"))


def _settings(tmp_path: Path, **database: str) -> Settings:
    return Settings.model_validate(
        {"database": {"url": f"sqlite:///{tmp_path / 'ward.db'}", **database}}
    )


def test_a_kiosk_pc_holds_the_public_key_only(tmp_path: Path) -> None:
    private, public = key_pair(tmp_path / "counter" / "ward-key.pem")
    open_store(f"sqlite:///{tmp_path / 'ward.db'}", private).close()
    kiosk = _settings(
        tmp_path, private_key_file=str(tmp_path / "absent.pem"), public_key_file=str(public)
    )
    check = database_check(kiosk)
    assert check.status == "ok"
    assert "public key only" in check.detail
    counter = _settings(tmp_path, private_key_file=str(private), public_key_file=str(public))
    assert "this PC can read personal data" in database_check(counter).detail


def test_a_wrong_key_is_an_error_with_what_to_do(tmp_path: Path) -> None:
    private, _ = key_pair(tmp_path / "counter" / "ward-key.pem")
    open_store(f"sqlite:///{tmp_path / 'ward.db'}", private).close()
    _, other = key_pair(tmp_path / "other" / "ward-key.pem")
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[database]\nurl = "sqlite:///{tmp_path / "ward.db"}"\n'
        f'private_key_file = "{tmp_path / "absent.pem"}"\npublic_key_file = "{other}"\n',
        encoding="utf-8",
    )
    result = subprocess.run(
        [KIOSK, "doctor", "--json", "--no-speech", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 1
    checks = {c["check"]: c for c in json.loads(result.stdout)}
    database = checks["database"]
    assert database["status"] == "error"
    assert "ward_key_mismatch" in database["detail"]
    assert "ward-kiosk key fingerprint" in database["action"]


def test_no_ward_key_in_the_database_says_run_key_init(tmp_path: Path) -> None:
    _, public = key_pair(tmp_path / "k" / "ward-key.pem")
    check = database_check(
        _settings(tmp_path, private_key_file=str(tmp_path / "no.pem"), public_key_file=str(public))
    )
    assert check.status == "error"
    assert "no_ward_key" in check.detail
    assert check.action is not None and "ward-kiosk key init" in check.action
