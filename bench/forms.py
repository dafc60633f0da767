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
import sys
import time
from collections.abc import Callable
from datetime import date
from typing import Any

from bench.common import Row, run_module

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
    baseline = _timed(_bare_page)
    rows = [Row("forms: bare A4 page, 40 lines (baseline)", baseline, note="reportlab alone")]
    rows += [_warm(form_id, procedure, baseline) for form_id, procedure in PROCEDURES.items()]
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


def _warm(form_id: str, procedure: str, baseline: list[float]) -> Row:
    pdf = _render(procedure)  # fonts loaded, layout read
    samples = _timed(lambda: _render(procedure))
    size = len(pdf) / 1024
    flag = "" if size <= 300 else " OVER 300 KB"
    return Row(f"forms: {form_id} (warm)", samples, baseline, note=f"{size:.0f} KB{flag}")


def _timed(fn: Callable[[], object]) -> list[float]:
    fn()  # warm: fonts loaded, files read
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return samples


def _bare_page() -> bytes:
    """What any reportlab page costs: 40 lines of Japanese in the same embedded font."""
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    from kiosk.forms import fonts

    buffer = io.BytesIO()
    with fonts.rendering() as font_name:
        canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
        for line in range(40):
            canvas.setFont(font_name, 10)
            canvas.drawString(
                40, 800 - line * 19, f"住民異動届 大阪市北区中之島1丁目3番20号 {line}"
            )
        canvas.showPage()
        canvas.save()
    return buffer.getvalue()


def _first_form() -> float:
    return float(run_module("bench.forms", "--first")["seconds"])


if __name__ == "__main__":
    if sys.argv[1:] != ["--first"]:
        sys.exit("usage: python -m bench.forms --first (or: bench/run.py forms)")
    started = time.perf_counter()
    _render("tennyu")
    print(json.dumps({"seconds": time.perf_counter() - started}))
