"""Shared test data and PDF inspection helpers for the form tests."""

from __future__ import annotations

import subprocess

LONG_ADDRESS = (
    "北海道札幌市中央区北一条西二丁目一番地二十三号札幌中央ロイヤルパレス北一条ガーデンヒルズ"
    "南棟一二三四号室株式会社サンプル商事社員寮気付山田様方（東側通用口からお入りください）"
)
ANSWERS = {
    "move_in_from": "other_municipality",
    "household_size": "3",
    "children": "yes",
    "insurance": "national",
    "cards": "some",
}


def pdftotext(pdf: bytes, *, layout: bool = False) -> str:
    args = ["pdftotext", *(["-layout"] if layout else []), "-", "-"]
    return subprocess.run(args, input=pdf, capture_output=True, check=True).stdout.decode()


def squash(text: str) -> str:
    """Text without any whitespace: wrapped lines and spacing do not matter."""
    return "".join(text.split())
