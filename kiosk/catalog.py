"""The catalog: procedures, queue categories and the question tree, read from data files.

Ward staff edit these files (``resources/catalog/``); this module reads them,
checks that they fit together, and answers "which procedures do these answers
need?". It holds no text: visitor-facing words live in ``resources/i18n/``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.card_answers import CardAnswer, CardAnswerError, parse_card_answers
from kiosk.resources import TomlFileError, files_in, read_toml, resource


class CatalogError(ValueError):
    """A catalog file is missing, malformed, or refers to something that does not exist."""


@dataclass(frozen=True)
class Condition:
    """Answers that must all match; each key accepts any of its listed choices."""

    requires: tuple[tuple[str, frozenset[str]], ...]

    @classmethod
    def parse(cls, raw: Mapping[str, Any], where: str) -> Condition:
        if not isinstance(raw, Mapping) or not raw:
            raise CatalogError(f"{where}: a condition must be a non-empty table")
        items = []
        for key, value in raw.items():
            values = [value] if isinstance(value, str) else value
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                raise CatalogError(f"{where}: {key} must be a choice or a list of choices")
            items.append((key, frozenset(values)))
        return cls(tuple(items))

    def matches(self, answers: Mapping[str, str]) -> bool:
        return all(answers.get(key) in allowed for key, allowed in self.requires)


@dataclass(frozen=True)
class BringItem:
    item: str
    when: Condition | None = None


@dataclass(frozen=True)
class Procedure:
    id: str
    order: int
    category: str
    counter: str
    forms: tuple[str, ...]
    needs_individual_number: bool
    when: tuple[Condition, ...]
    bring: tuple[BringItem, ...]

    def applies(self, answers: Mapping[str, str]) -> bool:
        return any(condition.matches(answers) for condition in self.when)

    def items_to_bring(self, answers: Mapping[str, str]) -> list[str]:
        return [b.item for b in self.bring if b.when is None or b.when.matches(answers)]


# Average minutes a counter spends on one visitor of a category, when
# categories.toml does not say; used for the estimated waiting time on tickets.
DEFAULT_SERVICE_MINUTES = 10.0


@dataclass(frozen=True)
class Category:
    id: str
    letter: str
    order: int
    service_minutes: float = DEFAULT_SERVICE_MINUTES


@dataclass(frozen=True)
class Question:
    id: str
    choices: tuple[str, ...]
    next: str | Mapping[str, str] | None
    ask_when: Condition | None = None
    after_card: bool = False  # asked after the card step (see kiosk.card_answers)
    card_answers: tuple[CardAnswer, ...] = ()

    def next_after(self, choice: str) -> str | None:
        """The next question of this path after ``choice``, or None where the path ends."""
        if isinstance(self.next, Mapping):
            return self.next.get(choice)
        return self.next


@dataclass(frozen=True)
class QuestionTree:
    start: str
    questions: Mapping[str, Question]
    # Asked in this order after every path from ``start`` has ended.
    ask_at_end: tuple[str, ...] = ()
    # Answers that make the visit's queue ticket a priority ticket (any one matching).
    priority_when: tuple[Condition, ...] = ()

    def after(self, question: Question, choice: str) -> str | None:
        """The question asked after ``choice``, or None when the interview ends."""
        target = question.next_after(choice)
        if target is not None:
            return target
        if question.id in self.ask_at_end:
            index = self.ask_at_end.index(question.id) + 1
            return self.ask_at_end[index] if index < len(self.ask_at_end) else None
        return self.ask_at_end[0] if self.ask_at_end else None

    def priority(self, answers: Mapping[str, str]) -> bool:
        """Whether these answers make the visit's ticket a priority ticket."""
        return any(condition.matches(answers) for condition in self.priority_when)


