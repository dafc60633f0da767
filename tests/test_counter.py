"""The counter's core (kiosk.counter) on SQLite and PostgreSQL: calling, viewing, correcting."""

from __future__ import annotations

import subprocess

import pytest

from kiosk.config import ConfigError, Settings
from kiosk.context import KioskContext
from kiosk.counter import CorrectionRefused, check_settings, corrected
from kiosk.counter_scan import Scan, parse_scan
from kiosk.staff import NotAllowed
from kiosk.storage import TicketStateConflict
from tests.counter_fixture import NUMBER, CounterWorld

HERE = "resident"  # the counter the test visits' tickets are for


def _actions(world: CounterWorld, reference: str) -> list[tuple[str, str, str]]:
    events = world.store.access_events(visit_reference=reference)
    return [(e.actor, e.action, e.detail) for e in reversed(events)]


@pytest.mark.parametrize(
    ("text", "scan"),
    [
        ("WK:K7QH3MZA", Scan(reference="K7QH3MZA")),
        (" wk:k7qh3mza\n", Scan(reference="K7QH3MZA")),
        ("K7QH3MZA", Scan(reference="K7QH3MZA")),
        ("A-012", Scan(ticket_code="A-012")),
        ("a12", Scan(ticket_code="A-012")),
        ("WK:", None),
        ("https://example.com/", None),
        ("", None),
    ],
)
def test_a_scan_names_a_visit_or_a_ticket(text, scan):
    assert parse_scan(text) == scan


def test_calling_opens_the_visit_with_the_number_masked_and_logs_the_view(world):
    reference = world.visit()
    session = world.staff()
    ticket = world.desk.call_next(session, "resident")
    assert ticket is not None
    assert world.desk.visit_reference(ticket) == reference
    view = world.desk.open_visit(session, reference, via="ticket", counter=HERE)
    assert view.person is not None and view.person.name == "大阪 太郎"
    assert view.number == "•••• •••• " + NUMBER[-4:]
    assert not view.number_revealed
    assert view.birth_date_text == "昭和55年5月17日（1980-05-17）"
    assert view.ticket_code == ticket.code
    assert [p.name for p in view.procedures] == ["住民票の写しの交付"]
    assert view.procedures[0].bring  # in Japanese, for the staff
    assert [a.question_id for a in view.answers] == ["purpose", "certificate_kind"]
    assert ("staff:S001", "visit_viewed", "via=ticket") in _actions(world, reference)


def test_only_a_supervisor_reveals_the_number_and_it_is_logged(world):
    reference = world.visit()
    with pytest.raises(NotAllowed):
        world.desk.reveal_number(world.staff(), reference, counter=HERE)
    assert not any(a == "individual_number_revealed" for _, a, _ in _actions(world, reference))
    view = world.desk.reveal_number(world.supervisor(), reference, counter=HERE)
    assert view.number == NUMBER and view.number_revealed
    assert ("staff:SV01", "individual_number_revealed", "") in _actions(world, reference)


def test_a_correction_is_stored_logged_without_its_value_and_printed_again(world):
    reference = world.visit()
    session = world.staff()
    view = world.desk.correct(session, reference, "name_kana", "オオサカ タロウ", counter=HERE)
    assert view.person is not None and view.person.name_kana == "オオサカ タロウ"
    stored = world.store.load_visit(reference).person
    assert stored is not None and stored.name_kana == "オオサカ タロウ"
    assert ("staff:S001", "visit_corrected", "field=name_kana") in _actions(world, reference)
    before = set(world.printed.glob("*-forms-*.pdf"))
    outcome = world.desk.reprint(session, reference, counter=HERE)
    assert outcome.ok
    (pdf,) = set(world.printed.glob("*-forms-*.pdf")) - before
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "オオサカ タロウ" in text.replace("\u3000", " ")
    assert ("staff:S001", "forms_reprinted", "") in _actions(world, reference)


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("birth_date", "17/05/1980", "birth_date_format"),
        ("birth_date", "2999-01-01", "birth_date_range"),
        ("sex", "other", "sex"),
        ("name", "  ", "empty"),
        ("address", "x" * 301, "too_long"),
        ("name", "大阪\n太郎", "too_long"),
        ("individual_number", "1", "field"),
    ],
)
def test_a_wrong_correction_is_refused_with_its_reason(world, field, value, reason):
    reference = world.visit()
    with pytest.raises(CorrectionRefused) as refused:
        world.desk.correct(world.staff(), reference, field, value, counter=HERE)
    assert refused.value.reason == reason
    assert value.strip() not in str(refused.value) or not value.strip()
    assert world.store.load_visit(reference).person.name == "大阪 太郎"


