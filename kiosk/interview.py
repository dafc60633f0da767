"""The guided interview: walks the question tree one answer at a time."""

from __future__ import annotations

from kiosk.catalog import Question, QuestionTree


class Interview:
    """Where the visitor is in the question tree, and what they answered.

    Answers are kept in the order given, so Back returns to the previous
    question the visitor actually saw (skipped questions are never shown).
    When a path ends, the tree's ``ask_at_end`` questions follow, whatever was answered.
    """

    def __init__(self, tree: QuestionTree) -> None:
        self._tree = tree
        self._history: list[tuple[str, str]] = []
        self._current: str | None = self._first_asked(tree.start)

    @property
    def current(self) -> Question | None:
        """The question on screen, or None when the interview is finished."""
        return self._tree.questions[self._current] if self._current else None

    @property
    def finished(self) -> bool:
        return self._current is None

    @property
    def answers(self) -> dict[str, str]:
        return dict(self._history)

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
            raise ValueError("the interview is already finished")
        if choice not in question.choices:
            raise ValueError(f"{choice!r} is not a choice of question {question.id!r}")
        self._history.append((question.id, choice))
        self._current = self._first_asked(self._tree.after(question, choice))

    def back(self) -> bool:
        """Return to the previous question; False when there is none."""
        if not self._history:
            return False
        question_id, _ = self._history.pop()
        self._current = question_id
        return True

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
