"""The kiosk's heartbeat: its checks, the row it writes, the timer, and the running kiosk."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import kiosk
from kiosk.config import Settings
from kiosk.health import collect_health, send_heartbeat
from kiosk.storage import DatabaseUnavailable, HealthCheck, Store
from tests.cups_fixture import CupsServer
from tests.keys import open_store
from tests.pcsc_fixture import VirtualReader

ROOT = Path(__file__).resolve().parent.parent
KIOSK = str(Path(sys.executable).parent / "ward-kiosk")
FIXED = ["card_reader", "forms_printer", "ticket_printer"]


def _settings(tmp_path: Path, **sections: dict[str, Any]) -> Settings:
    config: dict[str, dict[str, Any]] = {
        "database": {
            "url": f"sqlite:///{tmp_path / 'db' / 'kiosk.db'}",
            "private_key_file": str(tmp_path / "keys" / "ward-key.pem"),
            "public_key_file": str(tmp_path / "keys" / "ward-key.pem.pub"),
        },
        "printing": {"output_dir": str(tmp_path / "printed"), "folder_printer": True},
        "speech": {"model_dir": str(tmp_path / "models")},
    }
    for section, values in sections.items():
        config.setdefault(section, {}).update(values)
    return Settings.model_validate(config)


def _model(folder: Path, parts: tuple[str, ...] = ("am", "conf", "graph")) -> Path:
    for part in parts:
        (folder / part).mkdir(parents=True)
    return folder


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    settings = _settings(tmp_path)
    with open_store(settings.database_url(), settings.private_key_file()) as opened:
        yield opened


def _by_name(checks: list[HealthCheck]) -> dict[str, HealthCheck]:
    return {c.name: c for c in checks if c.name != "speech_models"}


# -- the checks -----------------------------------------------------------------------


def test_send_heartbeat_writes_every_check(tmp_path: Path, store: Store) -> None:
    models = {"ja": str(_model(tmp_path / "ja-model")), "en": str(tmp_path / "no-model")}
    settings = _settings(tmp_path, kiosk={"id": "kita-1f-02"}, speech={"models": models})
    send_heartbeat(store, settings)
    [beat] = store.kiosk_heartbeats()
    assert (beat.kiosk_id, beat.version) == ("kita-1f-02", kiosk.__version__)
    names = [c.name for c in beat.checks]
    assert names[:3] == FIXED
    assert set(names[3:]) == {"speech_models"}
    speech = {c.detail[:2]: c.status for c in beat.checks[3:]}
    assert (speech["ja"], speech["en"]) == ("ok", "error")
    printers = _by_name(list(beat.checks))
    # The folder printer (demo and tests only) is a warning the counter app shows.
    assert printers["forms_printer"].status == printers["ticket_printer"].status == "warning"
    assert str(tmp_path / "printed") in printers["forms_printer"].detail
    assert beat.worst == "error"


def test_the_checks_take_well_under_a_second(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    collect_health(settings)  # imports once
    started = time.perf_counter()
    collect_health(settings)
    assert time.perf_counter() - started < 0.5


def test_a_missing_forms_printer_queue_is_an_error(
    tmp_path: Path, cups_pdf_queue: CupsServer
) -> None:
    printing = {
        "forms_printer": "no-such-queue",
        "ticket_printer": cups_pdf_queue.queue,
        "cups_server": cups_pdf_queue.server,
    }
    checks = _by_name(collect_health(_settings(tmp_path, printing=printing)))
    assert checks["forms_printer"].status == "error"
    assert checks["forms_printer"].detail.endswith(": missing")
    assert checks["ticket_printer"].status == "ok"


@pytest.mark.pcsc
def test_the_card_reader_is_found_or_reported(tmp_path: Path, pcsc_reader: VirtualReader) -> None:
    demo = _settings(tmp_path, card={"allow_virtual_reader": True})
    found = _by_name(collect_health(demo))["card_reader"]
    assert found == HealthCheck("card_reader", "ok", f"{pcsc_reader.name} is connected")
    other = _settings(tmp_path, card={"reader": "No Such Reader", "allow_virtual_reader": True})
    missing = _by_name(collect_health(other))["card_reader"]
    assert missing.status == "error"
    assert missing.detail.startswith("no_reader:")


@pytest.mark.pcsc
@pytest.mark.parametrize(
    ("card", "code"),
    [({"reader": "Virtual PCD"}, "reader_not_allowed"), ({}, "reader_not_configured")],
)
def test_a_reader_the_kiosk_refuses_is_an_error(
    tmp_path: Path, pcsc_reader: VirtualReader, card: dict[str, str], code: str
) -> None:
    refused = _by_name(collect_health(_settings(tmp_path, card=card)))["card_reader"]
    assert refused.status == "error"
    assert refused.detail.startswith(f"{code}:")
    assert "card.reader" in refused.detail


def test_a_broken_check_is_an_error_and_the_others_still_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kiosk.doctor

    def broken(_settings: Settings) -> list[Any]:
        raise RuntimeError("lpstat went away")

    monkeypatch.setattr(kiosk.doctor, "printer_checks", broken)
    checks = collect_health(_settings(tmp_path, speech={"models": {"ja": str(tmp_path)}}))
    by_name = _by_name(checks)
    assert by_name["forms_printer"] == HealthCheck(
        "forms_printer", "error", "the check failed: RuntimeError"
    )
    assert "card_reader" in by_name
    assert any(c.name == "speech_models" for c in checks)


# -- the timer (Qt) -------------------------------------------------------------------


def test_the_heartbeat_is_sent_at_once_and_then_every_interval(
    qtbot: Any, tmp_path: Path, store: Store
) -> None:
    from kiosk.ui.heartbeat import Heartbeat

    settings = _settings(tmp_path)
    beat = Heartbeat(lambda: send_heartbeat(store, settings), interval_ms=100)
    sent: list[float] = []
    beat.sent.connect(lambda: sent.append(time.monotonic()))
    try:
        # At once: long before the 100 ms interval could matter; the generous timeout
        # is for a loaded machine, where the first beat's checks import the printers.
        with qtbot.waitSignal(beat.sent, timeout=10_000):
            beat.start()
        assert [b.kiosk_id for b in store.kiosk_heartbeats()] == ["kiosk-1"]
        qtbot.waitUntil(lambda: len(sent) >= 3, timeout=3_000)
    finally:
        assert beat.stop()
    assert not beat.active


def test_a_failed_heartbeat_is_logged_and_the_next_one_tries_again(
    qtbot: Any, caplog: pytest.LogCaptureFixture
) -> None:
    from kiosk.ui.heartbeat import Heartbeat

    calls: list[int] = []

    def send() -> None:
        calls.append(1)
        raise DatabaseUnavailable("Database sqlite:///x is unavailable: disk I/O error.")

    beat = Heartbeat(send, interval_ms=50)
    try:
        with caplog.at_level("WARNING", logger="kiosk.ui.heartbeat"):
            beat.start()
            qtbot.waitUntil(lambda: len(calls) >= 2, timeout=3_000)
    finally:
        assert beat.stop()
    assert "heartbeat not recorded: database_unavailable" in caplog.text


def test_a_database_that_goes_down_costs_one_heartbeat_not_the_kiosk(
    qtbot: Any, pg_server: Any, pg_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from kiosk.ui.heartbeat import Heartbeat

    settings = _settings(tmp_path)
    with open_store(pg_url, tmp_path / "pg.key") as store:
        beat = Heartbeat(lambda: send_heartbeat(store, settings), interval_ms=100)
        failures: list[object] = []
        beat.failed.connect(failures.append)
        try:
            with caplog.at_level("WARNING", logger="kiosk.ui.heartbeat"):
                pg_server.allow_connections(pg_url, False)
                beat.start()
                qtbot.waitUntil(lambda: bool(failures), timeout=5_000)
            assert isinstance(failures[0], DatabaseUnavailable)
            assert "heartbeat not recorded: database_unavailable" in caplog.text
            pg_server.allow_connections(pg_url, True)  # back: the next beat records
            qtbot.waitUntil(lambda: bool(store.kiosk_heartbeats()), timeout=5_000)
        finally:
            pg_server.allow_connections(pg_url, True)
            assert beat.stop()


def test_a_slow_heartbeat_is_not_doubled(qtbot: Any) -> None:
    from kiosk.ui.heartbeat import Heartbeat

    release = threading.Event()
    calls: list[int] = []

    def send() -> None:
        calls.append(1)
        release.wait(5)

    beat = Heartbeat(send, interval_ms=20)
    try:
        beat.start()
        qtbot.waitUntil(lambda: calls == [1], timeout=2_000)
        qtbot.wait(200)  # ten intervals pass while the first beat still runs
        assert calls == [1]
        release.set()
        qtbot.waitUntil(lambda: len(calls) >= 2, timeout=2_000)
    finally:
        release.set()
        assert beat.stop()


# -- the running kiosk ----------------------------------------------------------------


def test_the_running_kiosk_records_a_heartbeat(tmp_path: Path) -> None:
    """`ward-kiosk run` sends one as soon as the welcome screen is up."""
    settings = _settings(tmp_path)
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f"""
[kiosk]
id = "kita-1f-03"
fullscreen = false
[database]
url = {json.dumps(settings.database.url)}
private_key_file = {json.dumps(settings.database.private_key_file)}
public_key_file = {json.dumps(settings.database.public_key_file)}
[printing]
output_dir = {json.dumps(settings.printing.output_dir)}
[speech]
model_dir = {json.dumps(settings.speech.model_dir)}
read_aloud = false
""",
        encoding="utf-8",
    )
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "PCSCLITE_CSOCK_NAME": str(tmp_path / "no-pcscd.comm"),
    }
    open_store(settings.database_url(), settings.private_key_file()).close()  # key init
    result = subprocess.run(
        [KIOSK, "run", "--windowed", "--quit-when-shown", "--config", str(config)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    with open_store(settings.database_url(), settings.private_key_file()) as store:
        [beat] = store.kiosk_heartbeats()
    assert beat.kiosk_id == "kita-1f-03"
    assert [c.name for c in beat.checks][:3] == FIXED
    assert beat.checks[0].status == "error"  # no pcscd on this socket
