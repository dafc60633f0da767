"""The benchmarks still run (one quick round; the figures come from bench/run.py)."""

from __future__ import annotations

import os

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
