"""A visit prepared at home, opened at the counter by its code (typed or scanned).

Staff see what the resident answered and typed at home, and whether a kiosk has
printed it; they may let it print once more. Both are written to the access log
(never the code: it is the key to the resident's data).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kiosk.counter import AnswerLine, CounterDesk, ProcedureLine
from kiosk.pre_entry import HomeDetails, PreEntry
from kiosk.staff import Session


@dataclass(frozen=True)
class PreEntryView:
    """A pre-entry as the counter shows it, in the staff's language."""

    language: str  # the resident's language, by its name in the staff's
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None
    procedures: tuple[ProcedureLine, ...]
    answers: tuple[AnswerLine, ...]
    details: HomeDetails | None


class PreEntryDesk:
    """The counter's work on pre-entries, over the desk's store and staff session."""

    def __init__(self, desk: CounterDesk) -> None:
        self.desk = desk

    def open(self, session: Session, code: str, *, counter: str) -> PreEntryView:
        """The pre-entry, printed or not; logged first. Raises the pre-entry errors
        (not found, expired, too many wrong codes from this counter)."""
        return self._logged(session, code, counter, "pre_entry_viewed")

    def release(self, session: Session, code: str, *, counter: str) -> PreEntryView:
        """Let a kiosk print the pre-entry once more (the first print was lost)."""
        self.desk.member(session)  # still signed in and allowed, before anything changes
        self.desk.store.release_pre_entry(code)
        return self._logged(session, code, counter, "pre_entry_released")

    def _logged(self, session: Session, code: str, counter: str, action: str) -> PreEntryView:
        """The pre-entry's view, once the access log has it: the row's number, never the
        code (the key to the resident's data)."""
        member = self.desk.member(session)
        store = self.desk.store
        entry = store.load_pre_entry(code, source=f"counter:{counter}", include_used=True)
        detail = f"pre_entry={entry.row_id} counter={counter}"
        store.log_access(actor=member.actor, action=action, visit_reference=None, detail=detail)
        return self._view(entry)

    def _view(self, entry: PreEntry) -> PreEntryView:
        desk = self.desk
        procedures = [p.id for p in desk.context.catalog.procedures_for(entry.answers)]
        return PreEntryView(
            language=desk.language_name(entry.language),
            created_at=entry.created_at,
            expires_at=entry.expires_at,
            used_at=entry.used_at,
            # From the answers with today's catalog, as the kiosk will print them.
            procedures=tuple(desk.procedure_lines(procedures, entry.answers)),
            answers=tuple(desk.answer_lines(entry.answers)),
            details=entry.details,
        )
