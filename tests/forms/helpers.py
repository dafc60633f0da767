"""Shared test data and PDF inspection helpers for the form tests."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

from kiosk.card.virtual.persona import load_persona
from kiosk.catalog import Catalog
from kiosk.config import Settings
from kiosk.forms.documents import Document, render_form
from kiosk.i18n import Translations
from kiosk.person import Person
from kiosk.resources import resource

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "forms"
TODAY = date(2026, 11, 22)
LONG_ADDRESS = (
    "北海道札幌市中央区北一条西二丁目一番地二十三号札幌中央ロイヤルパレス北一条ガーデンヒルズ"
    "南棟一二三四号室株式会社サンプル商事社員寮気付山田様方（東側通用口からお入りください）"
)
LONG_NAME = "ジョナサン・アレクサンダー・クリストファー・山田・ウィリアムズ 花子"
ANSWERS = {
    "purpose": "move_in",
    "move_in_from": "other_municipality",
    "household_size": "3",
    "children": "yes",
    "insurance": "national",
    "cards": "some",
}
# Answers that lead to each procedure (the catalog's `when` rules).
ANSWERS_FOR = {
    "tennyu": ANSWERS,
    "tenkyo": {"purpose": "move_within", "household_size": "2", "cards": "all"},
    "tenshutsu": {
        "purpose": "move_out",
        "move_out_to": "other_municipality",
        "move_out_insurance": "national",
    },
    "juminhyo": {"purpose": "certificate", "certificate_kind": "juminhyo"},
    "inkan_register": {"purpose": "certificate", "certificate_kind": "inkan_register"},
    "inkan_cert": {"purpose": "certificate", "certificate_kind": "inkan_cert"},
    "nhi_enroll": {"purpose": "health_insurance", "insurance_change": "join"},
    "nhi_withdraw": {"purpose": "health_insurance", "insurance_change": "leave"},
    "child_allowance": {"purpose": "child_allowance", "allowance_status": "not_receiving"},
    "child_allowance_change": {"purpose": "child_allowance", "allowance_status": "receiving"},
    "shussei": {"purpose": "birth", "birth_insurance": "national", "allowance_status": "receiving"},
}


def personas() -> dict[str, Person | None]:
    """The card data the forms are tried with; None is a visit without a card."""
    demo = load_persona(resource("personas", "demo.toml")).person
    return {
        "demo": demo,
        "long": Person(LONG_NAME, LONG_ADDRESS, date(1950, 1, 31), "male", "ヤマダ ハナコ"),
        "rare_kanji": load_persona(resource("personas", "rare_kanji.toml")).person,
        "gaiji": load_persona(resource("personas", "gaiji.toml")).person,
        "no_card": None,
    }


def procedures_with_forms() -> list[str]:
    return [p.id for p in Catalog.load().procedures if p.forms]


def render(
    procedure: str,
    person: Person | None,
    answers: dict[str, str] | None = None,
    language: str = "ja",
    settings: Settings | None = None,
) -> Document:
    return render_form(
        procedure,
        person,
        ANSWERS_FOR[procedure] if answers is None else answers,
        settings=settings or Settings(),
        catalog=Catalog.load(),
        texts=Translations.load(language),
        today=TODAY,
        reference="7K2Q9",
    )


def pdftotext(pdf: bytes, *, layout: bool = False, raw: bool = False) -> str:
    """The PDF's text; ``raw`` keeps the order it was drawn in (wrapped lines together)."""
    args = ["pdftotext", *(["-layout"] if layout else []), *(["-raw"] if raw else []), "-", "-"]
    return subprocess.run(args, input=pdf, capture_output=True, check=True).stdout.decode()


def squash(text: str) -> str:
    """Text without any whitespace: wrapped lines and spacing do not matter."""
    return "".join(text.split())


def save_png(pdf: bytes, name: str, *, resolution: int = 60) -> list[Path]:
    """Every page as ``artifacts/forms/<name>[-N].png``; returns the files."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    source = ARTIFACTS / f"{name}.pdf"
    source.write_bytes(pdf)
    for old in ARTIFACTS.glob(f"{name}-*.png"):
        old.unlink()
    subprocess.run(
        ["pdftoppm", "-r", str(resolution), "-png", str(source), str(ARTIFACTS / name)],
        check=True,
    )
    source.unlink()
    return sorted(ARTIFACTS.glob(f"{name}-*.png"))
