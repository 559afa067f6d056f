"""Every figure of the report (README "The figures and the advice"), on small hand-built
snapshots with hand-computed answers."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from fractions import Fraction

import pytest
from core_factories import (
    NOW,
    POSITION,
    RENEWAL_STAGES,
    RENEWALS,
    SALES,
    STAGES,
    at,
    day,
    lost,
    prospect,
    snapshot,
    won,
)
from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline_tui.core.domain import History, Pipeline, Quota, Stage
from pipeline_tui.core.figures import (
    SourceTally,
    appointment_to_sale,
    average_won_value,
    cohort,
    conversion,
    days_left,
    expected_in_period,
    forecast,
    lead_probability,
    lead_to_win,
    new_prospects_needed,
    quota_figures,
    quota_period,
    slipped,
    stage_figures,
    win_rate,
    won_in_period,
)
from pipeline_tui.core.settings import Thresholds

T = Thresholds()


# ---- weighted value --------------------------------------------------------------------------


def test_weighted_value_uses_the_override_else_the_stage_probability():
    snap = snapshot()
    assert snap.weighted_value(prospect(stage="Trial", value=100_000)) == pytest.approx(60_000)
    assert snap.weighted_value(prospect(stage="Trial", value=100_000, probability=0.9)) == pytest.approx(
        90_000
    )
    # an override of 0 is an override, not "no override"
    assert snap.weighted_value(prospect(stage="Trial", value=100_000, probability=0.0)) == 0
    assert snap.weighted_value(prospect(stage="Trial", value=None)) == 0
    assert snap.weighted_value(prospect(stage="Lead", value=100_000)) == pytest.approx(10_000)


# ---- quota period ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "now", "start", "end"),
    [
        ("month", at("2026-02-01 00:00"), day("2026-02-01"), day("2026-02-28")),
        ("month", at("2026-02-28 23:59"), day("2026-02-01"), day("2026-02-28")),
        ("month", at("2028-02-29 12:00"), day("2028-02-01"), day("2028-02-29")),
        ("month", at("2026-12-31 23:59"), day("2026-12-01"), day("2026-12-31")),
        ("month", at("2026-11-26 09:30"), day("2026-11-01"), day("2026-11-30")),
        ("quarter", at("2026-01-01 00:00"), day("2026-01-01"), day("2026-03-31")),
        ("quarter", at("2026-03-31 23:59"), day("2026-01-01"), day("2026-03-31")),
        ("quarter", at("2026-04-01 00:00"), day("2026-04-01"), day("2026-06-30")),
        ("quarter", at("2026-09-30 18:00"), day("2026-07-01"), day("2026-09-30")),
        ("quarter", at("2026-10-01 00:00"), day("2026-10-01"), day("2026-12-31")),
        ("quarter", at("2026-12-31 23:59"), day("2026-10-01"), day("2026-12-31")),
        ("year", at("2026-01-01 00:00"), day("2026-01-01"), day("2026-12-31")),
        ("year", at("2026-07-15 12:00"), day("2026-01-01"), day("2026-12-31")),
        ("year", at("2028-12-31 23:59"), day("2028-01-01"), day("2028-12-31")),
    ],
)
def test_quota_period_boundaries(kind, now, start, end):
    period = quota_period(kind, now)
    assert (period.kind, period.start, period.end) == (kind, start, end)


def test_period_months_and_unknown_kind():
    assert [quota_period(k, NOW).months for k in ("month", "quarter", "year")] == [1, 3, 12]
    with pytest.raises(ValueError):
        quota_period("week", NOW)


# ---- won, expected, gap ----------------------------------------------------------------------


def _quota_prospects():
    return [
        won(500_000, at("2026-11-05 10:00"), id=1),  # won this month
        won(300_000, at("2026-10-31 23:59"), id=2),  # won last month: this quarter, not this month
        # won this month, then moved back to an open stage: its stage is open, so not won
        prospect(
            3,
            "Proposal",
            value=400_000,
            closed_at=at("2026-11-10 12:00"),
            expected_close=day("2027-03-01"),
            history=History(ever_won=True),
        ),
        prospect(4, "Trial", value=100_000),  # no close date: expected, 60,000
        prospect(5, "Proposal", value=200_000, probability=0.5, expected_close=day("2026-11-30")),  # 100,000
        prospect(6, "Appointment", value=100_000, expected_close=day("2026-12-01")),  # 40,000, next month
        prospect(7, "Qualified"),  # no value: weighs nothing
        prospect(8, "Lead", value=50_000, expected_close=day("2026-10-01")),  # close date passed: 5,000
        lost(80_000, at("2026-06-01 12:00"), id=9),
    ]


def test_won_and_expected_in_a_month():
    snap = snapshot(_quota_prospects())
    period = quota_period("month", NOW)
    assert won_in_period(snap, period) == 500_000
    assert expected_in_period(snap, period) == 60_000 + 100_000 + 5_000


def test_won_and_expected_in_a_quarter():
    snap = snapshot(_quota_prospects())
    period = quota_period("quarter", NOW)
    assert won_in_period(snap, period) == 500_000 + 300_000
    assert expected_in_period(snap, period) == 60_000 + 100_000 + 40_000 + 5_000


def test_won_counts_the_whole_first_and_last_day_of_the_period():
    period = quota_period("month", NOW)
    inside = [won(100, at("2026-11-01 00:00")), won(10, datetime(2026, 11, 30, 23, 59, 59, 999999))]
    outside = [won(1_000, at("2026-10-31 23:59")), won(10_000, at("2026-12-01 00:00"))]
    assert won_in_period(snapshot(inside + outside, now=at("2026-11-30 12:00")), period) == 110


def test_expected_counts_a_close_on_the_last_day_but_not_the_day_after():
    period = quota_period("month", NOW)
    snap = snapshot(
        [
            prospect(stage="Lead", value=1_000, expected_close=day("2026-11-30")),
            prospect(stage="Lead", value=50_000, expected_close=day("2026-12-01")),
        ]
    )
    assert expected_in_period(snap, period) == 100


def test_quota_figures_by_hand():
    snap = snapshot(_quota_prospects(), quota=Quota("month", 2_000_000))
    figures = quota_figures(snap, T)
    assert figures.period == quota_period("month", NOW)
    assert figures.target == 2_000_000
    assert figures.won == 500_000
    assert figures.expected == 165_000
    assert figures.gap == 2_000_000 - 500_000 - 165_000
    # closed in the last 365 days: 2 won, 1 lost: too few, so the lead stage's 0.10
    assert figures.win_rate == Fraction(1, 10)
    assert figures.win_rate_is_fallback is True
    assert figures.average_won_value == Fraction(800_000, 2)
    # 1,335,000 / (400,000 * 0.1) = 33.375
    assert figures.new_prospects_needed == 34
    assert figures.progress == pytest.approx(0.25)


def test_no_quota_no_quota_figures():
    assert quota_figures(snapshot(_quota_prospects()), T) is None


def test_gap_is_never_negative():
    snap = snapshot([won(3_000_000, at("2026-11-02 10:00"))], quota=Quota("month", 1_000_000))
    figures = quota_figures(snap, T)
    assert figures.gap == 0
    assert figures.new_prospects_needed == 0
    assert figures.progress == 3.0


def test_gap_exactly_zero_when_won_and_expected_meet_the_target():
    snap = snapshot(
        [won(600_000, at("2026-11-02 10:00")), prospect(stage="Trial", value=500_000)],
        quota=Quota("month", 900_000),
    )
    figures = quota_figures(snap, T)
    assert (figures.won, figures.expected, figures.gap, figures.new_prospects_needed) == (
        600_000,
        300_000,
        0,
        0,
    )


# ---- win rate --------------------------------------------------------------------------------


def _closed(won_count, lost_count, closed_at=NOW - timedelta(days=10)):
    return [won(100_000, closed_at) for _ in range(won_count)] + [
        lost(100_000, closed_at) for _ in range(lost_count)
    ]


def test_win_rate_from_five_closed():
    rate, fallback = win_rate(snapshot(_closed(3, 2)), T)
    assert (rate, fallback) == (Fraction(3, 5), False)


def test_win_rate_with_four_closed_falls_back_to_the_lead_stage():
    rate, fallback = win_rate(snapshot(_closed(3, 1)), T)
    assert (rate, fallback) == (Fraction(1, 10), True)


def test_win_rate_looks_back_365_days_inclusive():
    recent = _closed(1, 3)
    edge = won(1, NOW - timedelta(days=365))
    too_old = won(1, NOW - timedelta(days=365, minutes=1))
    assert win_rate(snapshot([*recent, edge]), T) == (Fraction(2, 5), False)
    assert win_rate(snapshot([*recent, too_old]), T) == (Fraction(1, 10), True)


def test_win_rate_ignores_open_prospects_even_with_a_closed_time():
    reopened = prospect(stage="Trial", closed_at=NOW - timedelta(days=3), history=History(ever_won=True))
    assert win_rate(snapshot([*_closed(0, 5), reopened]), T) == (Fraction(0), False)


def test_win_rate_minimum_comes_from_thresholds():
    assert win_rate(snapshot(_closed(1, 1)), Thresholds(win_rate_min_closed=2)) == (Fraction(1, 2), False)
    assert win_rate(snapshot(_closed(3, 2)), Thresholds(win_rate_min_closed=6)) == (Fraction(1, 10), True)


def test_lead_probability_prefers_the_lead_role_then_the_first_open_stage():
    no_role = (
        Stage(1, 1, "Prospecting", 0, 0.05, "open", None),
        Stage(2, 1, "Talking", 1, 0.3, "open", None),
        Stage(3, 1, "Won", 2, 1.0, "won", "won"),
    )
    lead_not_first = (
        Stage(3, 1, "Won", 0, 1.0, "won", "won"),
        Stage(1, 1, "Intro", 1, 0.05, "open", None),
        Stage(2, 1, "Lead", 2, 0.2, "open", "lead"),
    )
    assert lead_probability(snapshot()) == 0.10
    assert lead_probability(snapshot(stages=no_role)) == 0.05
    assert lead_probability(snapshot(stages=lead_not_first)) == 0.2
    assert lead_probability(snapshot(stages=(), pipelines=(Pipeline(1, "Empty"),))) == 0.0
    assert win_rate(snapshot(stages=no_role), T) == (Fraction(1, 20), True)


def test_lead_probability_of_the_named_pipeline():
    both = snapshot(stages=STAGES + RENEWAL_STAGES, pipelines=(SALES, RENEWALS))
    renewals = snapshot(stages=STAGES + RENEWAL_STAGES, pipelines=(SALES, RENEWALS), pipeline_id=2)
    assert lead_probability(both) == 0.10
    assert lead_probability(renewals) == 0.5


# ---- average won value -----------------------------------------------------------------------


def test_average_won_value_over_the_lookback():
    snap = snapshot(
        [
            won(100_000, NOW - timedelta(days=10)),
            won(200_000, NOW - timedelta(days=300)),
            won(9_000_000, NOW - timedelta(days=400)),  # too old
            lost(5_000_000, NOW - timedelta(days=10)),  # lost: not a won value
            prospect(stage="Trial", value=7_000_000),  # open: not used while there are wins
        ]
    )
    assert average_won_value(snap, T) == Fraction(150_000)


def test_a_won_prospect_without_value_counts_as_zero_in_the_average():
    snap = snapshot([won(300_000, NOW - timedelta(days=1)), won(None, NOW - timedelta(days=2))])
    assert average_won_value(snap, T) == Fraction(150_000)


def test_average_falls_back_to_open_prospects_with_a_value_then_zero():
    opens = [
        prospect(stage="Lead", value=100_000),
        prospect(stage="Trial", value=50_000),
        prospect(stage="Trial", value=None),  # unknown budget: left out of the mean
        lost(9_000_000, NOW - timedelta(days=5)),
        won(9_000_000, NOW - timedelta(days=500)),
    ]
    assert average_won_value(snapshot(opens), T) == Fraction(75_000)
    assert average_won_value(snapshot([prospect(stage="Lead")]), T) == 0
    assert average_won_value(snapshot(), T) == 0


# ---- new prospects needed --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("gap", "average", "rate", "needed"),
    [
        (0, Fraction(100_000), Fraction(1, 10), 0),
        (-5, Fraction(100_000), Fraction(1, 10), 0),
        (0, Fraction(0), Fraction(0), 0),
        (1_000_000, Fraction(200_000), Fraction(1, 10), 50),  # exactly 50: no rounding up
        (1_000_001, Fraction(200_000), Fraction(1, 10), 51),
        (1, Fraction(200_000), Fraction(1, 10), 1),
        (100_000, Fraction(100_000, 3), Fraction(3, 5), 5),
        (1_000_000, Fraction(0), Fraction(1, 10), None),
        (1_000_000, Fraction(200_000), Fraction(0), None),
    ],
)
def test_new_prospects_needed(gap, average, rate, needed):
    assert new_prospects_needed(gap, average, rate) == needed


def test_new_prospects_needed_is_none_with_nothing_to_average():
    figures = quota_figures(snapshot(quota=Quota("month", 1_000_000)), T)
    assert figures.gap == 1_000_000
    assert figures.average_won_value == 0
    assert figures.new_prospects_needed is None


# ---- stage figures ---------------------------------------------------------------------------


def test_stage_figures():
    snap = snapshot(
        [
            prospect(stage="Lead", value=100_000),
            prospect(stage="Lead", value=None),
            prospect(stage="Trial", value=100_000, probability=0.5),
            prospect(stage="Trial", value=200_000),
            won(300_000, NOW - timedelta(days=400)),  # closed stages count all time
            lost(50_000, NOW - timedelta(days=3)),
            prospect(stage=RENEWAL_STAGES[0], value=40_000),
        ],
        stages=STAGES + RENEWAL_STAGES,
        pipelines=(SALES, RENEWALS),
    )
    rows = [
        (f.pipeline, f.stage.name, f.count, f.value, round(f.weighted_value)) for f in stage_figures(snap)
    ]
    assert rows == [
        ("Sales", "Lead", 2, 100_000, 10_000),
        ("Sales", "Qualified", 0, 0, 0),
        ("Sales", "Appointment", 0, 0, 0),
        ("Sales", "Trial", 2, 300_000, 50_000 + 120_000),
        ("Sales", "Proposal", 0, 0, 0),
        ("Sales", "Won", 1, 300_000, 300_000),
        ("Sales", "Lost", 1, 50_000, 0),
        ("Renewals", "Due", 1, 40_000, 20_000),
        ("Renewals", "Negotiating", 0, 0, 0),
        ("Renewals", "Renewed", 0, 0, 0),
        ("Renewals", "Churned", 0, 0, 0),
    ]
    one = snapshot(snap.prospects, stages=snap.stages, pipelines=snap.pipelines, pipeline_id=2)
    assert [f.stage.name for f in stage_figures(one)] == ["Due", "Negotiating", "Renewed", "Churned"]


# ---- conversion and appointment-to-sale ------------------------------------------------------


def _conversion_prospects():
    return [
        prospect(1, "Lead"),
        prospect(2, "Qualified"),
        # skipped from Lead straight to Trial: reached Qualified and Appointment too
        prospect(3, "Trial"),
        # lost after reaching Trial
        prospect(
            4, "Lost", closed_at=NOW - timedelta(days=5), history=History(furthest_position=POSITION["Trial"])
        ),
        # won from Proposal
        prospect(
            5,
            "Won",
            closed_at=NOW - timedelta(days=5),
            history=History(furthest_position=POSITION["Proposal"]),
        ),
    ]


def _rates(snap):
    return {(c.from_stage, c.to_stage): c.rate for c in conversion(snap)}


def test_conversion_reached_semantics():
    assert _rates(snapshot(_conversion_prospects())) == {
        ("Lead", "Qualified"): pytest.approx(4 / 5),
        ("Qualified", "Appointment"): pytest.approx(3 / 4),
        ("Appointment", "Trial"): pytest.approx(1.0),
        ("Trial", "Proposal"): pytest.approx(1 / 3),
        ("Proposal", "Won"): pytest.approx(1.0),
    }


def test_a_won_prospect_reached_every_open_stage_even_if_it_skipped_them():
    snap = snapshot([*_conversion_prospects(), won(1, NOW, history=History(furthest_position=0))])
    assert _rates(snap) == {
        ("Lead", "Qualified"): pytest.approx(5 / 6),
        ("Qualified", "Appointment"): pytest.approx(4 / 5),
        ("Appointment", "Trial"): pytest.approx(1.0),
        ("Trial", "Proposal"): pytest.approx(2 / 4),
        ("Proposal", "Won"): pytest.approx(1.0),
    }


def test_a_prospect_won_then_reopened_still_reached_won():
    reopened = prospect(stage="Trial", history=History(furthest_position=POSITION["Proposal"], ever_won=True))
    assert _rates(snapshot([prospect(stage="Proposal"), reopened]))[("Proposal", "Won")] == pytest.approx(
        1 / 2
    )


def test_conversion_from_a_stage_nobody_reached_is_none():
    rates = _rates(snapshot([prospect(stage="Lead")]))
    assert rates[("Lead", "Qualified")] == 0
    assert rates[("Qualified", "Appointment")] is None
    assert rates[("Proposal", "Won")] is None


def test_conversion_per_pipeline():
    snap = snapshot(
        [prospect(stage=RENEWAL_STAGES[1]), prospect(stage=RENEWAL_STAGES[0]), prospect(stage="Lead")],
        stages=STAGES + RENEWAL_STAGES,
        pipelines=(SALES, RENEWALS),
    )
    renewals = [(c.from_stage, c.to_stage, c.rate) for c in conversion(snap) if c.pipeline == "Renewals"]
    assert renewals == [("Due", "Negotiating", 0.5), ("Negotiating", "Renewed", 0.0)]


def test_appointment_to_sale_rate():
    snap = snapshot(
        [
            *_conversion_prospects(),  # closed past Appointment: #4 lost, #5 won
            lost(1, NOW, history=History(furthest_position=POSITION["Qualified"])),  # never had one
            lost(1, NOW, history=History(furthest_position=POSITION["Appointment"])),
            won(1, NOW, history=History(furthest_position=POSITION["Lead"])),  # won: reached every stage
            prospect(stage="Proposal"),  # open: not closed
        ]
    )
    assert appointment_to_sale(snap) == (pytest.approx(2 / 4), 4)


def test_appointment_to_sale_without_closed_or_without_the_role():
    assert appointment_to_sale(snapshot([prospect(stage="Trial")])) == (None, 0)
    no_role = tuple(
        Stage(s.id, s.pipeline_id, s.name, s.position, s.probability, s.kind, None) for s in STAGES
    )
    assert appointment_to_sale(snapshot(_conversion_prospects(), stages=no_role)) == (None, 0)


# ---- forecast --------------------------------------------------------------------------------


def _forecast_prospects():
    return [
        prospect(stage="Trial", value=100_000, expected_close=day("2026-11-30")),  # Nov: 60,000
        prospect(stage="Lead", value=100_000, expected_close=day("2026-11-01")),  # Nov: 10,000
        prospect(stage="Proposal", value=200_000, expected_close=day("2026-12-15")),  # Dec: 150,000
        prospect(stage="Qualified", value=None, expected_close=day("2027-01-10")),  # Jan: counted, 0
        prospect(stage="Appointment", value=100_000, expected_close=day("2027-04-30")),  # Apr: 40,000
        prospect(stage="Trial", value=100_000, expected_close=day("2027-05-01")),  # May: 60,000
        prospect(stage="Trial", value=100_000, expected_close=day("2027-06-01")),  # beyond 6 months
        prospect(stage="Trial", value=100_000, expected_close=day("2026-10-31")),  # before this month
        prospect(stage="Trial", value=100_000),  # undated
        won(500_000, NOW, expected_close=day("2026-12-01")),  # closed: not forecast
    ]


def test_forecast_starts_with_this_month_and_holds_the_slipped_deals():
    # November is now (26 Nov): what is left of it, with the deals whose close date passed (1 Nov
    # and 31 Oct) and what November has won so far; then five more months
    months = forecast(snapshot(_forecast_prospects()), T)
    assert [(m.month, m.count, round(m.weighted_value), m.won) for m in months] == [
        (date(2026, 11, 1), 3, 60_000 + 10_000 + 60_000, 500_000),
        (date(2026, 12, 1), 1, 150_000, 0),
        (date(2027, 1, 1), 1, 0, 0),
        (date(2027, 2, 1), 0, 0, 0),
        (date(2027, 3, 1), 0, 0, 0),
        (date(2027, 4, 1), 1, 40_000, 0),
    ]
    assert all(m.pace is None and not m.famine for m in months)


def test_slipped_deals_are_the_open_ones_whose_close_date_is_gone():
    slipped_ = slipped(snapshot(_forecast_prospects()))
    # 1 Nov (Lead, 100,000 x 0.10) and 31 Oct (Trial, 100,000 x 0.60); 30 Nov is still to come,
    # the won one is closed, the undated one cannot slip
    assert (slipped_.count, slipped_.value, round(slipped_.weighted_value)) == (2, 200_000, 70_000)
    # the close date is a day: a deal due today has not slipped yet
    today = prospect(stage="Lead", value=100, expected_close=NOW.date())
    assert slipped(snapshot([today])).count == 0
    assert slipped(snapshot([today], now=NOW + timedelta(days=1))).count == 1


@pytest.mark.parametrize(("period", "pace"), [("month", 120_000), ("quarter", 40_000), ("year", 10_000)])
def test_forecast_pace_is_target_over_months_in_period(period, pace):
    months = forecast(snapshot(_forecast_prospects(), quota=Quota(period, 120_000)), T)
    assert {m.pace for m in months} == {pace}
    assert [m.famine for m in months] == [m.won + m.weighted_value < pace for m in months]


def test_famine_flags_the_months_under_pace():
    months = forecast(snapshot(_forecast_prospects(), quota=Quota("quarter", 180_000)), T)  # pace 60,000
    # November has won 500,000 and December expects 150,000: neither is a famine
    assert [m.famine for m in months] == [False, False, True, True, True, True]
    # this month's won counts against its pace: 30,000 won and 20,000 expected fall short of 60,000
    short = [won(30_000, NOW), prospect(stage="Trial", value=33_334, expected_close=NOW.date())]
    assert forecast(snapshot(short, quota=Quota("quarter", 180_000)), T)[0].famine is True


def test_forecast_length_comes_from_thresholds():
    months = forecast(snapshot(now=at("2026-12-31 23:00")), Thresholds(forecast_months=3))
    assert [m.month for m in months] == [date(2026, 12, 1), date(2027, 1, 1), date(2027, 2, 1)]


# ---- properties ------------------------------------------------------------------------------

PERIOD_NOW = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31))


@st.composite
def quota_snapshots(draw):
    now = draw(PERIOD_NOW)
    prospects = []
    for index in range(draw(st.integers(0, 12))):
        stage = draw(st.sampled_from(STAGES))
        closed_at = None
        if stage.kind != "open" or draw(st.booleans()):
            closed_at = now - timedelta(minutes=draw(st.integers(0, 600 * 24 * 60)))
        close = draw(
            st.none() | st.integers(-400, 400).map(lambda d, now=now: now.date() + timedelta(days=d))
        )
        prospects.append(
            prospect(
                index + 1,
                stage,
                now=now,
                value=draw(st.none() | st.integers(0, 10**9)),
                probability=draw(st.none() | st.floats(0, 1)),
                expected_close=close,
                closed_at=closed_at,
            )
        )
    quota = Quota(draw(st.sampled_from(["month", "quarter", "year"])), draw(st.integers(0, 10**10)))
    return snapshot(prospects, now=now, quota=quota)


@settings(max_examples=200, deadline=None)
@given(quota_snapshots())
def test_gap_and_needed_properties(snap):
    figures = quota_figures(snap, T)
    assert figures.gap >= 0
    assert figures.gap == max(0, figures.target - figures.won - figures.expected)
    needed = figures.new_prospects_needed
    divisor = figures.average_won_value * figures.lead_to_win.rate
    if figures.gap == 0:
        assert needed == 0
    elif divisor == 0:
        assert needed is None
    else:
        assert needed * divisor >= figures.gap  # exact: Fractions
        assert (needed - 1) * divisor < figures.gap  # and the least such number


@settings(max_examples=200, deadline=None)
@given(
    gap=st.integers(-(10**9), 10**12),
    average=st.fractions(min_value=0, max_value=10**9, max_denominator=1000),
    rate=st.fractions(min_value=0, max_value=1, max_denominator=1000),
)
def test_needed_times_average_times_rate_covers_the_gap(gap, average, rate):
    needed = new_prospects_needed(gap, average, rate)
    if needed is not None:
        assert needed >= 0
        assert needed * average * rate >= gap
    else:
        assert gap > 0 and average * rate == 0


# ---- lead-to-win rate (issue 20) ---------------------------------------------------------------

D = timedelta(days=1)


def _touched(stage="Lead", *, created_ago, idle, **fields):
    """An open prospect created ``created_ago`` before NOW, last touched ``idle`` before NOW."""
    return prospect(
        stage=stage,
        created=NOW - created_ago,
        stage_entered=NOW - max(idle, D * 0),
        updated=NOW - idle,
        **fields,
    )


def _cohort_snapshot():
    created = NOW - 100 * D
    return snapshot(
        [
            won(100_000, NOW - 10 * D, created=created, source="referral"),
            won(50_000, NOW - 20 * D, created=created, source="Referral "),
            lost(70_000, NOW - 5 * D, created=created, source="cold call"),
            # aged out: idle exactly 21 days, and 40
            _touched(created_ago=60 * D, idle=21 * D, source="cold call"),
            _touched(created_ago=60 * D, idle=40 * D, source="website"),
            # active: idle 20 days and 23 hours, and a follow-up done yesterday
            _touched(created_ago=60 * D, idle=21 * D - timedelta(hours=1)),
            _touched(created_ago=60 * D, idle=50 * D, history=History(last_activity=NOW - D)),
            # snoozed with a reason: not aged out; snoozed without one: aged out
            _touched(created_ago=60 * D, idle=50 * D, snoozed_until=NOW + D, snooze_reason="budget in May"),
            _touched(
                created_ago=60 * D, idle=50 * D, snoozed_until=NOW + D, snooze_reason=" ", source="website"
            ),
            # created before the look-back window: counted nowhere, won or aged
            won(1, NOW - 10 * D, created=NOW - 366 * D),
            _touched(created_ago=366 * D, idle=100 * D),
            # created in the window but closed before it opened (bad data): not in the cohort
            lost(1, NOW - 400 * D, created=NOW - 300 * D),
        ]
    )


def test_lead_to_win_counts_won_lost_and_aged_out_of_the_prospects_created_in_the_window():
    snap = _cohort_snapshot()
    tallies = cohort(snap, T)
    rate = lead_to_win(snap, T, tallies)
    assert (rate.won, rate.lost, rate.aged_out, rate.decided) == (2, 1, 3, 6)
    assert (rate.rate, rate.source) == (Fraction(2, 6), "history")
    assert tallies["cold call"] == SourceTally(won=0, lost=1, aged_out=1, won_value=0)
    assert tallies["website"] == SourceTally(aged_out=2)


def test_lead_to_win_falls_back_to_the_lead_stage_until_five_are_decided():
    snap = snapshot([won(1, NOW - D, created=NOW - 2 * D) for _ in range(4)])
    rate = lead_to_win(snap, T, cohort(snap, T))
    assert (rate.rate, rate.source, rate.decided) == (Fraction(1, 10), "stage", 4)
    five = snapshot([won(1, NOW - D, created=NOW - 2 * D) for _ in range(4)] + [lost(1, NOW, created=NOW)])
    assert lead_to_win(five, T, cohort(five, T)).rate == Fraction(4, 5)
    # nothing decided, even with the minimum at 0: the lead stage's odds, never 0 / 0
    none = snapshot()
    assert lead_to_win(none, Thresholds(win_rate_min_closed=0), cohort(none, T)).source == "stage"


def test_new_prospects_needed_use_the_lead_to_win_rate_not_the_win_rate():
    # 5 won of 5 closed: the win rate is 100%; but 15 more aged out: lead-to-win is 5 / 20
    prospects = [won(100_000, NOW - D, created=NOW - 50 * D) for _ in range(5)]
    prospects += [_touched(created_ago=60 * D, idle=30 * D) for _ in range(15)]
    figures = quota_figures(snapshot(prospects, quota=Quota("quarter", 2_000_000)), T)
    assert figures.win_rate == 1
    assert figures.lead_to_win.rate == Fraction(1, 4)
    # gap: 2,000,000 - 500,000 won - 15 leads without value; 1,500,000 / (100,000 x 1/4) = 60
    assert figures.new_prospects_needed == 60


@pytest.mark.parametrize(
    ("now", "kind", "left"),
    [
        (at("2026-11-20 10:00"), "quarter", 42),  # 20 Nov to 31 Dec, both counted
        (at("2026-12-31 23:59"), "quarter", 1),
        (at("2026-10-01 00:00"), "quarter", 92),
        (at("2026-11-26 09:30"), "month", 5),
        (at("2028-02-29 09:00"), "month", 1),
        (at("2026-01-01 09:00"), "year", 365),
    ],
)
def test_days_left_count_today_and_the_last_day(now, kind, left):
    assert days_left(quota_period(kind, now), now) == left


def test_pace_per_week_and_month_spreads_what_is_still_to_win_over_the_days_left():
    now = at("2026-11-20 10:00")  # 42 days left in the quarter: 6 weeks
    snap = snapshot([won(300_000, at("2026-10-05 10:00"))], now=now, quota=Quota("quarter", 1_560_000))
    figures = quota_figures(snap, T)
    assert figures.days_left == 42
    assert figures.still_to_win == 1_260_000
    assert figures.pace_per_week == 210_000  # 1,260,000 / 6 weeks
    assert figures.pace_per_month == pytest.approx(1_260_000 * (365.25 / 12) / 42)
    # one decided: the lead stage's 0.10 stands in; one new prospect brings 300,000 x 0.10
    assert figures.new_prospects_needed == 1_260_000 // 30_000
    assert figures.new_prospects_per_week == 7  # 42 needed over 6 weeks


def test_under_a_week_left_all_the_new_prospects_are_needed_this_week():
    now = at("2026-12-29 10:00")  # 3 days left
    snap = snapshot([won(100_000, at("2026-10-05 10:00"))], now=now, quota=Quota("quarter", 400_000))
    figures = quota_figures(snap, T)
    assert figures.new_prospects_needed == 30
    assert figures.new_prospects_per_week == 30


# ---- properties (issue 20) ---------------------------------------------------------------------


@st.composite
def cohorts(draw):
    """Prospects created in the look-back window: won, lost, active or aged out."""
    now = draw(PERIOD_NOW)
    prospects = []
    for _ in range(draw(st.integers(0, 15))):
        created = now - timedelta(days=draw(st.integers(0, 364)))
        kind = draw(st.sampled_from(["won", "lost", "open"]))
        if kind == "open":
            idle = timedelta(hours=draw(st.integers(0, 24 * 60)))
            prospects.append(
                prospect(stage="Lead", now=now, created=created, updated=now - idle, stage_entered=created)
            )
        else:
            maker = won if kind == "won" else lost
            prospects.append(maker(1, now, created=created))
    return now, prospects


@settings(max_examples=200, deadline=None)
@given(cohorts(), st.integers(1, 20), st.integers(0, 6))
def test_lead_to_win_is_a_rate_and_more_aged_out_deals_never_raise_it(drawn, extra, minimum):
    now, prospects = drawn
    thresholds = Thresholds(win_rate_min_closed=minimum)

    def rate_of(items):
        snap = snapshot(items, now=now)
        return lead_to_win(snap, thresholds, cohort(snap, thresholds))

    before = rate_of(prospects)
    aged = [
        prospect(stage="Lead", now=now, created=now - timedelta(days=30), updated=now - timedelta(days=22))
        for _ in range(extra)
    ]
    after = rate_of(prospects + aged)
    assert 0 <= before.rate <= 1 and 0 <= after.rate <= 1
    assert after.aged_out == before.aged_out + extra
    if before.source == "history":  # both from history: the stand-in below the minimum is no history
        assert after.source == "history"
        assert after.rate <= before.rate
    if after.source == "stage":
        assert after.rate == Fraction(1, 10)


@settings(max_examples=200, deadline=None)
@given(PERIOD_NOW, st.integers(1, 24))
def test_forecast_months_are_consecutive_and_start_now(now, count):
    months = forecast(snapshot(now=now), Thresholds(forecast_months=count))
    assert len(months) == count
    assert months[0].month == now.date().replace(day=1)
    for before, after in zip(months, months[1:], strict=False):
        assert after.month == before.month + relativedelta(months=1)
