"""Days late: one rule (calendar days) for the card, the agenda, the pane and the score."""

from __future__ import annotations

from datetime import datetime, timedelta

from core_factories import NOW, follow_up, prospect, snapshot
from hypothesis import given
from hypothesis import strategies as st

from pipeline_tui.core.dates import describe_due
from pipeline_tui.core.lateness import days_late
from pipeline_tui.core.score import make_context, score_prospect
from pipeline_tui.core.settings import ScoreWeights, Thresholds


def test_a_call_due_yesterday_evening_is_a_day_late_this_morning():
    assert days_late(datetime(2026, 11, 25, 17, 0), NOW) == 1
    assert days_late(datetime(2026, 11, 26, 8, 0), NOW) == 0  # late, but not a day late
    assert days_late(datetime(2026, 11, 27, 8, 0), NOW) == 0  # not late at all


def _score_reasons(p) -> list[str]:
    snap = snapshot([p])
    result = score_prospect(p, snap.stage_of(p), make_context(snap), ScoreWeights(), Thresholds())
    return [str(part) for part in result.parts]


def test_the_score_counts_days_late_as_the_card_does():
    # Monday 17:30, seen on Thursday 09:30: two whole days and 16 hours, three calendar days
    due = NOW - timedelta(days=2, hours=16)
    assert describe_due(due, NOW) == "3d overdue"
    reasons = _score_reasons(prospect(follow_ups=[follow_up("call", due)]))
    assert "-5 1 follow-up overdue (3 days late)" in reasons


@given(st.integers(1, 60 * 24 * 400))
def test_every_label_says_the_same_number_of_days(minutes_ago):
    due = NOW - timedelta(minutes=minutes_ago)
    late = days_late(due, NOW)
    label = describe_due(due, NOW)
    reasons = " ".join(_score_reasons(prospect(follow_ups=[follow_up("call", due)])))
    if late:
        assert label == f"{late}d overdue"
        assert f"({late} day{'s' if late != 1 else ''} late)" in reasons
    else:
        assert "late)" not in reasons and not label.endswith("overdue")