@dataclass(frozen=True)
class Catalog:
    procedures: tuple[Procedure, ...]  # in `order`
    categories: Mapping[str, Category]
    tree: QuestionTree

    @classmethod
    def load(cls, folder: Path | None = None) -> Catalog:
        """Read and cross-check the catalog files in ``folder`` (default: resources/catalog,
        the ward's own files winning over the shipped ones)."""

        def file(*parts: str) -> Path:
            return folder.joinpath(*parts) if folder else resource("catalog", *parts)

        tree = _load_tree(file("questions.toml"))
        categories = _load_categories(file("categories.toml"))
        procedures = _load_procedures(
            files_in(folder and folder / "procedures", ("catalog", "procedures")),
            file("procedures"),
        )
        catalog = cls(procedures, categories, tree)
        _check(catalog)
        return catalog

    def procedure(self, procedure_id: str) -> Procedure:
        for procedure in self.procedures:
            if procedure.id == procedure_id:
                return procedure
        raise KeyError(procedure_id)

    def procedures_for(self, answers: Mapping[str, str]) -> list[Procedure]:
        """The procedures these answers need, in the order the visitor should do them."""
        return [p for p in self.procedures if p.applies(answers)]

    def ticket_category(self, procedures: list[Procedure]) -> Category:
        """The queue a visit with these procedures starts in."""
        if not procedures:
            raise ValueError("a visit without procedures gets no ticket")
        return min((self.categories[p.category] for p in procedures), key=lambda c: c.order)

    def priority_for(self, answers: Mapping[str, str]) -> bool:
        """Whether the visit's queue ticket is a priority ticket (pregnancy, disability...)."""
        return self.tree.priority(answers)

    def needing_individual_number(self, procedure_ids: list[str]) -> list[Procedure]:
        """Those of these procedures that legally need the My Number."""
        return [p for p in map(self.procedure, procedure_ids) if p.needs_individual_number]

    def counters(self) -> set[str]:
        return {p.counter for p in self.procedures}


def _read(path: Path) -> dict[str, Any]:
    try:
        return read_toml(path)
    except FileNotFoundError as e:
        raise CatalogError(f"{path}: file not found") from e
    except OSError as e:  # e.g. a ward's file the kiosk's account may not read
        raise CatalogError(f"{path}: cannot be read ({e.strerror}): check its rights") from None
    except TomlFileError as e:
        raise CatalogError(str(e)) from None


def _load_tree(path: Path) -> QuestionTree:
    raw = _read(path)
    questions = {}
    for qid, q in raw.get("questions", {}).items():
        where = f"{path}: question {qid}"
        choices = q.get("choices")
        if not isinstance(choices, list) or not choices:
            raise CatalogError(f"{where}: needs a non-empty list of choices")
        ask_when = Condition.parse(q["ask_when"], where) if "ask_when" in q else None
        try:
            card = parse_card_answers(q.get("card_answers", {}), choices, where)
        except CardAnswerError as e:
            raise CatalogError(str(e)) from None
        after_card = bool(q.get("after_card", False))
        if card and not after_card:
            raise CatalogError(f"{where}: card_answers needs after_card = true")
        questions[qid] = Question(qid, tuple(choices), q.get("next"), ask_when, after_card, card)
    if "start" not in raw:
        raise CatalogError(f"{path}: `start` names the first question")
    return QuestionTree(
        raw["start"],
        questions,
        _names(raw.get("ask_at_end", []), f"{path}: ask_at_end"),
        _conditions(raw.get("priority_when", []), f"{path}: priority_when"),
    )


def _names(raw: Any, where: str) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(name, str) for name in raw):
        raise CatalogError(f"{where} must be a list of question names")
    if len(set(raw)) != len(raw):
        raise CatalogError(f"{where} names a question twice")
    return tuple(raw)


def _conditions(raw: Any, where: str) -> tuple[Condition, ...]:
    if not isinstance(raw, list):
        raise CatalogError(f"{where} must be a list of conditions, like a procedure's `when`")
    return tuple(Condition.parse(c, where) for c in raw)


def _load_categories(path: Path) -> dict[str, Category]:
    raw = _read(path).get("categories", {})
    try:
        return {cid: _load_category(cid, c, str(path)) for cid, c in raw.items()}
    except KeyError as e:
        raise CatalogError(f"{path}: every category needs {e.args[0]}") from e


def _load_category(cid: str, raw: Mapping[str, Any], where: str) -> Category:
    minutes = raw.get("service_minutes", DEFAULT_SERVICE_MINUTES)
    if isinstance(minutes, bool) or not isinstance(minutes, int | float) or not 0 < minutes <= 480:
        raise CatalogError(
            f"{where}: category {cid}: service_minutes must be a number of minutes above 0 "
            f"(at most 480), not {minutes!r}"
        )
    return Category(cid, str(raw["letter"]), int(raw["order"]), float(minutes))


def _load_procedures(files: list[Path], folder: Path) -> tuple[Procedure, ...]:
    if not files:
        raise CatalogError(f"{folder}: no procedure files")
    procedures = [_load_procedure(path) for path in files]
    return tuple(sorted(procedures, key=lambda p: (p.order, p.id)))


