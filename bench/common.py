"""Shared helpers for the benchmarks: timing, medians, the table."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def run_module(module: str, *args: str, timeout: float = 120) -> dict[str, Any]:
    """Run ``python -m module args`` in a fresh process; its last line of output is JSON."""
    result = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{module} failed:\n{result.stderr[-3000:]}")
    value = json.loads(result.stdout.splitlines()[-1])
    assert isinstance(value, dict)
    return value


@dataclass(frozen=True)
class Row:
    name: str
    samples: Sequence[float]  # seconds
    baseline: Sequence[float] | None = None
    note: str = ""

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples) * 1000

    @property
    def ratio(self) -> str:
        if not self.baseline:
            return "-"
        return f"{statistics.median(self.samples) / statistics.median(self.baseline):.2f}x"


def table(rows: Sequence[Row]) -> str:
    header = f"{'benchmark':<44} {'runs':>5} {'median ms':>10} {'p95 ms':>9} {'vs base':>8}  note"
    lines = [header, "-" * len(header)]
    for row in rows:
        ordered = sorted(row.samples)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] * 1000
        lines.append(
            f"{row.name:<44} {len(row.samples):>5} {row.median_ms:>10.1f} {p95:>9.1f} "
            f"{row.ratio:>8}  {row.note}"
        )
    return "\n".join(lines)
