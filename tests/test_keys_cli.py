"""``ward-kiosk key`` through the installed command, and a kiosk refusing a wrong key."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from kiosk.config import load_settings
from kiosk.person import Person
from kiosk.visit import Visit
from kiosk.ward_keys import open_store

ROOT = Path(__file__).resolve().parents[1]
KIOSK = str(Path(sys.executable).with_name("ward-kiosk"))


def _config(folder: Path, db_url: str, name: str, **keys: Path) -> Path:
    lines = [f'url = "{db_url}"'] + [f'{k} = "{v}"' for k, v in keys.items()]
    config = folder / f"{name}.toml"
    config.write_text("[database]\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return config


def _ward(*args: str, config: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [KIOSK, *args, "--config", str(config)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "Traceback" not in result.stderr, result.stderr
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture
def counter_config(tmp_path: Path) -> Path:
    keys = tmp_path / "counter"
    return _config(
        tmp_path,
        f"sqlite:///{tmp_path / 'ward.db'}",
        "counter",
        private_key_file=keys / "ward-key.pem",
        public_key_file=keys / "ward-key.pub.pem",
    )


def _kiosk_config(tmp_path: Path, public: Path) -> Path:
    return _config(
        tmp_path,
        f"sqlite:///{tmp_path / 'ward.db'}",
        "kiosk",
        private_key_file=tmp_path / "kiosk" / "no-private-key-here.pem",
        public_key_file=public,
    )


def test_init_creates_an_owner_only_key_once_and_registers_it(
    counter_config: Path, tmp_path: Path
) -> None:
    first = json.loads(_ward("key", "init", config=counter_config).stdout)
    private = Path(first["private_key_file"])
    assert first["created"] is True
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert private.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    again = json.loads(_ward("key", "init", config=counter_config).stdout)
    assert again["created"] is False
    assert again["fingerprint"] == first["fingerprint"]
    shown = json.loads(_ward("key", "fingerprint", config=counter_config).stdout)
    assert shown == {
        "this_pc": first["fingerprint"],
        "holds": "private",
        "database": first["fingerprint"],
    }


def test_a_kiosk_with_the_exported_public_key_starts_and_one_with_another_does_not(
    counter_config: Path, tmp_path: Path
) -> None:
    fingerprint = json.loads(_ward("key", "init", config=counter_config).stdout)["fingerprint"]
    public = tmp_path / "kiosk" / "ward-key.pub.pem"
    exported = json.loads(
        _ward("key", "export-public", "--out", str(public), config=counter_config).stdout
    )
    assert exported["fingerprint"] == fingerprint
    assert public.read_text().startswith("-----BEGIN PUBLIC KEY-----")
    kiosk = _kiosk_config(tmp_path, public)
    shown = json.loads(_ward("key", "fingerprint", config=kiosk).stdout)
    assert shown["holds"] == "public" and shown["this_pc"] == fingerprint
    _ward("run", "--windowed", "--quit-when-shown", config=kiosk)

    other_folder = tmp_path / "other"
    other = _config(
        tmp_path,
        "sqlite:///" + str(tmp_path / "other.db"),
        "other",
        private_key_file=other_folder / "k.pem",
        public_key_file=other_folder / "k.pub.pem",
    )
    _ward("key", "init", config=other)
    wrong = _kiosk_config(tmp_path, other_folder / "k.pub.pem")
    refused = _ward("run", "--windowed", "--quit-when-shown", config=wrong, check=False)
    assert refused.returncode == 1
    assert f"the ward's current key is {fingerprint}" in refused.stderr
    assert "ward-kiosk doctor" in refused.stderr
    assert _ward("key", "fingerprint", config=wrong, check=False).returncode == 1


def test_a_kiosk_without_a_key_says_where_to_copy_it(counter_config: Path, tmp_path: Path) -> None:
    _ward("key", "init", config=counter_config)
    kiosk = _kiosk_config(tmp_path, tmp_path / "kiosk" / "missing.pub.pem")
    refused = _ward("run", "--windowed", "--quit-when-shown", config=kiosk, check=False)
    assert refused.returncode == 1
    assert "missing.pub.pem cannot be read" in refused.stderr
    assert "key export-public" in refused.stderr
    assert not (tmp_path / "kiosk" / "missing.pub.pem").exists()  # never made up


def test_rotate_reseals_the_day_keys_and_retires_the_old_key(
    counter_config: Path, tmp_path: Path
) -> None:
    old = json.loads(_ward("key", "init", config=counter_config).stdout)["fingerprint"]
    old_private = Path(
        json.loads(_ward("key", "init", config=counter_config).stdout)["private_key_file"]
    ).read_bytes()
    settings = load_settings(counter_config)
    person = Person(
        name="大阪 太郎",
        name_kana="",
        address="大阪市北区",
        birth_date=date(1980, 1, 2),
        sex="male",
    )
    with open_store(settings, "counter") as store:
        reference = store.save_visit(
            Visit(language="ja", person=person), kiosk_id="k", status="completed"
        )
    rotated = json.loads(_ward("key", "rotate", "--yes", config=counter_config).stdout)
    assert rotated["fingerprint"] != old and rotated["resealed"] == 1
    assert settings.private_key_file().read_bytes() != old_private
    with open_store(settings, "counter") as store:
        assert store.load_visit(reference).person == person
    stale = tmp_path / "stale.pem"
    stale.write_bytes(old_private)
    stale.chmod(0o600)
    kept = _config(tmp_path, settings.database_url(), "stale", private_key_file=stale)
    refused = _ward("key", "fingerprint", config=kept, check=False)
    assert refused.returncode == 1
    assert json.loads(refused.stdout)["database"] == rotated["fingerprint"]
