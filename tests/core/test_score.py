"""The 0-100 score (README "The figures and the advice"): each rule's points and reason, and
the six ordering guarantees."""

from __future__ import annotations

from bisect import bisect_left
from datetime import datetime, timedelta

import pytest
from core_factories import NOW, RENEWAL_STAGES, RENEWALS, SALES, STAGES, follow_up, prospect, snapshot, won
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline_tui.core.domain import DECISION_MAKER, FOLLOW_UP_KINDS, History
from pipeline_tui.core.score import (
    LADDER_RUNGS,
    ScoreContext,
    make_context,
    score_all,
    score_holds_until,
    score_prospect,
    value_ladder,
)
from pipeline_tui.core.settings import ScoreWeights, Thresholds

WEIGHTS = ScoreWeights()
T = Thresholds()
ALL_STAGES = STAGES + RENEWAL_STAGES
PIPELINES = (SALES, RENEWALS)


def score(p, others=(), *, now=NOW, weights=WEIGHTS, thresholds=T, explain=True):
    """Score ``p`` the way the app does: a snapshot holding it and the others, its context rebuilt."""
    snap = snapshot([p, *others], now=now, stages=ALL_STAGES, pipelines=PIPELINES)
    return score_prospect(p, snap.stage_of(p), make_context(snap), weights, thresholds, explain=explain)


def parts(result):
    return [str(part) for part in result.parts]


# ---- each rule, by hand ----------------------------------------------------------------------


def test_a_strong_prospect_shows_every_positive_rule_and_is_capped_at_100():
    others = [prospect(stage="Lead", value=v) for v in (100_000, 200_000, 300_000)]
    strong = prospect(
        stage="Trial",
        decision_maker="yes",
        value=400_000,
        expected_close=NOW.date() + timedelta(days=10),
        urgency="high",
        history=History(demo_or_trial=True, last_activity=NOW - timedelta(days=3)),
    )
    result = score(strong, others)
    assert parts(result) == [
        "+10 open deal",
        "+19 stage Trial (4 of 5)",  # 25 * 3/4 = 18.75
        "+20 decision maker confirmed",
        "+5 budget known",
        "+15 the largest open deal",  # it read "larger than 100% of open deals"
        "+10 expected to close in 10 days",
        "+10 high urgency",
        "+5 demo or trial under way",
        "+10 contact 3 days ago",
    ]
    assert sum(part.points for part in result.parts) == 104
    assert result.total == 100


def test_a_weak_prospect_shows_every_negative_rule_and_is_floored_at_0():
    weak = prospect(
        stage="Lead",
        decision_maker="no",
        expected_close=NOW.date() - timedelta(days=3),
        urgency="low",
        created=NOW - timedelta(days=30),
        follow_ups=[
            follow_up("call", NOW - timedelta(days=6, hours=2)),
            follow_up("email", NOW - timedelta(hours=1)),
        ],
    )
    result = score(weak)
    assert parts(result) == [
        "+10 open deal",
        "-10 contact cannot decide: find who can",
        "-5 expected close date passed 3 days ago",
        "-10 2 follow-ups overdue (oldest 6 days late)",
        "-10 no activity for 30 days",
    ]
    assert result.total == 0


def test_a_middling_prospect_sums_its_rules():
    others = [prospect(stage="Lead", value=100_000), prospect(stage="Proposal", value=300_000)]
    middling = prospect(
        stage="Qualified",
        value=200_000,
        expected_close=NOW.date() + timedelta(days=60),
        history=History(last_activity=NOW - timedelta(days=20)),
    )
    result = score(middling, others)
    assert parts(result) == [
        "+10 open deal",
        "+6 stage Qualified (2 of 5)",
        "+5 budget known",
        "+8 larger than 50% of open deals",
        "+5 expected to close in 60 days",
        "+5 medium urgency",
        "+5 contact 20 days ago",
    ]
    assert result.total == 44


@pytest.mark.parametrize(
    ("days", "reason"),
    [
        (0, "+10 expected to close in 0 days"),
        (30, "+10 expected to close in 30 days"),
        (31, "+5 expected to close in 31 days"),
        (90, "+5 expected to close in 90 days"),
        (91, None),
        (-1, "-5 expected close date passed 1 day ago"),
    ],
)
def test_close_date_bands(days, reason):
    result = score(prospect(stage="Lead", urgency="low", expected_close=NOW.date() + timedelta(days=days)))
    close_parts = [text for text in parts(result) if "close" in text]
    assert close_parts == ([reason] if reason else [])


