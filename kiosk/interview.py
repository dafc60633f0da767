"""The guided interview: walks the question tree one answer at a time."""

from __future__ import annotations

from datetime import date

from kiosk.card_answers import answer_from_card
from kiosk.catalog import Question, QuestionTree


class Interview:
    """Where the visitor is in the question tree, and what they answered.

    Answers are kept in the order given, so Back returns to the previous
    question the visitor actually saw (skipped questions are never shown).
    When a path ends, the tree's ``ask_at_end`` questions follow, whatever was answered.
    Questions marked ``after_card`` wait for :meth:`card_step_done`: until then the
    interview looks finished, and the card may answer them (see kiosk.card_answers).
    """

    def __init__(self, tree: QuestionTree) -> None:
        self._tree = tree
        self._history: list[tuple[str, str]] = []
        self._from_card: dict[str, str] = {}
        self._card_done = False
        self._before_card = 0  # answers given before the card step
        self._current: str | None = self._first_asked(tree.start)

    @property
    def current(self) -> Question | None:
        """The question on screen, or None when there is none to ask now."""
        if self._current is None:
            return None
        question = self._tree.questions[self._current]
        return None if question.after_card and not self._card_done else question

    @property
    def finished(self) -> bool:
        return self.current is None

    @property
    def card_step_due(self) -> bool:
        """The questions before the card are answered; the card step comes next."""
        return not self._card_done and self.current is None

    @property
    def past_card_step(self) -> bool:
        """The card step is done: the questions now shown come after it."""
        return self._card_done

    @property
    def answers(self) -> dict[str, str]:
        return dict(self._history) | self._from_card

    @property
    def history_before_card(self) -> list[tuple[str, str]]:
        """The answers given before the card step, in the order given (question, choice)."""
        given = self._history[: self._before_card] if self._card_done else self._history
        return list(given)

    @property
    def step(self) -> int:
        """1 for the first question shown, 2 for the second, and so on."""
        return len(self._history) + 1

    @property
    def total(self) -> int:
        """How many questions this visit has at most: those answered, and the longest way on."""
        return len(self._history) + self._longest_from(self._current, self.answers)

    def _longest_from(self, question_id: str | None, answers: dict[str, str]) -> int:
        question_id = self._asked_from(question_id, answers)
        if question_id is None:
            return 0
        question = self._tree.questions[question_id]
        return 1 + max(
            self._longest_from(self._tree.after(question, choice), answers | {question_id: choice})
            for choice in question.choices
        )

    def answer(self, choice: str) -> None:
        question = self.current
        if question is None:
            raise ValueError("there is no question to answer now")
        if choice not in question.choices:
            raise ValueError(f"{choice!r} is not a choice of question {question.id!r}")
        self._history.append((question.id, choice))
        self._current = self._first_asked(self._tree.after(question, choice))

    def back(self) -> bool:
        """Return to the previous question; False when there is none on this side of
        the card step (the window then shows the screen before it)."""
        floor = self._before_card if self._card_done else 0
        if len(self._history) <= floor:
            return False
        question_id, _ = self._history.pop()
        self._current = question_id
        return True

    def card_step_done(self, birth_date: date | None, today: date) -> None:
        """The card was read (``birth_date`` from it) or the visitor went on without it:
        the questions after the card follow, those the card answers taken from it."""
        if self._card_done:
            self.reopen_card_step()
        self._card_done = True
        self._before_card = len(self._history)
        current = self._current
        while current is not None:
            question = self._tree.questions[current]
            taken = answer_from_card(question.card_answers, birth_date, today)
            if taken is None:
                break
            self._from_card[current] = taken
            current = self._first_asked(self._tree.after(question, taken))
        self._current = current

    def reopen_card_step(self) -> None:
        """The visitor went back before the card step: forget what came after it."""
        if not self._card_done:
            return
        self._card_done = False
        first_after = next(iter(self._from_card), None)
        if len(self._history) > self._before_card:
            first_after = self._history[self._before_card][0]
        del self._history[self._before_card :]
        self._from_card.clear()
        if first_after is not None:
            self._current = first_after

    def _first_asked(self, question_id: str | None) -> str | None:
        """Skip forward over questions whose ``ask_when`` does not match the answers."""
        return self._asked_from(question_id, self.answers)

    def _asked_from(self, question_id: str | None, answers: dict[str, str]) -> str | None:
        while question_id is not None:
            question = self._tree.questions[question_id]
            if question.ask_when is None or question.ask_when.matches(answers):
                return question_id
            question_id = self._tree.after(question, "")
        return None
