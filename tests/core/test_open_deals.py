"""The open sums from groups of deals (as a database's GROUP BY hands them over) equal the
sums taken deal by deal."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline_tui.core.aging import aged_out_cutoff, snooze_stands, touched_last
from pipeline_tui.core.domain import Snapshot, Stage
from pipeline_tui.core.open_deals import (
    BORN,
    IN_LOOKBACK,
    THIS_WEEK,
    UNTOUCHED,
    group_deals,
    marks,
    sum_deal_groups,
    sum_open_deals,
)
from pipeline_tui.core.settings import Thresholds

NOW = datetime(2026, 11, 26, 9, 30)  # a Thursday
STAGES = (
    Stage(1, 1, "Lead", 1, 0.1, role="lead"),
    Stage(2, 1, "Qualified", 2, 0.2, role="qualified"),
    Stage(3, 1, "Trial", 3, 0.4, role="trial"),
    Stage(4, 1, "Proposal", 4, 0.6, role="proposal"),
    Stage(5, 1, "Other", 5, 0.5),
)


def per_deal(snapshot: Snapshot, thresholds: Thresholds, deals, dues):
    """The sums deal by deal, as the report took them before it read groups: the oracle."""
    now = snapshot.now
    lookback = now - timedelta(days=thresholds.lookback_days)
    monday = datetime.combine(now.date() - timedelta(days=now.weekday()), datetime.min.time())
    cutoff = aged_out_cutoff(now, thresholds)
    role_of = {stage.id: stage.role for stage in snapshot.stages}
    buckets: dict = defaultdict(lambda: [0, 0])
    aged_out: dict = defaultdict(int)
    valued = value = early = late = created = 0
    for stage_id, close, probability, worth, born, entered, updated, activity, until, reason, source in deals:
        bucket = buckets[(stage_id, close, probability)]
        bucket[0] += 1
        if worth is not None:
            bucket[1] += worth
            valued += 1
            value += worth
        early += role_of[stage_id] in ("lead", "qualified")
        late += role_of[stage_id] in ("trial", "proposal")
        if born <= now:
            created += born >= monday
            stale = touched_last(entered, updated, activity) <= cutoff
            if born >= lookback and stale and not snooze_stands(until, reason, now):
                aged_out[source] += 1
    horizon = now + timedelta(days=thresholds.appointment_horizon_days)
    soon = sum(1 for due in dues if now <= due <= horizon)
    return dict(buckets), dict(aged_out), valued, value, early, late, soon, created


near = st.integers(min_value=-200 * 24, max_value=10 * 24).map(lambda hours: NOW + timedelta(hours=hours))
# moments on and around the marks themselves, where <= and < part
edges = st.sampled_from(list(marks(NOW, Thresholds()))).flatmap(
    lambda mark: st.sampled_from([mark, mark - timedelta(microseconds=1), mark + timedelta(microseconds=1)])
)
moments = st.one_of(near, edges)
deals = st.tuples(
    st.sampled_from([stage.id for stage in STAGES]),
    st.one_of(st.none(), st.sampled_from([date(2026, 11, 1), date(2026, 11, 26), date(2027, 1, 31)])),
    st.one_of(st.none(), st.sampled_from([0.0, 0.35, 1.0])),
    st.one_of(st.none(), st.integers(min_value=0, max_value=10**12)),
    moments,
    moments,
    st.one_of(st.none(), moments),
    st.one_of(st.none(), moments),
    st.one_of(st.none(), moments),
    st.sampled_from(["", " ", "\t", "waiting on budget", "予算"]),
    st.sampled_from(["web", "referral", ""]),
)


def merged(groups: list[tuple], keys: int) -> list[tuple]:
    """Groups of equal keys (the first ``keys`` fields) added up, the rest summed field by
    field: what a GROUP BY over these deals returns."""
    found: dict[tuple, list[int]] = {}
    for group in groups:
        key, counts = group[:keys], group[keys:]
        total = found.setdefault(key, [0] * len(counts))
        for i, count in enumerate(counts):
            total[i] += count
    return [key + tuple(counts) for key, counts in found.items()]


@settings(max_examples=300, deadline=None)
@given(st.lists(deals, max_size=40), st.lists(moments, max_size=5), st.integers(min_value=1, max_value=400))
def test_the_sums_of_grouped_deals_equal_the_sums_deal_by_deal(found, dues, days):
    thresholds = Thresholds(lookback_days=days, stale_after_days=days // 3 + 1)
    snapshot = Snapshot(now=NOW, pipelines=(), stages=STAGES, prospects=())
    expected = per_deal(snapshot, thresholds, found, dues)
    values, ages = group_deals(found, marks(NOW, thresholds))
    assert tuple(sum_open_deals(snapshot, thresholds, found, dues)) == expected
    # a database hands over each group once, however many deals it holds
    grouped = sum_deal_groups(snapshot, thresholds, merged(values, 3), merged(ages, 3), dues)
    assert tuple(grouped) == expected


def test_a_group_of_many_deals_counts_each_of_them():
    thresholds = Thresholds()
    at = marks(NOW, thresholds)
    old = NOW - timedelta(days=thresholds.stale_after_days + 1)
    snapshot = Snapshot(now=NOW, pipelines=(), stages=STAGES, prospects=())
    values = [(1, None, None, 7, 5, 500), (3, date(2026, 12, 1), 0.5, 2, 0, 0)]
    aged = BORN | IN_LOOKBACK | UNTOUCHED
    ages = [
        ("web", aged | THIS_WEEK, None, 4),  # aged out, created this week
        ("web", aged, "  ", 3),  # a blank reason does not hold a snooze
        ("web", aged, "busy", 2),  # snoozed with a reason
        ("web", aged - BORN, None, 6),  # created after now
        ("web", BORN | IN_LOOKBACK, None, 5),  # touched since the cutoff
    ]
    sums = sum_deal_groups(snapshot, thresholds, values, ages, [NOW, old])
    assert at.cutoff < NOW
    assert sums.buckets == {(1, None, None): [7, 500], (3, date(2026, 12, 1), 0.5): [2, 0]}
    assert (sums.valued, sums.value, sums.early, sums.late) == (5, 500, 7, 2)
    assert sums.aged_out == {"web": 7}
    assert (sums.created_this_week, sums.appointments_soon) == (4, 1)