@pytest.mark.parametrize(
    ("ago", "reason"),
    [
        (timedelta(days=7, hours=23), "+10 contact 7 days ago"),
        (timedelta(days=8), "+5 contact 8 days ago"),
        (timedelta(days=30, hours=5), "+5 contact 30 days ago"),
        (timedelta(days=31), None),
    ],
)
def test_contact_bands(ago, reason):
    p = prospect(stage="Lead", urgency="low", history=History(last_activity=NOW - ago))
    contact_parts = [text for text in parts(score(p)) if "contact" in text]
    assert contact_parts == ([reason] if reason else [])


def test_an_open_demo_counts_as_under_way_and_an_overdue_one_is_overdue_too():
    upcoming = prospect(stage="Lead", urgency="low", follow_ups=[follow_up("trial", NOW + timedelta(days=2))])
    assert "+5 demo or trial under way" in parts(score(upcoming))
    late = prospect(stage="Lead", urgency="low", follow_ups=[follow_up("demo", NOW - timedelta(minutes=5))])
    assert parts(score(late)) == ["+10 open deal", "+5 demo or trial under way", "-5 1 follow-up overdue"]


def test_overdue_penalty_counts_at_most_three():
    many = [follow_up("call", NOW - timedelta(days=d + 1)) for d in range(5)]
    result = score(prospect(stage="Lead", urgency="low", follow_ups=many))
    assert "-15 5 follow-ups overdue (oldest 5 days late)" in parts(result)


def test_stale_counts_from_the_latest_of_activity_stage_change_and_creation():
    created = NOW - timedelta(days=100)
    old = prospect(stage="Lead", urgency="low", created=created, stage_entered=NOW - timedelta(days=22))
    assert "-10 no activity for 22 days" in parts(score(old))
    moved = old._replace(stage_entered=NOW - timedelta(days=21))
    assert not any("no activity" in text for text in parts(score(moved)))
    active = old._replace(history=History(last_activity=NOW - timedelta(days=2)))
    assert not any("no activity" in text for text in parts(score(active)))
    assert "-10 no activity for 31 days" in parts(
        score(
            old._replace(stage_entered=NOW - timedelta(days=31)), thresholds=Thresholds(stale_after_days=30)
        )
    )
    assert not any(
        "no activity" in text for text in parts(score(old, thresholds=Thresholds(stale_after_days=30)))
    )


def test_budget_size_needs_other_open_values():
    alone = prospect(stage="Lead", value=100_000, urgency="low")
    assert parts(score(alone)) == ["+10 open deal", "+5 budget known"]
    # the smallest of several gets no size points; closed prospects are not compared against
    smallest = prospect(stage="Lead", value=1, urgency="low")
    others = [prospect(stage="Trial", value=500), won(10**9, NOW)]
    assert parts(score(smallest, others)) == ["+10 open deal", "+5 budget known"]


def test_weights_are_configurable():
    p = prospect(stage="Lead", decision_maker="yes", urgency="low")
    assert parts(score(p)) == ["+10 open deal", "+20 decision maker confirmed"]
    custom = ScoreWeights(base=0, decision_maker_yes=33)
    assert parts(score(p, weights=custom)) == ["+33 decision maker confirmed"]
    assert score(p, weights=custom).total == 33
    stage_heavy = ScoreWeights(stage=40)
    assert "+40 stage Proposal (5 of 5)" in parts(score(prospect(stage="Proposal"), weights=stage_heavy))


def test_score_all_scores_open_prospects_only():
    a = prospect(stage="Lead")
    b = prospect(stage=RENEWAL_STAGES[1], decision_maker="yes")
    closed = won(1_000, NOW)
    snap = snapshot([a, b, closed], stages=ALL_STAGES, pipelines=PIPELINES)
    scores = score_all(snap, WEIGHTS, T)
    assert set(scores) == {a.id, b.id}
    assert scores[a.id] == score(a, [b, closed])
    assert "+25 stage Negotiating (2 of 2)" in parts(scores[b.id])


# ---- properties ------------------------------------------------------------------------------

OPEN_STAGES = [s for s in ALL_STAGES if s.kind == "open"]
OPEN_BY_PIPELINE = {pid: [s for s in OPEN_STAGES if s.pipeline_id == pid] for pid in (1, 2)}
URGENCY_ORDER = ["low", "medium", "high"]

nows = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2028, 12, 31))
values = st.integers(0, 10**8)
minutes = st.integers(0, 300 * 24 * 60)


def _follow_ups(now):
    return st.lists(
        st.builds(
            lambda kind, offset: follow_up(kind, now + timedelta(minutes=offset)),
            st.sampled_from(FOLLOW_UP_KINDS),
            st.integers(-60 * 24 * 60, 60 * 24 * 60),
        ),
        max_size=3,
    )


