"""Form layouts: one TOML file per form in ``resources/forms/``, checked by pydantic.

A layout is a list of boxes placed in millimetres from the page's top-left
corner: fixed texts, label cells, value fields filled from a *source* (the card,
the answers, the settings), checkbox groups, heavier frames around groups, and a
notes box for the counter. A ``row`` places cells side by side. Ward staff edit
these files; a mistake stops with a message naming the file and the item.
The format is described for staff in docs/forms.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from kiosk.catalog import Catalog
from kiosk.resources import TomlFileError, files_in, read_toml, resource

PAGE_W, PAGE_H = 210.0, 297.0
FOOTER_TOP = 273.0  # the kiosk's own footer lies below this line
DATE_SOURCES = frozenset({"person.birth_date", "today", "home.moved_on"})
SOURCE = re.compile(
    r"^(person\.(name|name_kana|address|birth_date|sex)|ward\.(name|addressee)"
    r"|home\.(address|moved_on)|today|visit\.reference|procedure|card|answers\.[A-Za-z0-9_]+)$"
)
ID = r"^[a-z][a-z0-9_]*$"

Align = Literal["left", "center", "right"]
# A condition on the answers, as in the catalog: question id -> choice or choices
# (every key must match); ``procedure`` names the procedure the form is printed for.
# A list of conditions matches when any of them does.
Condition = dict[str, str | list[str]]
Conditions = Condition | list[Condition]


class LayoutError(ValueError):
    """A layout file is missing, not TOML, or does not describe a form."""


def matches(conditions: Conditions | None, answers: Mapping[str, str]) -> bool:
    """Whether any condition has every question answered with one of its choices.

    None always matches.
    """
    if conditions is None:
        return True
    return any(
        all(
            answers.get(question) in ([allowed] if isinstance(allowed, str) else allowed)
            for question, allowed in condition.items()
        )
        for condition in (conditions if isinstance(conditions, list) else [conditions])
    )


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Box(_Model):
    x: float = Field(ge=0)
    y: float = Field(ge=0)
    w: float = Field(gt=0)
    h: float = Field(gt=0)


def _check_source(source: str) -> str:
    if source and not SOURCE.match(source):
        raise ValueError(
            f"unknown source {source!r}: use person.name, person.name_kana, person.address, "
            "person.birth_date, person.sex, home.address, home.moved_on, ward.name, "
            "ward.addressee, today, visit.reference, procedure, card or answers.<question>"
        )
    return source


class TextItem(_Box):
    """Fixed text (a title, a declaration), fitted into its box; no border."""

    type: Literal["text"]
    text: str = Field(min_length=1)
    key: str = ""
    size: float = Field(9.0, gt=0)
    min_size: float = Field(5.0, gt=0)
    lines: int = Field(2, ge=1)
    align: Align = "left"
    bold: bool = False


class LabelItem(_Box):
    """A label cell: a box with its Japanese label (and the translation beneath)."""

    type: Literal["label"]
    text: str = Field(min_length=1)
    key: str = ""
    size: float = Field(9.0, gt=0)
    align: Align = "center"


class FieldItem(_Box):
    """A value box, filled from ``source``; left for the counter when there is none."""

    type: Literal["field"]
    id: str = Field(pattern=ID)
    name: str = ""
    source: str = ""
    caption: str = ""
    key: str = ""
    size: float = Field(12.0, gt=0)
    min_size: float = Field(8.0, gt=0)
    lines: int = Field(2, ge=1)
    align: Align = "left"
    format: Literal["wareki", "wareki_western"] = "wareki"
    map: dict[str, str] = Field(default_factory=dict)
    prefix: str = ""
    suffix: str = ""
    hint: str = ""
    needed_when: Conditions | None = None
    unknown_when: Conditions | None = None
    optional: bool = False
    border: bool = True

    _source = field_validator("source")(_check_source)

    @property
    def display_name(self) -> str:
        return self.name or self.caption or self.id


class Option(_Model):
    text: str = Field(min_length=1)
    key: str = ""
    value: list[str] = Field(default_factory=list)

    @field_validator("value", mode="before")
    @classmethod
    def _one_or_more(cls, v: object) -> object:
        return [v] if isinstance(v, str) else v


class ChecksItem(_Box):
    """Checkboxes; an option is ticked when ``source`` has one of its values."""

    type: Literal["checks"]
    id: str = Field(pattern=ID)
    name: str = ""
    source: str = ""
    options: list[Option] = Field(min_length=1)
    size: float = Field(9.0, gt=0)
    columns: int = Field(0, ge=0)
    needed_when: Conditions | None = None
    unknown_when: Conditions | None = None
    optional: bool = False

    _source = field_validator("source")(_check_source)

    @property
    def display_name(self) -> str:
        return self.name or self.id


class FrameItem(_Box):
    """A heavier outline around a group of cells."""

    type: Literal["frame"]
    weight: float = Field(1.1, gt=0)


class NoteLine(_Model):
    source: str = Field(min_length=1)
    map: dict[str, str] = Field(default_factory=dict)
    empty: str = ""

    _source = field_validator("source")(_check_source)


class NotesItem(_Box):
    """What the kiosk learnt, one line each, for the counter clerk."""

    type: Literal["notes"]
    title: str = Field(min_length=1)
    key: str = ""
    size: float = Field(9.5, gt=0)
    lines: list[NoteLine] = Field(default_factory=list)


Cell = Annotated[LabelItem | FieldItem | ChecksItem, Field(discriminator="type")]


class RowItem(_Model):
    """Cells side by side from ``x``, each ``w`` wide, all ``h`` high unless they say."""

    type: Literal["row"]
    x: float = Field(ge=0)
    y: float = Field(ge=0)
    h: float = Field(gt=0)
    cells: list[Cell] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _place_cells(cls, raw: Any) -> Any:
        """Give every cell its x, y and h before the cells are checked."""
        if not isinstance(raw, dict) or not isinstance(raw.get("cells"), list):
            return raw
        x = raw.get("x", 0)
        cells = []
        for cell in raw["cells"]:
            if isinstance(cell, dict):
                cell = {"x": x, "y": raw.get("y", 0), "h": raw.get("h", 1), **cell}
                x = x + cell.get("w", 0) if isinstance(cell.get("w"), int | float) else x
            cells.append(cell)
        return {**raw, "cells": cells}


Item = Annotated[
    TextItem | LabelItem | FieldItem | ChecksItem | FrameItem | NotesItem | RowItem,
    Field(discriminator="type"),
]
Placed = TextItem | LabelItem | FieldItem | ChecksItem | FrameItem | NotesItem


class Layout(_Model):
    title: str = Field(min_length=1)
    key: str = ""
    page: Literal["A4"] = "A4"
    items: list[Item] = Field(min_length=1)

    @property
    def placed(self) -> list[Placed]:
        """Every item with its own position, rows taken apart, in drawing order."""
        out: list[Placed] = []
        for item in self.items:
            out.extend(item.cells if isinstance(item, RowItem) else [item])
        return out

    @property
    def fields(self) -> list[FieldItem | ChecksItem]:
        return [i for i in self.placed if isinstance(i, FieldItem | ChecksItem)]

    @model_validator(mode="after")
    def _fits_and_unique(self) -> Layout:
        seen: set[str] = set()
        for item in self.placed:
            where = f"{item.type} {getattr(item, 'id', '') or getattr(item, 'text', '')!r}"
            if item.x + item.w > PAGE_W + 0.01 or item.y + item.h > FOOTER_TOP + 0.01:
                raise ValueError(
                    f"{where} reaches to x={item.x + item.w:g}, y={item.y + item.h:g} mm: "
                    f"items must stay within {PAGE_W:g} mm wide and above {FOOTER_TOP:g} mm "
                    "(the footer)"
                )
            if isinstance(item, FieldItem | ChecksItem):
                if item.id in seen:
                    raise ValueError(f"{where}: the id is used twice")
                seen.add(item.id)
        return self


def load_layout(path: Path) -> Layout:
    """Read and check one layout file; LayoutError names the file and the item."""
    try:
        raw = read_toml(path)
    except FileNotFoundError:
        raise LayoutError(f"{path}: file not found") from None
    except TomlFileError as e:
        raise LayoutError(str(e)) from None
    try:
        return Layout.model_validate(raw)
    except ValidationError as e:
        raise LayoutError(describe(e, raw, str(path))) from None


def describe(error: ValidationError, raw: Any, source: str) -> str:
    """Pydantic's errors as lines naming the item (its number, type and id) and the key."""
    lines = [f"{source} is not a valid form layout:"]
    for problem in error.errors():
        lines.append(f"  {_where(problem['loc'], raw)}: {problem['msg']}")
    return "\n".join(lines)


