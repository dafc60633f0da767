"""Queue ticket PDF (the call without a slip): size and content.

The ticket built from a slip, in every language, is tested in tests/tickets/.
"""

from __future__ import annotations

import re
import subprocess
from datetime import datetime

import pytest

from kiosk.forms import render_ticket
from kiosk.visit import Ticket
from tests.forms.helpers import pdftotext, squash

TICKET = Ticket("A-012", "moving", 12, "3", 5, datetime(2026, 11, 22, 14, 5))


def _render(**overrides: str) -> bytes:
    labels = {
        "ward_name": "大阪市北区役所",
        "counter_label": "3番窓口",
        "category_label": "転入・転居の届出",
        "language_line": "Please wait until your number is shown, then go to counter 3.",
    }
    return render_ticket(TICKET, **{**labels, **overrides})


def test_ticket_content() -> None:
    text = squash(pdftotext(_render()))
    for expected in (
        "A-012",
        "転入・転居の届出",
        "3番窓口",
        "5人",
        "令和8年（2026年）11月22日14:05",
        "大阪市北区役所",
        squash("Please wait until your number is shown"),
    ):
        assert expected in text


def test_ticket_is_80mm_wide(tmp_path) -> None:
    path = tmp_path / "ticket.pdf"
    path.write_bytes(_render())
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info.stdout)
    assert size is not None
    assert float(size[1]) == pytest.approx(80 / 25.4 * 72, abs=0.5)
    assert float(size[2]) == pytest.approx(120 / 25.4 * 72, abs=0.5)
    assert re.search(r"Pages:\s+1\n", info.stdout)


def test_japanese_language_line_and_long_labels() -> None:
    line = "番号が表示されるまで、待合スペースでお待ちください。呼出画面にも表示されます。"
    pdf = _render(
        language_line=line,
        counter_label="第12番窓口（市民課 住民異動係）",
        category_label="転入・転居・転出・世帯変更の届出と関連する手続",
    )
    text = squash(pdftotext(pdf))
    assert squash(line) in text
    assert "第12番窓口（市民課住民異動係）" in text
    assert "転入・転居・転出・世帯変更の届出と関連する手続" in text


def test_missing_glyph_is_placeholder_not_dropped() -> None:
    # Hangul comes from the fallback font; Egyptian hieroglyphs are in no font.
    text = pdftotext(_render(language_line="안녕하세요 \U00013000 Please wait"))
    assert "〓" in text
    assert "안녕하세요" in text
    assert "Please wait" in text
