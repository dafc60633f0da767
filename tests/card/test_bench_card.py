"""The card benchmark still runs (one quick round; the figures come from bench/run.py card)."""

from __future__ import annotations

import os

import pytest

from bench import card as card_bench
from bench.common import table


@pytest.mark.pcsc
@pytest.mark.skipif(
    os.geteuid() != 0, reason="the benchmark starts its own pcscd, which needs root"
)
def test_card_benchmark_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(card_bench, "RUNS", 1)
    rows = card_bench.run()
    assert [len(row.samples) for row in rows] == [1, 1]
    assert all(sample > 0 for row in rows for sample in row.samples)
    assert rows[0].note == "6 APDUs"
    assert rows[1].note.startswith("6 APDUs (reference 6)")  # no more than the reference
    assert "x" in table(rows).splitlines()[-1]  # the ratio against the baseline
