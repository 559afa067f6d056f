"""What the history says (issue 20): lost reasons, time in stage and rotting limits, win rate by
source, this week's activity; and the ages of a deal (aging): idle, slipped, snoozed, rotting."""

from __future__ import annotations

from datetime import datetime, timedelta
from fractions import Fraction

from core_factories import NOW, STAGE, STAGES, follow_up, lost, prospect, snapshot, won

from pipeline_tui.core import aging, insight
from pipeline_tui.core.domain import History, StageTime
from pipeline_tui.core.figures import SourceTally
from pipeline_tui.core.settings import Goals, Thresholds

T = Thresholds()
D = timedelta(days=1)


# ---- lost reasons ------------------------------------------------------------------------------


def test_lost_reasons_merge_case_and_spaces_most_frequent_first():
    prospects = [
        lost(10_000, NOW - D, lost_reason="Price"),
        lost(20_000, NOW - D, lost_reason="  price "),
        lost(5_000, NOW - D, lost_reason="PRICE"),
        lost(90_000, NOW - 2 * D, lost_reason="chose  a competitor"),
        lost(1_000, NOW - 2 * D, lost_reason="Chose a competitor"),
        lost(None, NOW - 3 * D, lost_reason=""),
        lost(7_000, NOW - 3 * D, lost_reason="   "),
        lost(100, NOW - 400 * D, lost_reason="price"),  # before the look-back window
        won(50_000, NOW - D, lost_reason="price"),  # won: no lost reason counts
    ]
    found = insight.lost_reasons(snapshot(prospects), T)
    assert found == [
        insight.LostReason("price", 3, 35_000),  # three spellings once each: the fewest capitals
        insight.LostReason("chose a competitor", 2, 91_000),  # two, more value than "(none given)"
        insight.LostReason("(none given)", 2, 7_000),
    ]


def test_the_spelling_used_most_names_the_reason():
    prospects = [lost(1, NOW - D, lost_reason=text) for text in ("no budget", "No budget", "no budget")]
    assert [r.reason for r in insight.lost_reasons(snapshot(prospects), T)] == ["no budget"]


# ---- time in stage and rotting -----------------------------------------------------------------


def test_stage_days_are_the_mean_stay_of_those_that_left_each_open_stage():
    snap = snapshot(stages=STAGES)
    times = (StageTime(STAGE["Lead"].id, 4, 4 * 86_400 * 2.5), StageTime(STAGE["Trial"].id, 1, 86_400 * 30))
    snap = snapshot()
    object.__setattr__(snap, "stage_time", times)
    days = {d.stage: (d.avg_days, d.count) for d in insight.stage_days(snap)}
    assert days == {
        "Lead": (2.5, 4),
        "Qualified": (None, 0),
        "Appointment": (None, 0),
        "Trial": (30.0, 1),
        "Proposal": (None, 0),
    }


def test_rotting_limits_come_from_the_config_then_history_then_stale_after_days():
    times = [
        StageTime(STAGE["Lead"].id, 5, 5 * 86_400 * 2.2),  # enough history: mean 2.2 days -> 3
        StageTime(STAGE["Qualified"].id, 4, 4 * 86_400 * 9),  # 4 left: too few
        StageTime(STAGE["Appointment"].id, 9, 9 * 3_600),  # an hour each: at least a day
    ]
    limits = aging.rotting_limits(STAGES, times, {"trial": 7, "QUALIFIED": 30}, T)
    assert limits == {
        STAGE["Lead"].id: aging.RottingLimit(3, "history"),
        STAGE["Qualified"].id: aging.RottingLimit(30, "config"),  # any case
        STAGE["Appointment"].id: aging.RottingLimit(1, "history"),
        STAGE["Trial"].id: aging.RottingLimit(7, "config"),
        STAGE["Proposal"].id: aging.RottingLimit(21, "default"),
    }
    assert aging.rotting_limits(STAGES, times, {}, Thresholds(rotting_min_left=4))[STAGE["Qualified"].id] == (
        aging.RottingLimit(9, "history")
    )


