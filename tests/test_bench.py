"""The benchmarks still run (one quick round; the figures come from bench/run.py)."""

from __future__ import annotations

import os
import wave

import pytest

from bench import startup
from bench.common import table


@pytest.mark.pcsc
@pytest.mark.skipif(os.geteuid() != 0, reason="the demo starts pcscd, which needs root")
def test_startup_benchmark_runs(monkeypatch: pytest.MonkeyPatch, tmp_path):
    monkeypatch.setattr(startup, "RUNS", 1)
    # Its own pcscd socket, as on a machine where no pcscd runs yet.
    monkeypatch.setenv("PCSCLITE_CSOCK_NAME", str(tmp_path / "pcscd.comm"))
    rows = startup.run()
    assert [len(row.samples) for row in rows] == [1, 1]
    assert all(sample > 0 for row in rows for sample in row.samples)
    text = table(rows)
    assert "ward-kiosk run --demo to welcome" in text
    assert "x" in text.splitlines()[-1]  # the ratio against the baseline


def test_forms_benchmark_runs(monkeypatch: pytest.MonkeyPatch):
    from bench import forms

    monkeypatch.setattr(forms, "RUNS", 2)
    monkeypatch.setattr(forms, "FIRST_RUNS", 1)
    rows = forms.run()
    assert len(rows) == len(forms.PROCEDURES) + 2  # with the baseline and the first form
    assert all(sample > 0 for row in rows for sample in row.samples)
    assert all(row.note.endswith("KB") for row in rows[1:-1])  # every form under 300 KB
    assert "first form after start" in table(rows)


def test_board_window_benchmark_runs(pg_url: str, tmp_path):
    from bench.common import run_module

    samples = run_module("bench.board_window", pg_url, str(tmp_path / "data.key"), "2")["samples"]
    assert len(samples) == 2
    assert all(0 < sample < 5 for sample in samples)


def test_voice_benchmark_runs():
    from bench import voice

    rows = voice.run(rounds=1, languages=("ja",))
    first, render = rows
    assert len(first.samples) == len(voice.screens("ja")) == 8
    assert first.baseline and "openjtalk" in first.note
    assert "real-time factor" in render.note
    assert "x" in table(rows).splitlines()[2]  # first audio against the whole screen


def test_japanese_benchmark_audio_is_open_jtalk_speech(tmp_path, monkeypatch):
    from bench import speech
    from kiosk.speech.audio import SAMPLE_RATE
    from tests.audio_checks import listen

    monkeypatch.setenv("SPEECH_BENCH_CACHE", str(tmp_path))
    wav = speech.synthesize_ja("引っ越して きました", (1.2, 2.0))
    heard = listen(wav)  # 0.9 s of silence around it, as a visitor pauses
    assert 1.2 < heard.seconds < 4 and heard.voiced > 0.25, heard
    with wave.open(str(wav)) as w:
        assert w.getframerate() == SAMPLE_RATE  # as the recognizer hears a microphone


def test_without_a_japanese_model_the_benchmark_says_how_to_install_one(
    tmp_path, monkeypatch, capsys
):
    from bench import speech

    config = tmp_path / "config.toml"
    config.write_text(f'[speech]\nmodel_dir = "{tmp_path / "models"}"\n', encoding="utf-8")
    monkeypatch.setenv("WARD_KIOSK_CONFIG", str(config))
    assert speech.run(lang="ja") == []
    assert "ward-kiosk models install --lang ja" in capsys.readouterr().out


def test_storage_benchmark_runs(monkeypatch: pytest.MonkeyPatch):
    from bench import storage

    monkeypatch.setattr(storage, "RUNS", 3)
    rows = storage.run()
    assert [row.name.split(":")[0] for row in rows] == ["storage"] * 4
    assert all(row.samples for row in rows)
    assert "sealed to the day key" in table(rows)


def test_web_benchmark_runs(pg_url: str, monkeypatch: pytest.MonkeyPatch):
    from bench import web

    for knob, value in [("FOLLOWERS", 10), ("WORKERS", 2), ("DURATION_S", 3.0)]:
        monkeypatch.setattr(web, knob, value)
    monkeypatch.setattr(web, "PERIOD_S", 0.4)  # 2 workers call 14 tickets: every follower's
    monkeypatch.setattr(web, "PAGE_LOADS", 2)
    rows = web.measure(pg_url)
    base, page, seen, opened = rows
    assert [len(row.samples) for row in (base, page, opened)] == [20, 20, 10]
    assert all(sample > 0 for row in rows for sample in row.samples)
    assert page.baseline is base.samples and "p99" in page.note
    assert len(seen.samples) == 10 and "0 of 10 missed" in seen.note  # call -> seen measured
    assert "peak" in opened.note and "MB" in opened.note
    assert "x" in table(rows).splitlines()[3]  # the page against the constant endpoint
