"""Forms: render time per form with the fonts loaded, the first form after start, PDF size.

Warm: each procedure's form rendered RUNS times for the demo card in Japanese,
after one render that loads the fonts (targets: at most 100 ms and 300 KB a
form). First: a fresh Python process imports the forms package and renders one
form, timed inside the child from before the import: what the first visitor
after a restart waits for (font loading included).
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from bench.common import Row

ROOT = Path(__file__).resolve().parent.parent
RUNS = 30
FIRST_RUNS = 5
PROCEDURES = {
    "resident_move": "tennyu",
    "juminhyo_request": "juminhyo",
    "inkan_registration": "inkan_register",
    "inkan_certificate": "inkan_cert",
    "nhi_enrollment": "nhi_enroll",
    "nhi_withdrawal": "nhi_withdraw",
    "child_allowance": "child_allowance",
    "birth_checklist": "shussei",
}


def run() -> list[Row]:
    rows = [_warm(form_id, procedure) for form_id, procedure in PROCEDURES.items()]
    first = [_first_form() for _ in range(FIRST_RUNS)]
    rows.append(Row("forms: first form after start (fonts load)", first, note="fresh process"))
    return rows


@functools.cache
def _inputs() -> dict[str, Any]:
    """What the kiosk has read at start: the catalog, settings, texts; the demo card."""
    from kiosk.card.virtual.persona import load_persona
    from kiosk.catalog import Catalog
    from kiosk.config import Settings
    from kiosk.i18n import Translations
    from kiosk.resources import resource

    return {
        "person": load_persona(resource("personas", "demo.toml")).person,
        "settings": Settings(),
        "catalog": Catalog.load(),
        "texts": Translations.load("ja"),
    }


def _render(procedure: str) -> bytes:
    from kiosk.forms.documents import render_form

    inputs = _inputs()
    return render_form(
        procedure,
        inputs["person"],
        {},
        settings=inputs["settings"],
        catalog=inputs["catalog"],
        texts=inputs["texts"],
        today=date(2026, 11, 22),
        reference="7K2Q9",
    ).pdf


def _warm(form_id: str, procedure: str) -> Row:
    pdf = _render(procedure)  # fonts loaded, layout read
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        pdf = _render(procedure)
        samples.append(time.perf_counter() - started)
    size = len(pdf) / 1024
    flag = "" if size <= 300 else " OVER 300 KB"
    return Row(f"forms: {form_id} (warm)", samples, note=f"{size:.0f} KB{flag}")


def _first_form() -> float:
    result = subprocess.run(
        [sys.executable, "-m", "bench.forms", "--first"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"forms benchmark failed:\n{result.stderr[-3000:]}")
    return float(json.loads(result.stdout.splitlines()[-1])["seconds"])


if __name__ == "__main__":
    if sys.argv[1:] != ["--first"]:
        sys.exit("usage: python -m bench.forms --first (or: bench/run.py forms)")
    started = time.perf_counter()
    _render("tennyu")
    print(json.dumps({"seconds": time.perf_counter() - started}))
