"""How much an open prospect deserves the next hour: a 0–100 sum of named, explained rules.

Each rule returns points and a one-line reason, so the detail pane can show why a prospect
ranks where it does. Every rule is monotone in the one thing it reads, which is what makes the
ordering guarantees in the README's "The figures and the advice" hold (see the hypothesis tests).

The board orders its columns by a score the database stores (see ``services.scores``): this
module still computes it, and says until when it holds (:func:`score_holds_until`), so that
the store knows which scores the passing of time changes.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, time, timedelta
from typing import NamedTuple

from pipeline_tui.core.domain import DEMO_KINDS, OPEN, Prospect, Snapshot, Stage
from pipeline_tui.core.lateness import days_late
from pipeline_tui.core.settings import ScoreWeights, Thresholds
from pipeline_tui.core.wording import plural


class ScorePart(NamedTuple):
    """The points one rule gave, and why."""

    points: int
    reason: str

    def __str__(self) -> str:
        return f"{self.points:+d} {self.reason}"


class Score(NamedTuple):
    """A prospect's score and the parts it adds up from."""

    total: int
    parts: tuple[ScorePart, ...]


class ScoreContext(NamedTuple):
    """What scoring one prospect needs to know about the others."""

    now: datetime
    open_values: Sequence[int]  # the open prospects' values a budget ranks against: value_ladder
    open_stages: dict[int, list[Stage]]  # pipeline id -> its open stages, in order

    def value_rank(self, value: int) -> float | None:
        """Where a value stands among the open prospects' (0 the least, 1 the most), or None
        when there are not two values to compare."""
        return rank_among(bisect_left(self.open_values, value), len(self.open_values))


def rank_among(below: int, count: int) -> float | None:
    """``below`` values less than this one out of ``count``: its place from 0 to 1."""
    return None if count <= 1 else min(below / (count - 1), 1.0)


LADDER_RUNGS = 101


