"""Run the benchmarks and print one table: `.venv/bin/python bench/run.py [NAME ...] [--lang ja]`.

An option ``--key value`` goes to the benchmarks whose ``run`` takes ``key``.
"""

from __future__ import annotations

import importlib
import inspect
import sys
from pathlib import Path

# The repository root replaces this folder on the path: bench/queue.py must not
# shadow the standard library's queue module.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.common import table  # noqa: E402

BENCHMARKS = ["startup", "card", "speech", "forms", "storage", "queue", "web"]
PARTS = {"speech": ["speech", "voice"]}
"""Benchmarks measured in more than one module: speech is hearing (speech) and saying (voice)."""


def main(args: list[str]) -> int:
    names: list[str] = []
    options: dict[str, str] = {}
    rest = iter(args)
    for arg in rest:
        if arg.startswith("--"):
            options[arg[2:].replace("-", "_")] = next(rest, "")
        else:
            names.append(arg)
    rows = []
    modules = [part for name in names or BENCHMARKS for part in PARTS.get(name, [name])]
    for name in modules:
        run = importlib.import_module(f"bench.{name}").run
        taken = inspect.signature(run).parameters
        rows.extend(run(**{key: value for key, value in options.items() if key in taken}))
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