def _load_procedure(path: Path) -> Procedure:
    raw = _read(path)
    where = str(path)
    try:
        when = tuple(Condition.parse(c, f"{where}: when") for c in raw["when"])
        bring = tuple(
            BringItem(b["item"], Condition.parse(b["when"], where) if "when" in b else None)
            for b in raw.get("bring", [])
        )
        return Procedure(
            id=path.stem,
            order=int(raw["order"]),
            category=str(raw["category"]),
            counter=str(raw["counter"]),
            forms=tuple(raw.get("forms", [])),
            needs_individual_number=bool(raw.get("needs_individual_number", False)),
            when=when,
            bring=bring,
        )
    except KeyError as e:
        raise CatalogError(f"{where}: missing key {e.args[0]}") from e


def _check(catalog: Catalog) -> None:
    """Every reference between the files points at something that exists."""
    questions = catalog.tree.questions
    if catalog.tree.start not in questions:
        raise CatalogError(f"questions.toml: start question {catalog.tree.start!r} is not defined")
    for q in questions.values():
        _check_question(q, questions)
    _check_acyclic(catalog.tree)
    _check_end(catalog.tree)
    priority_keys = {key for c in catalog.tree.priority_when for key, _ in c.requires}
    # Procedures are shown before the card step: no question asked after it may decide them.
    priority_keys |= {q.id for q in questions.values() if q.after_card}
    for p in catalog.procedures:
        where = f"procedures/{p.id}.toml"
        if p.category not in catalog.categories:
            raise CatalogError(f"{where}: unknown category {p.category!r}")
        conditions = [*p.when, *(b.when for b in p.bring if b.when)]
        for condition in conditions:
            _check_condition(condition, questions, where)
            shared = priority_keys & {key for key, _ in condition.requires}
            if shared:
                raise CatalogError(
                    f"{where}: a rule uses {sorted(shared)}, which decides priority tickets or is "
                    "asked after the card; it must not decide procedures or what to bring "
                    "(remove it from the rule)"
                )


def _check_question(q: Question, questions: Mapping[str, Question]) -> None:
    where = f"questions.toml: question {q.id}"
    targets = q.next.items() if isinstance(q.next, Mapping) else [("", q.next)]
    for choice, target in targets:
        if choice and choice not in q.choices:
            raise CatalogError(f"{where}: next names unknown choice {choice!r}")
        if target is not None and target not in questions:
            raise CatalogError(f"{where}: next question {target!r} is not defined")
    if q.ask_when is not None:
        if isinstance(q.next, Mapping):
            raise CatalogError(f"{where}: a question with ask_when needs a single `next`")
        _check_condition(q.ask_when, questions, where)


def _check_end(tree: QuestionTree) -> None:
    """Questions asked at the end exist, come after every path, and only there."""
    for qid in tree.ask_at_end:
        where = f"questions.toml: ask_at_end question {qid!r}"
        if qid not in tree.questions:
            raise CatalogError(f"{where} is not defined")
        if tree.questions[qid].next is not None:
            raise CatalogError(f"{where} must have no `next`: ask_at_end gives the order")
        if qid == tree.start or any(qid in _targets(q) for q in tree.questions.values()):
            raise CatalogError(f"{where} is also asked inside a path; remove it from `next`")
    for condition in tree.priority_when:
        _check_condition(condition, tree.questions, "questions.toml: priority_when")
    after_card = [qid for qid in tree.ask_at_end if tree.questions[qid].after_card]
    if tree.ask_at_end[len(tree.ask_at_end) - len(after_card) :] != tuple(after_card):
        raise CatalogError("questions.toml: after_card questions must come last in ask_at_end")
    stray = [q.id for q in tree.questions.values() if q.after_card and q.id not in after_card]
    if stray:
        raise CatalogError(f"questions.toml: after_card question(s) {stray} must be in ask_at_end")


def _targets(q: Question) -> set[str]:
    targets = q.next.values() if isinstance(q.next, Mapping) else [q.next]
    return {t for t in targets if t is not None}


def _check_acyclic(tree: QuestionTree) -> None:
    """The interview must always end: no question may lead back to itself."""

    def visit(qid: str, path: tuple[str, ...]) -> None:
        if qid in path:
            raise CatalogError(f"questions.toml: the questions loop: {' -> '.join((*path, qid))}")
        for target in _targets(tree.questions[qid]):
            visit(target, (*path, qid))

    visit(tree.start, ())


def _check_condition(condition: Condition, questions: Mapping[str, Question], where: str) -> None:
    for key, allowed in condition.requires:
        if key not in questions:
            raise CatalogError(f"{where}: condition on unknown question {key!r}")
        unknown = allowed - set(questions[key].choices)
        if unknown:
            raise CatalogError(f"{where}: {key} has no choice {sorted(unknown)}")