def test_a_visit_without_card_data_cannot_be_corrected(world):
    reference = world.visit(card=False)
    view = world.desk.open_visit(world.staff(), reference, via="scan", counter=HERE)
    assert view.person is None and not view.used_card and view.number is None
    with pytest.raises(CorrectionRefused) as refused:
        world.desk.correct(world.staff(), reference, "name", "誰か", counter=HERE)
    assert refused.value.reason == "no_card_data"


def test_corrected_keeps_every_other_item(world):
    reference = world.visit()
    person = world.store.load_visit(reference).person
    assert person is not None
    changed = corrected(person, "sex", "female")
    assert (changed.sex, changed.name, changed.address) == ("female", person.name, person.address)


def test_staff_make_a_waiting_ticket_priority_and_it_is_called_first(world):
    first = world.queue.issue("resident").ticket
    second = world.queue.issue("resident").ticket
    session = world.staff()
    marked = world.desk.set_priority(session, second.id, True, "resident")
    assert marked.priority
    assert [e.note for e in world.store.ticket_events(second.id)][-1] == "priority_on"
    called = world.desk.call_next(session, "resident")
    assert called is not None and called.id == second.id
    with pytest.raises(TicketStateConflict):
        world.desk.set_priority(session, second.id, False, "resident")
    assert world.desk.call_next(session, "resident").id == first.id


def test_a_specific_ticket_is_called_by_its_code(world):
    tickets = [world.queue.issue("resident").ticket for _ in range(3)]
    called = world.desk.call_code(world.staff(), tickets[2].code, "resident")
    assert called.id == tickets[2].id and called.status == "called"


def test_counters_are_listed_by_their_sign_number(world):
    assert world.desk.counters() == ["information", "resident", "insurance", "children"]
    assert world.desk.counter_label("resident").startswith("2番窓口")


def test_the_counter_app_settings_are_checked(tmp_path):
    def context(**app: str) -> KioskContext:
        return KioskContext.load(settings=Settings.model_validate({"counter_app": app}))

    check_settings(context(counter="resident", language="en"))
    with pytest.raises(ConfigError, match=r"counter_app.*nowhere"):
        check_settings(context(counter="nowhere"))
    with pytest.raises(ConfigError, match="language = 'xx'"):
        check_settings(context(language="xx"))


def test_the_counter_command_refuses_an_unknown_counter_before_opening_a_window(tmp_path):
    from click.testing import CliRunner

    from kiosk.cli import main

    config = tmp_path / "config.toml"
    config.write_text('[counter_app]\ncounter = "nowhere"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["counter", "--config", str(config)])
    assert result.exit_code == 1
    assert "[counter_app] counter = 'nowhere' is not a counter" in result.output


def test_a_priority_chosen_at_the_kiosk_reaches_the_counter(world):
    answers = {"purpose": "certificate", "certificate_kind": "juminhyo", "priority": "elderly"}
    reference = world.visit(answers=answers)
    assert world.store.load_visit(reference).ticket.priority  # also for a reprint's cover
    called = world.desk.call_next(world.staff(), "resident")
    assert called is not None and called.priority
    view = world.desk.open_visit(world.staff(), reference, via="ticket", counter=HERE)
    assert view.answers[-1].question_id == "priority"


def test_the_waiting_list_is_the_order_call_next_calls_them(world):
    for priority in (False, False, True, True, True, True, False):
        world.queue.issue("resident", priority=priority)
    session = world.staff()
    listed = [t.code for t in world.desk.waiting(session, HERE)]
    called = []
    while (ticket := world.desk.call_next(session, HERE)) is not None:
        called.append(ticket.code)
        world.desk.change(session, "no_show", ticket.id, HERE)
    assert listed == called == ["A-003", "A-004", "A-005", "A-001", "A-002", "A-006", "A-007"]