def value_ladder(values: Iterable[int]) -> tuple[int, ...]:
    """The open deals' values a budget ranks against: all of them, sorted, when there are at
    most 101; else 101 of them evenly spaced from the least to the most (every percentile).
    A budget's rank among the rungs is then its rank among all values to within a percent,
    and one deal more or less moves few budgets across a rung (the stored scores, see
    ``services.scores``, would otherwise all change with every deal won)."""
    ordered = sorted(values)
    count = len(ordered)
    if count <= LADDER_RUNGS:
        return tuple(ordered)
    last = LADDER_RUNGS - 1
    return tuple(ordered[(rung * (count - 1) + last // 2) // last] for rung in range(LADDER_RUNGS))


def open_stages_by_pipeline(stages: Iterable[Stage]) -> dict[int, list[Stage]]:
    """Each pipeline's open stages, in order: where a prospect's stage ranks."""
    grouped: dict[int, list[Stage]] = {}
    for stage in sorted(stages, key=lambda s: (s.pipeline_id, s.position, s.id)):
        if stage.kind == OPEN:
            grouped.setdefault(stage.pipeline_id, []).append(stage)
    return grouped


def make_context(snapshot: Snapshot) -> ScoreContext:
    """The context of a snapshot that holds every open prospect: their values make the ladder."""
    ladder = value_ladder(p.value for p in snapshot.open_prospects if p.value is not None)
    return ScoreContext(snapshot.now, ladder, open_stages_by_pipeline(snapshot.stages))


Explain = Callable[..., None]
"""Adds one rule's points and reason (``str.format`` with the values after it) to a score."""


def score_prospect(
    prospect: Prospect,
    stage: Stage,
    context: ScoreContext,
    weights: ScoreWeights,
    thresholds: Thresholds,
    *,
    explain: bool = True,
) -> Score:
    """Sum the rules for one open prospect; the total is clamped to 0–100. Each rule's reason
    is filled in only when ``explain``: without, the total comes from :func:`score_total`."""
    if not explain:
        return Score(score_total(prospect, stage, context, weights, thresholds), ())
    parts: list[ScorePart] = []

    def add(points: float, reason: str, *values: object) -> None:
        points = round(points)
        if points:
            parts.append(ScorePart(points, reason.format(*values) if values else reason))

    add(weights.base, "open deal")
    _explain_the_deal(add, prospect, stage, context, weights)
    _explain_the_timing(add, prospect, context.now, weights)
    _explain_the_activity(add, prospect, context.now, weights, thresholds)
    total = sum(part.points for part in parts)
    return Score(max(0, min(100, total)), tuple(parts))


def _explain_the_deal(
    add: Explain, prospect: Prospect, stage: Stage, context: ScoreContext, weights: ScoreWeights
) -> None:
    """How far along it is, who decides, what budget."""
    opens = context.open_stages.get(prospect.pipeline_id, [])
    if len(opens) > 1 and stage in opens:
        step = opens.index(stage)
        add(weights.stage * step / (len(opens) - 1), "stage {} ({} of {})", stage.name, step + 1, len(opens))

    if prospect.decision_maker == "yes":
        add(weights.decision_maker_yes, "decision maker confirmed")
    elif prospect.decision_maker == "no":
        add(weights.decision_maker_no, "contact cannot decide: find who can")

    if prospect.value is not None:
        add(weights.budget_known, "budget known")
        rank = context.value_rank(prospect.value)
        if rank is not None:
            # "larger than 100%" read odd, and one short of the largest is not it
            said = (
                "the largest open deal"
                if rank >= 1
                else f"larger than {min(round(rank * 100), 99)}% of open deals"
            )
            add(weights.budget_size * rank, said)


def _explain_the_timing(add: Explain, prospect: Prospect, now: datetime, weights: ScoreWeights) -> None:
    """When it is expected to close, and how urgent it is."""
    if prospect.expected_close is not None:
        days = (prospect.expected_close - now.date()).days
        if days < 0:
            add(weights.close_date_passed, "expected close date passed {} ago", plural(-days, "day"))
        elif days <= 30:
            add(weights.close_within_30_days, "expected to close in {}", plural(days, "day"))
        elif days <= 90:
            add(weights.close_within_90_days, "expected to close in {}", plural(days, "day"))

    if prospect.urgency == "high":
        add(weights.urgency_high, "high urgency")
    elif prospect.urgency == "medium":
        add(weights.urgency_medium, "medium urgency")


def _explain_the_activity(
    add: Explain, prospect: Prospect, now: datetime, weights: ScoreWeights, thresholds: Thresholds
) -> None:
    """A demo or trial, the last contact, follow-ups overdue, and how long nothing happened."""
    if prospect.history.demo_or_trial or any(f.kind in DEMO_KINDS for f in prospect.open_follow_ups):
        add(weights.demo_or_trial, "demo or trial under way")

    contact = prospect.history.last_activity
    if contact is not None:
        days = (now - contact).days
        if days <= 7:
            add(weights.contact_within_7_days, "contact {} ago", plural(days, "day"))
        elif days <= 30:
            add(weights.contact_within_30_days, "contact {} ago", plural(days, "day"))

    overdue = [f for f in prospect.open_follow_ups if f.due < now]
    if overdue:
        counted = min(len(overdue), weights.overdue_counted_at_most)
        oldest = max(days_late(f.due, now) for f in overdue)
        late = f"{plural(oldest, 'day')} late"
        oldest_days = (f" (oldest {late})" if len(overdue) > 1 else f" ({late})") if oldest else ""
        add(
            weights.overdue_follow_up * counted,
            "{} overdue{}",
            plural(len(overdue), "follow-up"),
            oldest_days,
        )

    last_touch = max(d for d in (contact, prospect.stage_entered, prospect.created) if d)
    idle = (now - last_touch).days
    if idle > thresholds.stale_after_days:
        add(weights.stale, "no activity for {}", plural(idle, "day"))


def score_total(
    prospect: Prospect, stage: Stage, context: ScoreContext, weights: ScoreWeights, thresholds: Thresholds
) -> int:
    """The total :func:`score_prospect` gives, rule for rule the same sums without the reasons.

    The board ranks 10,000 cards by it; making each rule's part (a call, a record) was ~40% of
    scoring them. The two must change together: a hypothesis property holds their totals equal
    for any prospect, its neighbours and any weights (tests/core/test_score.py).
    """
    # two steps rather than one per group of rules: each call costs, 10,000 times over
    total = (
        round(weights.base)
        + _deal_points(prospect, stage, context, weights)
        + _activity_points(prospect, context.now, weights, thresholds)
    )
    return max(0, min(100, total))


def _deal_points(prospect: Prospect, stage: Stage, context: ScoreContext, weights: ScoreWeights) -> int:
    """:func:`_explain_the_deal`'s and :func:`_explain_the_timing`'s points."""
    total = 0
    opens = context.open_stages.get(prospect.pipeline_id, ())
    if len(opens) > 1 and stage in opens:
        total += round(weights.stage * opens.index(stage) / (len(opens) - 1))
    decision_maker = prospect.decision_maker
    if decision_maker == "yes":
        total += round(weights.decision_maker_yes)
    elif decision_maker == "no":
        total += round(weights.decision_maker_no)
    value = prospect.value
    if value is not None:
        total += round(weights.budget_known)
        rank = context.value_rank(value)
        if rank is not None:
            total += round(weights.budget_size * rank)
    close = prospect.expected_close
    if close is not None:
        days = (close - context.now.date()).days
        if days < 0:
            total += round(weights.close_date_passed)
        elif days <= 30:
            total += round(weights.close_within_30_days)
        elif days <= 90:
            total += round(weights.close_within_90_days)
    urgency = prospect.urgency
    if urgency == "high":
        total += round(weights.urgency_high)
    elif urgency == "medium":
        total += round(weights.urgency_medium)
    return total


def _activity_points(prospect: Prospect, now: datetime, weights: ScoreWeights, thresholds: Thresholds) -> int:
    """:func:`_explain_the_activity`'s points."""
    total = 0
    history = prospect.history
    follow_ups = prospect.open_follow_ups
    if history.demo_or_trial or any(f.kind in DEMO_KINDS for f in follow_ups):
        total += round(weights.demo_or_trial)
    contact = history.last_activity
    if contact is not None:
        days = (now - contact).days
        if days <= 7:
            total += round(weights.contact_within_7_days)
        elif days <= 30:
            total += round(weights.contact_within_30_days)
    if follow_ups:
        overdue = sum(1 for f in follow_ups if f.due < now)
        if overdue:
            total += round(weights.overdue_follow_up * min(overdue, weights.overdue_counted_at_most))
    last_touch = max(d for d in (contact, prospect.stage_entered, prospect.created) if d)
    if (now - last_touch).days > thresholds.stale_after_days:
        total += round(weights.stale)
    return total


def score_holds_until(prospect: Prospect, now: datetime, thresholds: Thresholds) -> datetime | None:
    """The first moment after ``now`` from which the rules that read the clock (close date,
    last contact, overdue follow-ups, staleness) may give another total; None if none will.
    Until then :func:`score_total` gives what it gives at ``now`` (a hypothesis property)."""
    moments: list[datetime | None] = []
    close = prospect.expected_close
    if close is not None:  # its bands: past, within 30 days, within 90, later
        midnight = datetime.combine(close, time())
        moments += [moment_after(midnight, timedelta(days=days)) for days in (-90, -30, 1)]
    contact = prospect.history.last_activity
    if contact is not None:  # its bands: within 7 days, within 30, longer ago
        moments += [moment_after(contact, timedelta(days=8)), moment_after(contact, timedelta(days=31))]
    # a follow-up is overdue once its time has passed, not at the moment itself
    moments += [moment_after(f.due, timedelta(microseconds=1)) for f in prospect.open_follow_ups]
    last_touch = max(d for d in (contact, prospect.stage_entered, prospect.created) if d)
    moments.append(moment_after(last_touch, timedelta(days=thresholds.stale_after_days + 1)))
    return min((moment for moment in moments if moment is not None and moment > now), default=None)


def moment_after(moment: datetime, delta: timedelta) -> datetime | None:
    """``moment + delta``, or None past the calendar's ends (a date typed as year 9999)."""
    try:
        return moment + delta
    except OverflowError:
        return None


def score_all(
    snapshot: Snapshot, weights: ScoreWeights, thresholds: Thresholds, *, explain: bool = True
) -> dict[int, Score]:
    """Scores of every open prospect in the snapshot, by prospect id."""
    context = make_context(snapshot)
    stage_by_id = snapshot.stage_by_id
    return {
        p.id: score_prospect(p, stage_by_id[p.stage_id], context, weights, thresholds, explain=explain)
        for p in snapshot.open_prospects
    }
