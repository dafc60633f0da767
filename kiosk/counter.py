"""The counter's side of a visit: call tickets, open what the visitor entered, correct, reprint.

Qt-free and blocking (the counter app calls it from worker threads). Every method takes
the signed-in staff ``Session`` and first reads the member again from the database
(``kiosk.staff.current_member``): a member deactivated, demoted or past the session's
maximum length is refused at the next action. A visit opens for the counter whose ticket
it is today, otherwise only with a reason (``kiosk.counter_access``); every look at a
visit's card data is written to the access log before the data is returned.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Protocol

from kiosk.config import ConfigError
from kiosk.context import KioskContext
from kiosk.counter_access import Access, visit_access
from kiosk.i18n import Translations, available_languages, language_name
from kiosk.person import MAX_TEXT_LENGTH, Person, mask_individual_number, text_fault
from kiosk.printing import JobOutcome
from kiosk.queue import QueueService
from kiosk.staff import NotAllowed, Session, StaffMember, current_member
from kiosk.storage import QueueTicket, Store, TicketNotFound, counter_queries
from kiosk.visit import Visit
from kiosk.wareki import to_wareki

log = logging.getLogger(__name__)

CORRECTABLE = ("name", "name_kana", "address", "birth_date", "sex")
SEXES = ("male", "female", "not_applicable")
TICKET_ACTIONS = ("call_again", "start", "done", "no_show")


class Reprint(Protocol):
    """Prints a stored visit's forms again (``Checkout.reprint``)."""

    def __call__(self, reference: str, *, actor: str) -> JobOutcome: ...


class CorrectionRefused(ValueError):
    """A corrected value cannot be stored; ``reason`` names why (never the value)."""

    code = "correction_refused"

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason  # a key of counter.toml's [errors.correction]


@dataclass(frozen=True)
class ProcedureLine:
    procedure_id: str
    name: str
    counter: str
    bring: tuple[str, ...]
    needs_individual_number: bool


@dataclass(frozen=True)
class AnswerLine:
    question_id: str
    question: str
    answer: str


@dataclass(frozen=True)
class VisitView:
    """A stored visit as the counter shows it, in the staff's language."""

    reference: str
    language: str  # the visitor's language, by its own name
    started_at: datetime
    used_card: bool
    procedures: tuple[ProcedureLine, ...]
    answers: tuple[AnswerLine, ...]
    person: Person | None = None
    birth_date_text: str = ""  # 和暦 with the western year
    number: str | None = None  # masked, unless revealed
    number_revealed: bool = False
    ticket_code: str | None = None
    details_to_correct: bool = False  # the visitor said the card details shown are wrong

    @property
    def has_number(self) -> bool:
        return self.number is not None


