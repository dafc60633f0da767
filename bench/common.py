"""Shared helpers for the benchmarks: timing, medians, the table."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass


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
