"""The three outcomes of a voice answer: take, ask ("Did you say …?"), reject.

Pure tests of ``grammar.decide`` on tables of N-best lists (the grammar with
fillers, and the plain grammar of the choices alone). The thresholds come from
bench/speech.py (docs/speech.md).
"""

from __future__ import annotations

import pytest

from kiosk.speech.grammar import (
    AGREE_MARGIN,
    ASK_SHARE,
    TAKE_SHARE,
    Decision,
    Hypothesis,
    decide,
)

CHOICES = {"yes": ["네 있어요", "있습니다"], "no": ["아니요 없어요", "없습니다"]}


def hyps(*pairs: tuple[str, float]) -> list[Hypothesis]:
    return [Hypothesis(text, score) for text, score in pairs]


# (why, with fillers, plain grammar, outcome, candidate)
BANDS = [
    (
        "both grammars hear the same choice",
        hyps(("네 있어요", 100.0), ("네 음", 98.0)),
        hyps(("네 있어요", 101.0)),
        "take",
        "yes",
    ),
    (
        "both agree and the fillers are only a little better (pooled share 0.27)",
        hyps(("음 뭐", 103.0), ("음 좀", 102.5), ("없습니다", 95.0)),
        hyps(("없습니다", 100.5)),
        "take",
        "no",
    ),
    (
        "no agreement, but the pooled vote holds most of the weight",
        hyps(("음", 100.0)),
        hyps(("없습니다", 99.0)),
        "take",
        "no",
    ),
    (
        "both agree but the fillers explain the audio far better",
        hyps(("음 뭐", 110.0), ("네 있어요", 100.0)),
        hyps(("네 있어요", 101.0)),
        "ask",
        "yes",
    ),
    (
        "exactly half of the words are a choice's: worth a question only",
        hyps(("음 뭐", 104.0)),
        hyps(("아니요", 100.0)),
        "ask",
        "no",
    ),
    (
        "the fillers win by far: what was said is no answer",
        hyps(("음 뭐 좀", 120.0)),
        hyps(("없습니다", 95.0)),
        "reject",
        None,
    ),
    (
        "two choices tie in every hypothesis",
        hyps(("있습니다 없습니다", 100.0)),
        hyps(("있습니다 없습니다", 100.0)),
        "reject",
        None,
    ),
    ("silence", hyps(("", 0.0)), hyps(("", 0.0)), "reject", None),
    ("nothing decoded", [], [], "reject", None),
]


@pytest.mark.parametrize(
    ("screen", "plain", "outcome", "candidate"),
    [row[1:] for row in BANDS],
    ids=[row[0] for row in BANDS],
)
def test_each_band(
    screen: list[Hypothesis], plain: list[Hypothesis], outcome: str, candidate: str | None
):
    decision = decide(screen, plain, CHOICES)
    assert (decision.outcome, decision.candidate) == (outcome, candidate)
    assert decision.needs_confirmation == (outcome == "ask")
    assert decision.choice == (candidate if outcome == "take" else None)
    assert 0.0 <= decision.confidence <= 1.0


def test_the_bands_are_ordered():
    assert 0 < ASK_SHARE < TAKE_SHARE < 1
    assert AGREE_MARGIN > 0


def test_the_pooled_share_moves_an_answer_from_take_to_ask_to_reject():
    """One plain answer, fillers scoring ever higher: taken, then asked, then rejected."""
    plain = hyps(("없습니다", 100.0))
    outcomes = [decide(hyps(("음", 100.0 + gap)), plain, CHOICES).outcome for gap in (0, 5, 10, 25)]
    assert outcomes == ["take", "ask", "ask", "reject"]


def test_without_fillers_the_plain_grammars_top_choice_is_always_taken():
    """What ``for_choices(reject=False)`` does: the benchmark's baseline."""
    plain = hyps(("없습니다", 100.0), ("있습니다", 99.0), ("음", 98.0))
    assert decide(plain, plain, CHOICES).choice == "no"
    weak = hyps(("없습니다", 90.0), ("뭐", 89.9), ("좀", 89.9), ("음", 89.9))
    assert decide(weak, weak, CHOICES).choice == "no"  # a quarter of the weight is enough


def test_a_decision_says_whether_to_ask():
    assert Decision("yes", "yes", 0.9).outcome == "take"
    assert not Decision("yes", "yes", 0.9).needs_confirmation
    assert Decision(None, "no", 0.2).needs_confirmation
    assert Decision(None, None, 0.0).outcome == "reject"