def _overdue(now):
    return st.lists(
        st.builds(
            lambda kind, ago: follow_up(kind, now - timedelta(minutes=ago)),
            st.sampled_from(FOLLOW_UP_KINDS),
            st.integers(1, 60 * 24 * 60),
        ),
        max_size=5,
    )


@st.composite
def a_prospect(draw, now):
    created = now - timedelta(minutes=draw(minutes))
    entered = created + (now - created) * draw(st.floats(0, 1))
    last_activity = draw(st.none() | minutes.map(lambda m: now - timedelta(minutes=m)))
    return prospect(
        stage=draw(st.sampled_from(OPEN_STAGES)),
        now=now,
        created=created,
        stage_entered=entered,
        decision_maker=draw(st.sampled_from(DECISION_MAKER)),
        value=draw(st.none() | values),
        expected_close=draw(st.none() | st.integers(-120, 200).map(lambda d: now.date() + timedelta(days=d))),
        urgency=draw(st.sampled_from(URGENCY_ORDER)),
        probability=draw(st.none() | st.floats(0, 1)),
        follow_ups=draw(_follow_ups(now)),
        history=History(
            last_activity=last_activity,
            last_contact=last_activity if draw(st.booleans()) else None,
            demo_or_trial=draw(st.booleans()),
        ),
    )


@st.composite
def worlds(draw):
    """A moment, one prospect to vary, and the other open prospects it is compared against."""
    now = draw(nows)
    base = draw(a_prospect(now))
    others = draw(st.lists(a_prospect(now), max_size=4))
    return now, base, others


def total(p, others, now):
    return score(p, others, now=now).total


PROPERTY = settings(max_examples=200, deadline=None)


@PROPERTY
@given(worlds(), st.sampled_from(["no", "unknown"]))
def test_confirmed_decision_maker_scores_at_least_unconfirmed(world, unconfirmed):
    now, base, others = world
    yes = base._replace(decision_maker="yes")
    assert total(yes, others, now) >= total(base._replace(decision_maker=unconfirmed), others, now)


@PROPERTY
@given(worlds(), values, values)
def test_larger_value_scores_at_least_smaller(world, a, b):
    now, base, others = world
    small, large = sorted((a, b))
    assert total(base._replace(value=large), others, now) >= total(base._replace(value=small), others, now)


@PROPERTY
@given(worlds(), st.integers(0, 2), st.integers(0, 2))
def test_higher_urgency_scores_at_least_lower(world, a, b):
    now, base, others = world
    low, high = (URGENCY_ORDER[i] for i in sorted((a, b)))
    assert total(base._replace(urgency=high), others, now) >= total(base._replace(urgency=low), others, now)


@PROPERTY
@given(worlds(), st.data())
def test_later_open_stage_scores_at_least_earlier(world, data):
    now, base, others = world
    opens = OPEN_BY_PIPELINE[base.pipeline_id]
    i, j = sorted(data.draw(st.lists(st.integers(0, len(opens) - 1), min_size=2, max_size=2)))
    earlier = base._replace(stage_id=opens[i].id)
    later = base._replace(stage_id=opens[j].id)
    assert total(later, others, now) >= total(earlier, others, now)


@PROPERTY
@given(worlds(), st.data())
def test_fewer_overdue_follow_ups_score_at_least_more(world, data):
    now, base, others = world
    some = data.draw(_overdue(now))
    extra = data.draw(_overdue(now).filter(bool))
    # Equal in all else: an extra overdue demo or trial also means "ever had a demo or trial",
    # which the store records in the history of both (a guarantee compares prospects equal but in one).
    demo = base.history.demo_or_trial or any(f.kind in ("demo", "trial") for f in some + extra)
    history = base.history._replace(demo_or_trial=demo)
    fewer = base._replace(open_follow_ups=base.open_follow_ups + tuple(some), history=history)
    more = fewer._replace(open_follow_ups=fewer.open_follow_ups + tuple(extra))
    assert sum(f.due < now for f in more.open_follow_ups) > sum(f.due < now for f in fewer.open_follow_ups)
    assert total(fewer, others, now) >= total(more, others, now)


@PROPERTY
@given(worlds(), st.none() | minutes, minutes)
def test_more_recent_contact_scores_at_least_older(world, older_ago, newer_ago):
    now, base, others = world
    if older_ago is not None:
        older_ago, newer_ago = max(older_ago, newer_ago), min(older_ago, newer_ago)
    older = None if older_ago is None else now - timedelta(minutes=older_ago)
    newer = now - timedelta(minutes=newer_ago)
    recent = base._replace(history=base.history._replace(last_activity=newer))
    old = base._replace(history=base.history._replace(last_activity=older))
    assert total(recent, others, now) >= total(old, others, now)