class CounterDesk:
    """The work of one counter PC, over the shared database."""

    def __init__(
        self,
        context: KioskContext,
        store: Store,
        queue: QueueService,
        reprint: Reprint,
        *,
        language: str = "ja",
    ) -> None:
        self.context = context
        self.store = store
        self.queue = queue
        self._reprint = reprint
        self.texts = Translations.load(language)

    # -- the queue --------------------------------------------------------------

    def counters(self) -> list[str]:
        """The counters that call tickets, by their number on the signs."""
        known = self.context.catalog.counters()
        settings = self.context.settings.counters
        return sorted(known, key=lambda c: (settings[c].sign_key(), c))

    def counter_label(self, counter: str) -> str:
        number = self.context.settings.counters[counter].number
        return self.texts.text("ui.counter.label", number=number, name=self._counter_name(counter))

    def waiting(self, session: Session, counter: str) -> list[QueueTicket]:
        """Today's tickets waiting for ``counter``, in the order "call next" calls them."""
        self.member(session)
        return self.queue.call_order(counter)

    def call_next(self, session: Session, counter: str) -> QueueTicket | None:
        self.member(session)
        return self.queue.call_next(counter)

    def call_code(self, session: Session, code: str, counter: str) -> QueueTicket:
        """Call today's ticket ``code`` out of turn (it must be waiting or a no-show)."""
        self.member(session)
        ticket = self.store.find_ticket(code)
        return self.queue.call_ticket(ticket.id, counter)

    def call_ticket(self, session: Session, ticket_id: int, counter: str) -> QueueTicket:
        self.member(session)
        return self.queue.call_ticket(ticket_id, counter)

    def change(self, session: Session, action: str, ticket_id: int, counter: str) -> QueueTicket:
        """``action`` (call_again, start, done, no_show) on the counter's current ticket."""
        if action not in TICKET_ACTIONS:
            raise ValueError(f"unknown ticket action {action!r}; one of {TICKET_ACTIONS}")
        self.member(session)
        change: Callable[[int, str], QueueTicket] = getattr(self.queue, action)
        return change(ticket_id, counter)

    def transfer(
        self, session: Session, ticket_id: int, category: str, counter: str
    ) -> QueueTicket:
        """Send the visitor on to ``category``; returns the new ticket."""
        self.member(session)
        return self.queue.transfer(ticket_id, category, counter)

    def set_priority(
        self, session: Session, ticket_id: int, priority: bool, counter: str
    ) -> QueueTicket:
        """Staff's decision that a waiting visitor goes first (or not)."""
        member = self.member(session)
        ticket = self.store.set_ticket_priority(ticket_id, priority, counter=counter)
        log.info("ticket %s priority %s by %s", ticket.code, priority, member.staff_id)
        return ticket

    # -- the visit ----------------------------------------------------------------

    def visit_reference(self, ticket: QueueTicket) -> str | None:
        return self.store.visit_reference_of_ticket(ticket.id)

    def visit_reference_of_token(self, token: str) -> str:
        """The visit of the ticket whose phone page URL was scanned (see ``parse_scan``);
        TicketNotFound when no ticket of a visit has ``token``."""
        with self.store.transaction() as db:
            reference = counter_queries.visit_reference_of_token(db, token)
        if reference is None:
            raise TicketNotFound("No ticket has this phone page URL: scan its visit's cover page.")
        return reference

    def open_visit(
        self, session: Session, reference: str, *, via: str, counter: str, reason: str = ""
    ) -> VisitView:
        """The visit with its card data decrypted, the number masked; logged first.

        ReasonRequired (nothing read or logged) unless it is ``counter``'s visit today
        or a ``reason`` is given; the reason is logged with the view.
        """
        member, access = self._access(session, reference, counter, reason)
        self._log(member, "visit_viewed", reference, access.detail(f"via={via}"))
        visit = self.store.load_visit(reference)
        return self._view(visit)

    def reveal_number(
        self, session: Session, reference: str, *, counter: str, reason: str = ""
    ) -> VisitView:
        """The visit with its individual number in full: supervisors only (as the database
        says now), logged first."""
        member, access = self._access(session, reference, counter, reason)
        if not member.is_supervisor:
            raise NotAllowed("Only a supervisor can show the individual number in full.")
        self._log(member, "individual_number_revealed", reference, access.detail())
        visit = self.store.load_visit(reference)
        return self._view(visit, reveal=True)

    def correct(
        self,
        session: Session,
        reference: str,
        field: str,
        value: str,
        *,
        counter: str,
        reason: str = "",
    ) -> VisitView:
        """Correct one item of the card data (e.g. add the フリガナ the card lacks)."""
        member, access = self._access(session, reference, counter, reason)
        visit = self.store.load_visit(reference)
        if visit.person is None:
            raise CorrectionRefused(
                "no_card_data",
                "This visit holds no card data (none was read, or it was deleted after "
                "the retention period): fill the form in by hand.",
            )
        person = corrected(visit.person, field, value)
        self._log(member, "visit_corrected", reference, access.detail(f"field={field}"))
        self.store.correct_person(reference, person)
        visit.person = person
        return self._view(visit)

    def reprint(
        self, session: Session, reference: str, *, counter: str, reason: str = ""
    ) -> JobOutcome:
        """Print the cover page and forms again (with any corrections), and follow the job."""
        member, access = self._access(session, reference, counter, reason)
        if access.why:  # the reprint's own log entry has no room for the reason
            self._log(member, "forms_reprint_requested", reference, access.detail())
        return self._reprint(reference, actor=member.actor)

    # -- checks -----------------------------------------------------------------------

    def member(self, session: Session) -> StaffMember:
        """The member as the database has them now; SessionEnded otherwise."""
        return current_member(self.store, session)

    def _access(
        self, session: Session, reference: str, counter: str, reason: str
    ) -> tuple[StaffMember, Access]:
        member = self.member(session)
        return member, visit_access(
            self.store, reference, self.queue.categories_of(counter), reason
        )

    def _log(self, member: StaffMember, action: str, reference: str, detail: str) -> None:
        self.store.log_access(
            actor=member.actor, action=action, visit_reference=reference, detail=detail
        )

    # -- building the view ------------------------------------------------------------

    def _view(self, visit: Visit, *, reveal: bool = False) -> VisitView:
        number = visit.individual_number
        person = visit.person
        return VisitView(
            reference=visit.reference,
            language=self.language_name(visit.language),
            started_at=visit.started_at,
            used_card=visit.used_card,
            procedures=tuple(self.procedure_lines(visit.procedures, visit.answers)),
            answers=tuple(self.answer_lines(visit.answers)),
            person=person,
            birth_date_text=_birth_date_text(person.birth_date) if person else "",
            number=(number if reveal else mask_individual_number(number)) if number else None,
            number_revealed=reveal and number is not None,
            ticket_code=visit.ticket.code if visit.ticket else None,
            details_to_correct=visit.details_to_correct,
        )

    def procedure_lines(
        self, procedures: Sequence[str], answers: Mapping[str, str]
    ) -> list[ProcedureLine]:
        lines = []
        for pid in procedures:
            try:
                procedure = self.context.catalog.procedure(pid)
            except KeyError:  # the catalog changed since the visit: show the id
                lines.append(ProcedureLine(pid, pid, "", (), False))
                continue
            lines.append(
                ProcedureLine(
                    procedure_id=pid,
                    name=_text_or(self.texts.procedure, pid),
                    counter=self.counter_label(procedure.counter),
                    bring=tuple(
                        _text_or(self.texts.item, item)
                        for item in procedure.items_to_bring(answers)
                    ),
                    needs_individual_number=procedure.needs_individual_number,
                )
            )
        return lines

    def answer_lines(self, answers: Mapping[str, str]) -> list[AnswerLine]:
        return [
            AnswerLine(
                question_id=qid,
                question=_text_or(self.texts.question, qid),
                answer=_text_or(functools.partial(self.texts.choice, qid), choice),
            )
            for qid, choice in answers.items()
        ]

    def language_name(self, code: str) -> str:
        """The visitor's language as staff know it (CLDR): ベトナム語, やさしい日本語."""
        return language_name(code, self.texts.language)

    def _counter_name(self, counter: str) -> str:
        return _text_or(lambda c: self.texts.text(f"catalog.counters.{c}"), counter)


