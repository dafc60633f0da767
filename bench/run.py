"""Run the benchmarks and print one table: `.venv/bin/python bench/run.py [NAME ...]`."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

# The repository root replaces this folder on the path: bench/queue.py must not
# shadow the standard library's queue module.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.common import table  # noqa: E402

BENCHMARKS = ["startup", "card", "speech", "forms", "queue"]


def main(names: list[str]) -> int:
    rows = []
    for name in names or BENCHMARKS:
        rows.extend(importlib.import_module(f"bench.{name}").run())
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
