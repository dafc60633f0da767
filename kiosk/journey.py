"""One visitor's path through a visit, without any screen: the kiosk window and the
web pages both drive it.

The order: the questions before the card step, the result (procedures, what to bring,
the counters), the card step (the card read with one PIN and checked, or no card),
the questions the card did not answer, then printing. Every call returns the
:data:`Event` that says what to show next, and hands it to ``on_event`` as well;
the front end only draws it. Device calls (reading the card, printing) stay with
the front end, which runs them where they cannot block it and reports the outcome
here (:meth:`Journey.card_read`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

from kiosk.calendar_rules import CalendarError, CalendarWarning, Where, warnings_for
from kiosk.catalog import Catalog, Question
from kiosk.config import Settings
from kiosk.guidance import Step, guidance
from kiosk.i18n import Translations
from kiosk.interview import Interview
from kiosk.person import Person, mask_individual_number
from kiosk.services import CardData
from kiosk.visit import Visit

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class QuestionShown:
    """Ask this question; ``step`` of at most ``total``."""

    question: Question
    step: int
    total: int


@dataclass(frozen=True)
class ResultShown:
    """The procedures these answers need, before the card step.

    ``number_needed_by`` names (in the visitor's language) the procedures that need the
    individual number, for the choice to have it read with the PIN; ``warnings`` are
    the calendar's (kiosk.calendar_rules) for these procedures, here and today.
    """

    steps: list[Step]
    number_needed_by: list[str]
    warnings: list[CalendarWarning] = field(default_factory=list)  # deadlines, closed days


@dataclass(frozen=True)
class CardWanted:
    """Place the card and type the PIN; ``with_number``: the My Number is read too."""

    with_number: bool


@dataclass(frozen=True)
class DetailsShown:
    """Check what the card says; the individual number only masked."""

    person: Person
    masked_number: str


@dataclass(frozen=True)
class ReadyToPrint:
    """Every question is answered: store the visit, print the forms and the ticket."""


Event = QuestionShown | ResultShown | CardWanted | DetailsShown | ReadyToPrint
_E = TypeVar("_E", QuestionShown, ResultShown, CardWanted, DetailsShown, ReadyToPrint)
Listener = Callable[[Event], None]


class Journey:
    """The visit of one visitor, from the first question to printing.

    Holds the :class:`Visit` (``visit``) and the :class:`Interview`; ``wipe`` drops
    everything personal when the visitor leaves.
    """

    def __init__(
        self,
        catalog: Catalog,
        settings: Settings,
        texts: Translations,
        *,
        on_event: Listener | None = None,
        today: Callable[[], date] = date.today,
        where: Where = "kiosk",
    ) -> None:
        self.catalog = catalog
        self.settings = settings
        self.texts = texts
        self.visit = Visit(language=texts.language)
        self.interview = Interview(catalog.tree)
        self.with_number = False  # the visitor agreed to have the My Number read
        self._on_event = on_event
        self._today = today
        self._where = where  # at the kiosk, or at home (the web): which warnings apply

    # -- the questions --------------------------------------------------------

    def start(self) -> Event:
        """The first screen of the visit."""
        return self.next()

    def replay(self, history: Sequence[tuple[str, str]]) -> Event:
        """Give these answers again, in order (a page that keeps no session, a visit
        prepared at home); ValueError when one does not fit where it falls."""
        for question_id, choice in history:
            current = self.interview.current
            if current is None or current.id != question_id:
                raise ValueError(f"the answer to {question_id!r} does not fit the questions")
            self.interview.answer(choice)
        self.visit.answers = self.interview.answers
        return self.next()

    @property
    def history(self) -> list[tuple[str, str]]:
        """The answers given before the card step, in the order given."""
        return self.interview.history_before_card

    @property
    def at_card_step(self) -> bool:
        """The questions before the card step are answered: the result comes next."""
        return self.interview.card_step_due

    def answer(self, choice: str) -> Event:
        self.interview.answer(choice)
        self.visit.answers = self.interview.answers
        return self.next()

    def back(self) -> Event | None:
        """The previous screen; None from the first question (the front end asks
        whether to start over)."""
        interview = self.interview
        if interview.back():
            self.visit.answers = interview.answers
            return self._emit(self._question_event())
        if interview.past_card_step:
            return self.back_to_card_step()
        return None

    def next(self) -> Event:
        """What comes after the answers so far: a question, the result, or printing."""
        if self.interview.current is not None:
            return self._emit(self._question_event())
        if self.interview.card_step_due:
            return self.show_result()
        return self._emit(ReadyToPrint())

    def _question_event(self) -> QuestionShown:
        interview = self.interview
        assert interview.current is not None  # noqa: S101 -- callers check
        return QuestionShown(interview.current, interview.step, interview.total)

    # -- the result and the card step -----------------------------------------

    def steps(self) -> list[Step]:
        """The procedures the answers need, in the visitor's language."""
        return guidance(self.catalog, self.settings, self.texts, self.visit.answers)

    def show_result(self) -> ResultShown:
        """The result, before the card step: what came after it is forgotten."""
        visit, interview = self.visit, self.interview
        interview.reopen_card_step()
        visit.answers = interview.answers
        visit.forget_card()
        self.with_number = False
        steps = self.steps()
        visit.procedures = [step.procedure_id for step in steps]
        needing = self.catalog.needing_individual_number(visit.procedures)
        names = [self.texts.procedure(p.id) for p in needing]
        return self._emit(ResultShown(steps, names, self.warnings()))

    def warnings(self) -> list[CalendarWarning]:
        """The calendar's warnings for the procedures (kiosk.calendar_rules), here, today."""
        return calendar_warnings(self.visit, self._today(), where=self._where)

    def choose_card(self, *, with_number: bool) -> CardWanted:
        """The visitor goes on with the card (and the My Number, when agreed)."""
        self.with_number = with_number
        return self._emit(CardWanted(with_number))

    def card_read(self, data: CardData) -> DetailsShown:
        """The card was read with the PIN: the visitor checks what it says."""
        visit = self.visit
        visit.person = data.person
        visit.used_card = True
        visit.individual_number = data.individual_number
        number = data.individual_number
        masked = mask_individual_number(number) if number else ""
        return self._emit(DetailsShown(data.person, masked))

    def forget_card(self) -> CardWanted:
        """Back from the check: the card data is dropped, the card step again."""
        self.visit.forget_card()
        return self._emit(CardWanted(self.with_number))

    def confirm_details(self, *, something_wrong: bool = False) -> Event:
        """The visitor checked the card's data ("something is wrong": staff correct it)."""
        visit = self.visit
        if visit.person is None:
            raise ValueError("there are no card details to confirm")
        visit.details_to_correct = something_wrong
        return self._card_step_done(visit.person.birth_date)

    def without_card(self) -> Event:
        """The visitor has no card, or goes on without it."""
        self.visit.forget_card()
        return self._card_step_done(None)

    def back_to_card_step(self) -> Event:
        """Back from the first question after the card: the check, or the result."""
        visit = self.visit
        self.interview.reopen_card_step()
        if visit.used_card and visit.person is not None:
            number = visit.individual_number
            masked = mask_individual_number(number) if number else ""
            return self._emit(DetailsShown(visit.person, masked))
        return self.show_result()

    def _card_step_done(self, birth_date: date | None) -> Event:
        self.interview.card_step_done(birth_date, self._today())
        self.visit.answers = self.interview.answers
        return self.next()

    # -- the end ----------------------------------------------------------------

    def wipe(self) -> None:
        """Drop every personal value: the visitor has gone."""
        self.visit.wipe()
        self.interview = Interview(self.catalog.tree)
        self.with_number = False

    def _emit(self, event: _E) -> _E:
        if self._on_event is not None:
            self._on_event(event)
        return event


def calendar_warnings(visit: Visit, today: date, *, where: Where) -> list[CalendarWarning]:
    """The calendar's warnings for a visit's procedures, counted from the moving date when
    it was typed at home; none when the ward's calendar file is broken (logged), so that
    the visit goes on without them."""
    moved_on = visit.home.moved_on if visit.home is not None else None
    try:
        return warnings_for(visit.answers, visit.procedures, today, moved_on=moved_on, where=where)
    except CalendarError as e:
        log.error("no calendar warnings: %s", e)
        return []


__all__ = [
    "CardWanted",
    "DetailsShown",
    "Event",
    "Journey",
    "QuestionShown",
    "ReadyToPrint",
    "ResultShown",
    "calendar_warnings",
]