weights = st.builds(ScoreWeights, **{name: st.integers(-60, 60) for name in ScoreWeights._fields})


@PROPERTY
@given(worlds(), weights)
def test_score_is_the_clamped_sum_of_its_parts(world, custom):
    now, base, others = world
    for w in (WEIGHTS, custom):
        result = score(base, others, now=now, weights=w)
        assert 0 <= result.total <= 100
        assert result.total == max(0, min(100, sum(part.points for part in result.parts)))
        assert all(part.points != 0 and part.reason for part in result.parts)


@PROPERTY
@given(worlds(), weights)
def test_a_score_without_its_reasons_has_the_same_total(world, custom):
    """The board ranks by ``explain=False`` scores, the detail pane shows explained ones: the
    two must never disagree."""
    now, base, others = world
    for w in (WEIGHTS, custom):
        explained = score(base, others, now=now, weights=w)
        quick = score(base, others, now=now, weights=w, explain=False)
        assert quick.total == explained.total
        assert quick.parts == ()


# ---- how long a score holds, and the ladder budgets rank against --------------------------


@PROPERTY
@given(worlds(), weights, st.lists(st.integers(0, 400 * 24 * 60), min_size=1, max_size=6))
def test_a_score_holds_until_the_moment_the_core_names(world, custom, later_minutes):
    """The store keeps a score until :func:`score_holds_until`: the total must not change
    before that moment, whatever happens to the clock meanwhile."""
    now, base, others = world
    until = score_holds_until(base, now, T)
    assert until is None or until > now
    held = score(base, others, now=now, weights=custom).total
    for minutes_on in later_minutes:
        moment = now + timedelta(minutes=minutes_on)
        if until is None or moment < until:
            assert score(base, others, now=moment, weights=custom).total == held, (moment, until)


def test_a_score_holding_until_an_overdue_follow_up_changes_at_that_moment():
    due = NOW + timedelta(hours=2)
    waiting = prospect(follow_ups=[follow_up("call", due)], created=NOW - timedelta(hours=1))
    assert score_holds_until(waiting, NOW, T) == due + timedelta(microseconds=1)
    assert score(waiting, now=due).total == score(waiting).total
    assert (
        score(waiting, now=due + timedelta(minutes=1)).total
        == score(waiting).total + WEIGHTS.overdue_follow_up
    )


@given(st.lists(st.integers(0, 10**9), max_size=400))
def test_the_ladder_is_every_value_up_to_101_and_else_every_percentile(values):
    ladder = value_ladder(values)
    ordered = sorted(values)
    if len(values) <= LADDER_RUNGS:
        assert ladder == tuple(ordered)
        return
    assert len(ladder) == LADDER_RUNGS and list(ladder) == sorted(ladder)
    assert (ladder[0], ladder[-1]) == (ordered[0], ordered[-1])
    context = ScoreContext(NOW, ladder, {})
    for value in ordered[:: max(1, len(ordered) // 20)]:
        exact = bisect_left(ordered, value) / (len(ordered) - 1)
        assert abs(context.value_rank(value) - exact) <= 0.02, value


@pytest.mark.parametrize(
    "fields, changes_at",
    [
        (
            {"expected_close": (NOW + timedelta(days=95)).date()},
            datetime.combine((NOW + timedelta(days=5)).date(), datetime.min.time()),
        ),
        (
            {"expected_close": (NOW + timedelta(days=40)).date()},
            datetime.combine((NOW + timedelta(days=10)).date(), datetime.min.time()),
        ),
        (
            {"expected_close": (NOW + timedelta(days=3)).date()},
            datetime.combine((NOW + timedelta(days=4)).date(), datetime.min.time()),
        ),
        (
            {"history": History(last_activity=NOW - timedelta(days=2, hours=3))},
            NOW + timedelta(days=5, hours=21),
        ),
        ({"history": History(last_activity=NOW - timedelta(days=20))}, NOW + timedelta(days=11)),
        ({"created": NOW - timedelta(days=15)}, NOW + timedelta(days=7)),  # stale after 21 days
    ],
)
def test_each_rule_that_reads_the_clock_says_when_it_changes(fields, changes_at):
    """One clock rule at a time: the score holds until the moment named, and changes there."""
    fields.setdefault("created", NOW - timedelta(hours=1))
    if "history" in fields:  # stale counts from the last activity: keep it out of the way
        fields["created"] = NOW - timedelta(hours=1)
    deal = prospect(**fields)
    assert score_holds_until(deal, NOW, T) == changes_at
    before = score(deal, now=changes_at - timedelta(minutes=1)).total
    assert before == score(deal).total
    assert score(deal, now=changes_at).total != before