def test_a_card_rots_past_its_limit_without_a_next_step_unless_snoozed_with_a_reason():
    limit = aging.RottingLimit(7, "config")
    idle = prospect(stage="Qualified", created=NOW - 30 * D, stage_entered=NOW - 8 * D)
    assert aging.is_rotting(idle, NOW, limit)
    assert not aging.is_rotting(idle._replace(stage_entered=NOW - 7 * D), NOW, limit)  # 7 days: not past
    planned = prospect(stage="Qualified", stage_entered=NOW - 8 * D, follow_ups=[follow_up("call", NOW + D)])
    assert not aging.is_rotting(planned, NOW, limit)
    assert not aging.is_rotting(idle._replace(history=History(last_activity=NOW - D)), NOW, limit)
    assert not aging.is_rotting(idle._replace(updated=NOW - D), NOW, limit)  # edited yesterday
    snoozed = idle._replace(snoozed_until=NOW + D, snooze_reason="on holiday")
    assert not aging.is_rotting(snoozed, NOW, limit)
    assert aging.is_rotting(snoozed._replace(snooze_reason=""), NOW, limit)  # no reason: no snooze
    assert aging.is_rotting(snoozed._replace(snoozed_until=NOW), NOW, limit)  # it woke up now


def test_days_in_stage_slipped_and_idle():
    p = prospect(stage="Trial", stage_entered=NOW - 3 * D - timedelta(hours=5), expected_close=NOW.date())
    assert aging.days_in_stage(p, NOW) == 3
    assert not aging.is_slipped(p, NOW)
    assert aging.is_slipped(p, NOW + D)
    assert aging.idle_days(p._replace(updated=NOW - D), NOW) == 1


# ---- win rate by source ------------------------------------------------------------------------


def test_sources_merge_spellings_and_rate_like_the_lead_to_win_rate():
    tallies = {
        "Referral": SourceTally(won=2, lost=1, aged_out=1, won_value=30_000),
        "referral ": SourceTally(won=1, won_value=5_000),
        "cold call": SourceTally(won=1, lost=3, aged_out=4, won_value=80_000),
        "": SourceTally(lost=2),
    }
    found = insight.sources(tallies)
    assert [(s.source, s.won, s.lost, s.aged_out, s.value, s.rate) for s in found] == [
        ("cold call", 1, 3, 4, 80_000, Fraction(1, 8)),
        ("Referral", 3, 1, 1, 35_000, Fraction(3, 5)),
        ("(none given)", 0, 2, 0, 0, Fraction(0)),
    ]


# ---- this week's activity ----------------------------------------------------------------------


def test_the_week_starts_on_monday_at_midnight():
    assert insight.week_start(datetime(2026, 11, 26, 9, 30)) == datetime(2026, 11, 23)
    assert insight.week_start(datetime(2026, 11, 23, 0, 0)) == datetime(2026, 11, 23)
    assert insight.week_start(datetime(2026, 11, 29, 23, 59)) == datetime(2026, 11, 23)


def test_activity_counts_this_week_against_the_goals():
    monday = datetime(2026, 11, 23)
    snap = snapshot(
        [
            prospect(stage="Lead", created=monday),
            prospect(stage="Lead", created=monday - timedelta(minutes=1)),  # last week
            won(1, NOW, created=NOW - D),
            prospect(stage="Lead", created=NOW + D),  # after now: not yet
        ]
    )
    object.__setattr__(snap, "done_this_week", {"call": 4, "email": 1, "task": 9})
    found = insight.activity(snap, Goals(calls_per_week=10, emails_per_week=0), None)
    assert found.week_start == monday
    assert found.calls == insight.Pace(4, 10)
    assert found.emails == insight.Pace(1, None)  # 0: no goal
    assert found.appointments == insight.Pace(0, 3)
    assert found.new_prospects == insight.Pace(2, None)
    assert found.needed_per_week is None  # no quota