def _where(loc: tuple[int | str, ...], raw: Any) -> str:
    """E.g. ``item 4 (row) cell 2 (field 'name') w`` for ('items', 3, 'cells', 1, 'field', 'w')."""
    parts: list[str] = []
    node = raw
    kind = "item"
    for part in loc:
        if part in ("items", "cells") and isinstance(node, dict):
            kind = "item" if part == "items" else "cell"
            node = node.get(part)
        elif isinstance(part, int) and isinstance(node, list) and part < len(node):
            node = node[part]
            parts.append(f"{kind} {part + 1}{_describe_item(node)}")
        elif isinstance(node, dict) and node.get("type") == part:
            continue  # the union member pydantic tried: already named
        else:
            node = node.get(part) if isinstance(node, dict) else None
            parts.append(str(part))
    return " ".join(parts) or "file"


def _describe_item(node: Any) -> str:
    if not isinstance(node, dict):
        return ""
    name = node.get("id") or node.get("text") or node.get("title")
    return f" ({node.get('type', 'no type')}{f' {name!r}' if name else ''})"


def check_against_catalog(layout: Layout, catalog: Catalog) -> list[str]:
    """Sources and values that name questions, choices or procedures the catalog lacks."""
    problems: list[str] = []
    questions = catalog.tree.questions
    procedures = {p.id for p in catalog.procedures}

    def choices(source: str) -> set[str] | None:
        if source.startswith("answers."):
            question = questions.get(source.removeprefix("answers."))
            if question is None:
                problems.append(f"{source}: no such question")
                return None
            return set(question.choices)
        return procedures if source == "procedure" else None

    for item in layout.placed:
        for conditions in (getattr(item, "needed_when", None), getattr(item, "unknown_when", None)):
            for condition in conditions if isinstance(conditions, list) else [conditions or {}]:
                for key in set(condition) - set(questions) - {"procedure"}:
                    problems.append(f"{item.type} {getattr(item, 'id', '')}: no question {key!r}")
        if isinstance(item, ChecksItem):
            known = choices(item.source)
            values = {v for option in item.options for v in option.value}
            if known is not None and values - known:
                problems.append(f"checks {item.id}: unknown values {sorted(values - known)}")
        elif isinstance(item, FieldItem):
            known = choices(item.source)
            if known is not None and set(item.map) - known:
                problems.append(f"field {item.id}: map names {sorted(set(item.map) - known)}")
        elif isinstance(item, NotesItem):
            for line in item.lines:
                known = choices(line.source)
                if known is not None and set(line.map) - known:
                    problems.append(
                        f"notes {line.source}: map names {sorted(set(line.map) - known)}"
                    )
    return problems


