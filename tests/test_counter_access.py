"""Need-to-know at the counter (kiosk.counter, kiosk.counter_access) on SQLite and the
real PostgreSQL: whose visits a counter opens, the reason otherwise, and a member whose
account changed mid-session."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kiosk.counter_access import ReasonRefused, ReasonRequired, check_reason
from kiosk.staff import SESSION_MAX, NotAllowed, SessionEnded
from kiosk.supervision import Supervision
from kiosk.visit import Visit
from tests.counter_fixture import CLI, CounterWorld

HERE, THERE = "resident", "insurance"
REASON = "本人が保険年金課の窓口に来庁"


def _log(world: CounterWorld, reference: str) -> list[tuple[str, str, str]]:
    events = world.store.access_events(visit_reference=reference)
    return [(e.actor, e.action, e.detail) for e in reversed(events)]


def test_the_counter_whose_ticket_it_is_today_opens_the_visit_without_a_reason(world):
    reference = world.visit()
    view = world.desk.open_visit(world.staff(), reference, via="scan", counter=HERE)
    assert view.reference == reference
    assert ("staff:S001", "visit_viewed", "via=scan") in _log(world, reference)


def test_another_counter_opens_the_visit_only_with_a_reason_that_is_logged(world):
    reference = world.visit()
    session = world.staff()
    with pytest.raises(ReasonRequired) as asked:
        world.desk.open_visit(session, reference, via="scan", counter=THERE)
    assert asked.value.why == "other_counter" and asked.value.reference == reference
    assert not any(a == "visit_viewed" for _, a, _ in _log(world, reference))  # nothing read
    view = world.desk.open_visit(session, reference, via="scan", counter=THERE, reason=REASON)
    assert view.person is not None
    expected = f"via=scan why=other_counter reason={REASON}"
    assert ("staff:S001", "visit_viewed", expected) in _log(world, reference)
    with pytest.raises(ReasonRequired):  # every action on it needs the reason
        world.desk.correct(session, reference, "name_kana", "オオサカ タロウ", counter=THERE)
    world.desk.correct(
        session, reference, "name_kana", "オオサカ タロウ", counter=THERE, reason=REASON
    )
    detail = f"field=name_kana why=other_counter reason={REASON}"
    assert ("staff:S001", "visit_corrected", detail) in _log(world, reference)
    boss = world.supervisor()
    with pytest.raises(ReasonRequired):
        world.desk.reveal_number(boss, reference, counter=THERE)
    world.desk.reveal_number(boss, reference, counter=THERE, reason=REASON)
    revealed = ("staff:SV01", "individual_number_revealed", f"why=other_counter reason={REASON}")
    assert revealed in _log(world, reference)


def test_yesterdays_visit_and_a_visit_without_a_ticket_need_a_reason(world):
    reference = world.visit()
    world.clock.advance(timedelta(days=1))
    with pytest.raises(ReasonRequired) as asked:
        world.desk.open_visit(world.staff(), reference, via="ticket_code", counter=HERE)
    assert asked.value.why == "other_day"
    no_ticket = world.store.save_visit(
        Visit(language="ja"), kiosk_id="kita-1f-01", status="completed"
    )
    with pytest.raises(ReasonRequired) as asked:
        world.desk.open_visit(world.staff(), no_ticket, via="scan", counter=HERE)
    assert asked.value.why == "no_ticket"
    world.desk.open_visit(world.staff(), no_ticket, via="scan", counter=HERE, reason="電話で照会")
    assert ("staff:S001", "visit_viewed", "via=scan why=no_ticket reason=電話で照会") in _log(
        world, no_ticket
    )


@pytest.mark.parametrize(
    "text", ["", " ", "x", "x" * 81, "番号 1234 5678 9012 の件", "bell\x07", "nul\x00char"]
)
def test_a_reason_must_be_one_loggable_line(text):
    with pytest.raises(ReasonRefused) as refused:
        check_reason(text)
    assert "1234" not in str(refused.value)


def test_a_reason_is_kept_on_one_line():
    assert check_reason("  本人が\n来庁\t（保険）  ") == "本人が 来庁 （保険）"


def test_a_supervisor_demoted_then_deactivated_is_refused_at_the_next_action(world):
    reference = world.visit()
    boss = world.supervisor()
    supervision = Supervision(world.store, world.accounts, world.queue, world.context.settings)
    assert world.desk.reveal_number(boss, reference, counter=HERE).number_revealed
    assert supervision.staff(boss.member)
    world.accounts.set_role("SV01", "staff", by=CLI)  # by IT, mid-session
    assert boss.member.is_supervisor  # what the app still holds
    with pytest.raises(NotAllowed):
        world.desk.reveal_number(boss, reference, counter=HERE)
    with pytest.raises(NotAllowed):
        supervision.add_staff(boss.member, "S009", "新人", "staff", "7391")
    world.accounts.deactivate("SV01", by=CLI)
    for action in (
        lambda: world.desk.reveal_number(boss, reference, counter=HERE),
        lambda: world.desk.open_visit(boss, reference, via="scan", counter=HERE),
        lambda: world.desk.call_next(boss, HERE),
        lambda: world.desk.waiting(boss, HERE),
    ):
        with pytest.raises(SessionEnded) as ended:
            action()
        assert ended.value.reason == "inactive"
    for staff_admin in (
        lambda: supervision.staff(boss.member),
        lambda: supervision.access_log(boss.member),
        lambda: supervision.deactivate(boss.member, "S001"),
    ):
        with pytest.raises(NotAllowed):
            staff_admin()
    reveals = [a for _, a, _ in _log(world, reference) if a == "individual_number_revealed"]
    assert len(reveals) == 1  # only the one before the change
    assert world.accounts.get("S001").active


def test_a_session_past_its_maximum_length_is_refused(world):
    reference = world.visit()
    session = world.staff()
    world.clock.advance(SESSION_MAX - timedelta(minutes=1))
    world.desk.open_visit(session, reference, via="scan", counter=HERE)
    world.clock.advance(timedelta(minutes=1))
    with pytest.raises(SessionEnded) as ended:
        world.desk.open_visit(session, reference, via="scan", counter=HERE, reason="x" * 3)
    assert ended.value.reason == "limit"
