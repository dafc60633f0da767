"""The keyboard-wedge scanner: a scan is taken whole, a person's keys still get through."""

from __future__ import annotations

from PySide6.QtCore import Qt

from kiosk.ui.scan_keys import MAX_GAP_S, ScanKeys

ENTER = int(Qt.Key.Key_Return)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def typed(scan: ScanKeys, text: str, clock: Clock, gap: float = 0.01) -> list[bool]:
    taken = []
    for ch in text:
        clock.now += gap
        taken.append(scan.key(int(Qt.Key.Key_A), ch))
    return taken


def scanner(qapp) -> tuple[ScanKeys, Clock, list[str]]:
    clock = Clock()
    scan = ScanKeys(clock=clock)
    seen: list[str] = []
    scan.scanned.connect(seen.append)
    return scan, clock, seen


def test_a_scan_is_held_from_the_screen_and_delivered_on_enter(qapp):
    scan, clock, seen = scanner(qapp)
    assert all(typed(scan, "WK-PRE:K7QM4HXP2RTW", clock))
    assert scan.key(ENTER, "\r")
    assert seen == ["WK-PRE:K7QM4HXP2RTW"]


def test_lower_case_scans_count_too(qapp):
    scan, clock, seen = scanner(qapp)
    typed(scan, "wk-pre:k7qm4hxp2rtw", clock)
    scan.key(ENTER, "\r")
    assert seen == ["wk-pre:k7qm4hxp2rtw"]


def test_keys_that_are_not_a_scan_reach_the_screen(qapp):
    scan, clock, seen = scanner(qapp)
    assert typed(scan, "12", clock) == [False, False]
    assert not scan.key(ENTER, "\r")
    assert seen == []


def test_a_person_typing_slowly_is_not_a_scanner(qapp):
    scan, clock, seen = scanner(qapp)
    typed(scan, "WK-", clock)
    clock.now += MAX_GAP_S + 0.1
    assert typed(scan, "5", clock) == [False]
    scan.key(ENTER, "\r")
    assert seen == []


def test_a_prefix_alone_or_a_broken_one_delivers_nothing(qapp):
    scan, clock, seen = scanner(qapp)
    typed(scan, "WK-PRE:", clock)
    assert scan.key(ENTER, "\r"), "the held prefix is swallowed with its Enter"
    assert typed(scan, "WK-X", clock) == [True, True, True, False]
    scan.key(ENTER, "\r")
    assert seen == []


def test_an_endless_scan_is_dropped(qapp):
    scan, clock, seen = scanner(qapp)
    taken = typed(scan, "WK-PRE:" + "A" * 100, clock)
    assert not all(taken)
    scan.key(ENTER, "\r")
    assert seen == []


def test_a_scanner_on_a_japanese_keyboard_layout_types_plus_for_the_colon(qapp):
    from kiosk.pre_entry import code_from_scan

    scan, clock, seen = scanner(qapp)
    assert all(typed(scan, "WK-PRE+K7QM4HXP2RTW", clock))
    scan.key(ENTER, "\r")
    assert seen == ["WK-PRE+K7QM4HXP2RTW"]
    assert code_from_scan(seen[0]) == "K7QM4HXP2RTW"
    assert code_from_scan("WK-PREK7QM4HXP2RTW") is None  # no sign where the colon goes