class LayoutLibrary(Mapping[str, Layout]):
    """The layout files of a folder (default ``resources/forms/``), by form id.

    Listing reads the folder each time; a layout is read and checked on first use
    and again when its file changes.
    """

    def __init__(self, folder: Path | None = None) -> None:
        self._folder = folder
        self._cache: dict[Path, tuple[int, Layout]] = {}

    @property
    def folder(self) -> Path:
        """The folder given, else the shipped ``resources/forms/``."""
        return self._folder or resource("forms")

    def path(self, form_id: str) -> Path:
        """The layout file: in the folder given, else the ward's own or the shipped one."""
        name = f"{form_id}.toml"
        return self._folder / name if self._folder else resource("forms", name)

    def _files(self) -> list[Path]:
        return files_in(self._folder, ("forms",))

    def __iter__(self) -> Iterator[str]:
        return iter(p.stem for p in self._files())

    def __len__(self) -> int:
        return len(self._files())

    def __contains__(self, form_id: object) -> bool:
        return isinstance(form_id, str) and self.path(form_id).is_file()

    def __getitem__(self, form_id: str) -> Layout:
        path = self.path(form_id)
        try:
            stamp = path.stat().st_mtime_ns
        except FileNotFoundError:
            raise KeyError(form_id) from None
        cached = self._cache.get(path)
        if cached is None or cached[0] != stamp:
            cached = (stamp, load_layout(path))
            self._cache[path] = cached
        return cached[1]


LAYOUTS = LayoutLibrary()
"""The layouts in ``resources/forms/`` (or below ``WARD_KIOSK_RESOURCES``), the ward's own
(``kiosk.resources_dir``) winning file by file."""
