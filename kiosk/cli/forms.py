"""``ward-kiosk forms``: list the procedures' forms, render one form from a JSON file."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Literal

import click
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kiosk.catalog import Catalog, CatalogError
from kiosk.cli.common import config_option, settings_from
from kiosk.person import Person


class _PersonJson(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    name_kana: str = ""
    address: str = Field(min_length=1)
    birth_date: date
    sex: Literal["male", "female", "not_applicable"]


class _FormJson(BaseModel):
    """``{"person": {...} or null, "answers": {question: choice}}``."""

    model_config = ConfigDict(extra="forbid")

    person: _PersonJson | None = None
    answers: dict[str, str] = Field(default_factory=dict)

    def to_person(self) -> Person | None:
        if self.person is None:
            return None
        return Person(**self.person.model_dump())


@click.group()
def forms() -> None:
    """The application forms: which procedure prints which, and rendering one."""


@forms.command("list")
@config_option
def forms_list(config_file: Path | None) -> None:
    """Print JSON: every procedure and its forms (each layout file is checked)."""
    from kiosk.forms.layout import LAYOUTS, LayoutError, check_against_catalog

    settings_from(config_file)
    try:
        catalog = Catalog.load()
        layouts = {form_id: LAYOUTS[form_id] for form_id in LAYOUTS}
    except (CatalogError, LayoutError) as e:
        raise click.ClickException(str(e)) from None
    problems = [
        f"{form_id}: {problem}"
        for form_id, layout in layouts.items()
        for problem in check_against_catalog(layout, catalog)
    ]
    if problems:
        raise click.ClickException(
            "form layouts do not fit the catalog:\n  " + "\n  ".join(problems)
        )
    procedures = [
        {
            "id": procedure.id,
            "forms": [
                {
                    "id": form_id,
                    "title": layouts[form_id].title if form_id in layouts else None,
                    "file": str(LAYOUTS.path(form_id)),
                }
                for form_id in procedure.forms
            ],
        }
        for procedure in catalog.procedures
    ]
    click.echo(json.dumps({"procedures": procedures}, ensure_ascii=False, indent=2))


@forms.command("render")
@config_option
@click.option("--procedure", "procedure_id", required=True, help="Procedure id (`forms list`).")
@click.option(
    "--data",
    "data_file",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help='JSON: {"person": {"name", "name_kana", "address", "birth_date", "sex"}, "answers": {}}',
)
@click.option("--lang", "language", default="ja", show_default=True, help="Visitor's language.")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def forms_render(
    config_file: Path | None, procedure_id: str, data_file: Path, language: str, out: Path
) -> None:
    """Render the procedure's form, filled from a JSON file, as PDF."""
    from kiosk.forms.documents import render_form
    from kiosk.forms.layout import LayoutError
    from kiosk.i18n import TranslationError, Translations

    settings = settings_from(config_file)
    catalog = Catalog.load()
    data = _read_data(data_file)
    _check_answers(data.answers, catalog)
    try:
        texts = Translations.load(language)
        document = render_form(
            _procedure(catalog, procedure_id),
            data.to_person(),
            data.answers,
            settings=settings,
            catalog=catalog,
            texts=texts,
            today=date.today(),
        )
    except (LayoutError, TranslationError) as e:
        raise click.ClickException(str(e)) from None
    out.write_bytes(document.pdf)
    flags = [{"form": f.form, "field": f.field, "missing": f.missing} for f in document.flags]
    summary = {"out": str(out), "forms": list(document.forms), "flags": flags}
    click.echo(json.dumps(summary, ensure_ascii=False))


def _read_data(path: Path) -> _FormJson:
    try:
        return _FormJson.model_validate_json(path.read_bytes())
    except ValidationError as e:
        lines = [f"{path} does not fit the form data format:"]
        for error in e.errors():
            where = ".".join(str(part) for part in error["loc"]) or "file"
            lines.append(f"  {where}: {error['msg']}")
        raise click.ClickException("\n".join(lines)) from None


def _check_answers(answers: dict[str, str], catalog: Catalog) -> None:
    questions = catalog.tree.questions
    for question, choice in answers.items():
        if question not in questions:
            raise click.ClickException(f"answers.{question}: no such question in the catalog")
        if choice not in questions[question].choices:
            known = ", ".join(questions[question].choices)
            raise click.ClickException(f"answers.{question}: {choice!r} is not one of {known}")


def _procedure(catalog: Catalog, procedure_id: str) -> str:
    known = [p.id for p in catalog.procedures]
    if procedure_id not in known:
        raise click.ClickException(f"no procedure {procedure_id!r}; known: {', '.join(known)}")
    if not catalog.procedure(procedure_id).forms:
        raise click.ClickException(f"procedure {procedure_id!r} has no form (its `forms` is empty)")
    return procedure_id
