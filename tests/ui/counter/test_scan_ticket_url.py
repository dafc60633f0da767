"""A ticket's phone page URL, scanned at the counter, opens its visit as ``WK:<ref>`` does."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from kiosk.config import WebSettings
from kiosk.counter_scan import Scan, parse_scan, ticket_token
from kiosk.storage.models import TicketRow, VisitRow
from tests.ui.counter.test_desk import WAIT_MS, at_counter

PUBLIC = "https://ward.example.jp/kiosk"
TOKEN = "q3Vb7xYp0Zk_Lm2NcR8tWg"  # noqa: S105 (a made-up ticket token)


@pytest.mark.parametrize(
    ("text", "scan"),
    [
        (f"{PUBLIC}/t/{TOKEN}", Scan(token=TOKEN)),
        (f" {PUBLIC}/t/{TOKEN}/ ", Scan(token=TOKEN)),  # stray spaces, a trailing slash
        (f"HTTPS://WARD.EXAMPLE.JP/kiosk/t/{TOKEN}", Scan(token=TOKEN)),  # the token keeps its case
        (f"https://evil.example.com/kiosk/t/{TOKEN}", None),  # not the ward's site
        (f"{PUBLIC}/t/short", None),
        (f"{PUBLIC}/t/{TOKEN}?x=1", None),
        ("WK:K7QH3MZA", Scan(reference="K7QH3MZA")),  # the old codes still work
        ("a-12", Scan(ticket_code="A-012")),
    ],
)
def test_parse_a_scanned_ticket_url(text: str, scan: Scan | None):
    assert parse_scan(text, PUBLIC) == scan


def test_without_a_public_url_no_url_is_a_ticket():
    assert parse_scan(f"{PUBLIC}/t/{TOKEN}") is None
    assert ticket_token(f"{PUBLIC}/t/{TOKEN}", f"{PUBLIC}/") == TOKEN


def test_a_scanned_ticket_url_opens_the_visit(qtbot, window, world):
    settings = world.context.settings.model_copy(update={"web": WebSettings(public_url=PUBLIC)})
    world.desk.context = replace(world.context, settings=settings)
    reference = world.visit()
    with world.store.transaction() as db:
        token = db.scalar(
            select(TicketRow.token)
            .join(VisitRow, TicketRow.visit_id == VisitRow.id)
            .where(VisitRow.reference == reference)
        )
    assert token
    desk = at_counter(qtbot, window)
    qtbot.keyClicks(desk.scan, f"{PUBLIC}/t/{token}")
    qtbot.keyClick(desk.scan, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: desk.visit.view is not None, timeout=WAIT_MS)
    assert desk.visit.view.reference == reference
    actions = [(e.action, e.detail) for e in world.store.access_events(visit_reference=reference)]
    assert ("visit_viewed", "via=ticket_url") in actions
    desk.visit.clear()
    qtbot.keyClicks(desk.scan, f"{PUBLIC}/t/{'x' * 22}")  # no such ticket
    qtbot.keyClick(desk.scan, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "番号札はありません" in desk.message.text(), timeout=WAIT_MS)