def check_settings(context: KioskContext) -> None:
    """ConfigError unless ``[counter_app]`` names a known counter and an available language."""
    app = context.settings.counter_app
    if app.counter and app.counter not in context.catalog.counters():
        known = ", ".join(sorted(context.catalog.counters()))
        raise ConfigError(
            f"[counter_app] counter = {app.counter!r} is not a counter; known: {known}"
        )
    if app.language not in available_languages():
        known = ", ".join(available_languages())
        raise ConfigError(
            f"[counter_app] language = {app.language!r} has no texts in resources/i18n; "
            f"known: {known}"
        )


def corrected(person: Person, field: str, value: str) -> Person:
    """``person`` with one item replaced; CorrectionRefused for a value that cannot be."""
    if field not in CORRECTABLE:
        raise CorrectionRefused("field", f"{field!r} cannot be corrected; one of {CORRECTABLE}")
    value = value.strip()
    if field == "birth_date":
        try:
            born = date.fromisoformat(value)
        except ValueError:
            raise CorrectionRefused(
                "birth_date_format", "Write the birth date as YYYY-MM-DD."
            ) from None
        if not date(1868, 1, 1) <= born <= date.today():
            raise CorrectionRefused("birth_date_range", "Not a possible date of birth.")
        return replace(person, birth_date=born)
    if field == "sex":
        if value not in SEXES:
            raise CorrectionRefused("sex", f"Sex must be one of {', '.join(SEXES)}.")
        return replace(person, sex=value)  # type: ignore[arg-type]  # checked just above
    if not value and field != "name_kana":
        raise CorrectionRefused("empty", "This item cannot be empty.")
    if text_fault(field, value) is not None:  # the rule for text read from a card too
        raise CorrectionRefused(
            "too_long",
            f"At most {MAX_TEXT_LENGTH[field]} characters, on one line, without control"
            " characters.",
        )
    if field == "name":
        return replace(person, name=value)
    if field == "name_kana":
        return replace(person, name_kana=value)
    return replace(person, address=value)


def _text_or(lookup: Callable[[str], str], key: str) -> str:
    """The text for ``key``, or the key itself when the catalog no longer has it."""
    try:
        return lookup(key)
    except KeyError:
        return key


def _birth_date_text(born: date) -> str:
    try:
        return f"{to_wareki(born)}（{born:%Y-%m-%d}）"
    except ValueError:  # before the Gregorian calendar: the western date only
        return born.isoformat()
