"""The quota arithmetic and pipeline figures (rules R1, R6, R7, R8): see the README's "The
figures and the advice" for what each one means to a salesperson.

Amounts are cents. Ratios that feed ``new_prospects_needed`` are kept as fractions so that
``needed × average × lead-to-win rate ≥ gap`` holds exactly, not just to float precision.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from fractions import Fraction
from typing import NamedTuple

from dateutil.relativedelta import relativedelta

from pipeline_tui.core.domain import LOST, OPEN, WON, ClosedTally, ReachCount, Snapshot, Stage
from pipeline_tui.core.open_deals import OpenSums, open_sums, weighted_buckets
from pipeline_tui.core.settings import Thresholds

WEEK_DAYS = 7
MONTH_DAYS = 365.25 / 12  # an average month, for a pace per month


class Period(NamedTuple):
    """A quota period: its kind and first and last day."""

    kind: str
    start: date
    end: date  # the last day, inclusive

    @property
    def months(self) -> int:
        return {"month": 1, "quarter": 3, "year": 12}[self.kind]


def quota_period(kind: str, now: datetime) -> Period:
    """The calendar month, quarter or year that holds ``now``."""
    today = now.date()
    if kind == "month":
        start = today.replace(day=1)
    elif kind == "quarter":
        start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    elif kind == "year":
        start = date(today.year, 1, 1)
    else:
        raise ValueError(f"unknown period {kind!r}")
    months = {"month": 1, "quarter": 3, "year": 12}[kind]
    end = start + relativedelta(months=months) - timedelta(days=1)
    return Period(kind, start, end)


class LeadToWin(NamedTuple):
    """Of the prospects created in the look-back window, the share that ended won: lost ones
    and open ones left alone too long (aged out) count against it, active open ones not at all.
    Until enough are decided, the lead stage's probability stands in (``source`` "stage")."""

    rate: Fraction
    won: int
    lost: int
    aged_out: int
    source: str  # "history" or "stage"

    @property
    def decided(self) -> int:
        return self.won + self.lost + self.aged_out


class QuotaFigures(NamedTuple):
    """The quota against what was won in its period, and what closing the gap takes."""

    period: Period
    target: int
    won: int
    expected: int
    gap: int
    win_rate: Fraction
    win_rate_is_fallback: bool
    average_won_value: Fraction
    new_prospects_needed: int | None
    lead_to_win: LeadToWin
    days_left: int  # from today to the period's last day, both counted
    pace_per_week: float  # cents still to win (target − won) per week left
    pace_per_month: float  # the same per average month left
    new_prospects_per_week: int | None  # new prospects needed per week left (all, under a week)

    @property
    def progress(self) -> float:
        """Won as a share of target (0 when there is no target)."""
        return self.won / self.target if self.target else 0.0

    @property
    def still_to_win(self) -> int:
        return max(0, self.target - self.won)


class StageFigures(NamedTuple):
    """One stage's count and value, plain and weighted by probability."""

    stage: Stage
    pipeline: str
    count: int
    value: int
    weighted_value: float


class Conversion(NamedTuple):
    """The share of prospects that reached one stage and went on to the next."""

    pipeline: str
    from_stage: str
    to_stage: str
    rate: float | None


class ForecastMonth(NamedTuple):
    """Open deals expected to close in one month, and their weighted value; the current month
    also holds the slipped deals (their close date passed) and what it has won so far."""

    month: date  # first day of the month
    count: int
    weighted_value: float
    pace: float | None  # the quota's monthly pace, when a quota is set
    won: int = 0  # cents won in the month so far (the current month only)

    @property
    def famine(self) -> bool:
        return self.pace is not None and self.won + self.weighted_value < self.pace


class Slipped(NamedTuple):
    """Open deals whose expected close date has passed."""

    count: int
    value: int  # cents
    weighted_value: float


def lookback_window(now: datetime, thresholds: Thresholds) -> tuple[datetime, datetime]:
    """The look-back window of the win rate and the average sale: the days before ``now``."""
    return now - timedelta(days=thresholds.lookback_days), now


def month_window(now: datetime) -> tuple[datetime, datetime]:
    """The calendar month that holds ``now``, from its first moment to its last."""
    first = now.date().replace(day=1)
    return period_window(Period("month", first, first + relativedelta(months=1) - timedelta(days=1)))


def period_window(period: Period) -> tuple[datetime, datetime]:
    """A quota period from its first moment to its last."""
    return datetime.combine(period.start, datetime.min.time()), datetime.combine(
        period.end, datetime.max.time()
    )


def closed_tally(snapshot: Snapshot, window: tuple[datetime, datetime]) -> ClosedTally:
    """Won and lost inside a window: as the store summarised it, else counted here."""
    if snapshot.closed_tallies is not None and window in snapshot.closed_tallies:
        return snapshot.closed_tallies[window]
    start, end = window
    won = lost = value = 0
    stage_by_id = snapshot.stage_by_id
    for p in snapshot.prospects:
        if p.closed_at is None or not start <= p.closed_at <= end:
            continue
        kind = stage_by_id[p.stage_id].kind
        if kind == WON:
            won += 1
            value += p.value or 0
        elif kind == LOST:
            lost += 1
    return ClosedTally(won, lost, value)


def won_in_period(snapshot: Snapshot, period: Period) -> int:
    """Total value of prospects moved to a won stage inside the period."""
    return closed_tally(snapshot, period_window(period)).won_value


def expected_in_period(snapshot: Snapshot, period: Period, sums: OpenSums | None = None) -> int:
    """Weighted value of open prospects due to close by the period's end (or undated), in cents."""
    sums = sums or open_sums(snapshot, Thresholds())
    total = 0.0
    for _, close, _, _, weighted in weighted_buckets(snapshot, sums):
        if close is None or close <= period.end:
            total += weighted
    return round(total)


def lead_probability(snapshot: Snapshot) -> float:
    """The probability of the ``lead``-role stage: the win-rate fallback."""
    pipeline_ids = [snapshot.pipeline_id] if snapshot.pipeline_id else [p.id for p in snapshot.pipelines]
    for pipeline_id in pipeline_ids:
        stages = snapshot.stages_by_pipeline.get(pipeline_id, [])
        for stage in stages:
            if stage.role == "lead":
                return stage.probability
        opens = [s for s in stages if s.kind == OPEN]
        if opens:
            return opens[0].probability
    return 0.0


def win_rate(snapshot: Snapshot, thresholds: Thresholds) -> tuple[Fraction, bool]:
    """Won ÷ closed over the look-back window, and whether the fallback was used."""
    tally = closed_tally(snapshot, lookback_window(snapshot.now, thresholds))
    won, lost = tally.won, tally.lost
    if won + lost < thresholds.win_rate_min_closed:
        return Fraction(str(lead_probability(snapshot))), True
    return Fraction(won, won + lost), False


class SourceTally(NamedTuple):
    """Prospects of one source created in the look-back window: how they ended so far."""

    won: int = 0
    lost: int = 0
    aged_out: int = 0
    won_value: int = 0  # cents


def cohort(
    snapshot: Snapshot, thresholds: Thresholds, sums: OpenSums | None = None
) -> dict[str, SourceTally]:
    """The prospects created in the look-back window, by source as typed: won, lost, and open
    ones aged out (see :func:`pipeline_tui.core.aging.is_aged_out`)."""
    start, end = lookback_window(snapshot.now, thresholds)
    kind_of = {stage.id: stage.kind for stage in snapshot.stages}
    counts: dict[str, list[int]] = {}
    closed = snapshot.cohort
    if closed is None:  # not summarised: the closed prospects are in the snapshot
        closed = [
            (p.source, p.stage_id, 1, p.value or 0)
            for p in snapshot.prospects
            if kind_of[p.stage_id] != OPEN
            and start <= p.created <= end
            and p.closed_at is not None
            and start <= p.closed_at <= end
        ]
    for source, stage_id, count, value in closed:
        row = counts.setdefault(source, [0, 0, 0, 0])
        if kind_of[stage_id] == WON:
            row[0] += count
            row[3] += value
        elif kind_of[stage_id] == LOST:
            row[1] += count
    for source, count in (sums or open_sums(snapshot, thresholds)).aged_out.items():
        counts.setdefault(source, [0, 0, 0, 0])[2] += count
    return {source: SourceTally(*row) for source, row in counts.items()}


def lead_to_win(snapshot: Snapshot, thresholds: Thresholds, tallies: dict[str, SourceTally]) -> LeadToWin:
    """Won ÷ decided over the cohort (``tallies``); the lead stage's probability until
    ``win_rate_min_closed`` are decided."""
    won = sum(t.won for t in tallies.values())
    lost = sum(t.lost for t in tallies.values())
    aged_out = sum(t.aged_out for t in tallies.values())
    decided = won + lost + aged_out
    if decided == 0 or decided < thresholds.win_rate_min_closed:
        return LeadToWin(Fraction(str(lead_probability(snapshot))), won, lost, aged_out, "stage")
    return LeadToWin(Fraction(won, decided), won, lost, aged_out, "history")


def average_won_value(snapshot: Snapshot, thresholds: Thresholds, sums: OpenSums | None = None) -> Fraction:
    """Mean value won over the look-back window; else the open prospects' mean value; else 0."""
    tally = closed_tally(snapshot, lookback_window(snapshot.now, thresholds))
    if tally.won:
        return Fraction(tally.won_value, tally.won)
    sums = sums or open_sums(snapshot, thresholds)
    if sums.valued:
        return Fraction(sums.value, sums.valued)
    return Fraction(0)


def new_prospects_needed(gap: int, average: Fraction, rate: Fraction) -> int | None:
    """How many new prospects, at the usual value and win rate, fill the gap."""
    if gap <= 0:
        return 0
    divisor = average * rate
    if divisor == 0:
        return None
    return math.ceil(Fraction(gap) / divisor)


def days_left(period: Period, now: datetime) -> int:
    """Calendar days from today to the period's last day, both counted (20 Nov → 31 Dec: 42;
    at least 1, as the period holds today)."""
    return max(1, (period.end - now.date()).days + 1)


def quota_figures(
    snapshot: Snapshot, thresholds: Thresholds, rate: LeadToWin | None = None, sums: OpenSums | None = None
) -> QuotaFigures | None:
    """R1: won so far, expected from deals in progress, and what must come from scratch, at the
    lead-to-win rate (``rate``, else worked out here)."""
    if snapshot.quota is None:
        return None
    sums = sums or open_sums(snapshot, thresholds)
    period = quota_period(snapshot.quota.period, snapshot.now)
    target = snapshot.quota.target
    won = won_in_period(snapshot, period)
    expected = expected_in_period(snapshot, period, sums)
    gap = max(0, target - won - expected)
    closed_rate, fallback = win_rate(snapshot, thresholds)
    if rate is None:
        rate = lead_to_win(snapshot, thresholds, cohort(snapshot, thresholds, sums))
    average = average_won_value(snapshot, thresholds, sums)
    needed = new_prospects_needed(gap, average, rate.rate)
    left = days_left(period, snapshot.now)
    still = max(0, target - won)
    return QuotaFigures(
        period=period,
        target=target,
        won=won,
        expected=expected,
        gap=gap,
        win_rate=closed_rate,
        win_rate_is_fallback=fallback,
        average_won_value=average,
        new_prospects_needed=needed,
        lead_to_win=rate,
        days_left=left,
        pace_per_week=still * WEEK_DAYS / left,
        pace_per_month=still * MONTH_DAYS / left,
        new_prospects_per_week=None if needed is None else min(needed, math.ceil(needed * WEEK_DAYS / left)),
    )


def stage_figures(snapshot: Snapshot, sums: OpenSums | None = None) -> list[StageFigures]:
    """Count, value and weighted value per stage (R6, R7); closed stages count all time."""
    counts: dict[int, int] = {}
    values: dict[int, int] = {}
    weighted: dict[int, float] = {}
    stage_by_id = snapshot.stage_by_id
    for stage_id, _, count, value, worth in weighted_buckets(
        snapshot, sums or open_sums(snapshot, Thresholds())
    ):
        counts[stage_id] = counts.get(stage_id, 0) + count
        values[stage_id] = values.get(stage_id, 0) + value
        weighted[stage_id] = weighted.get(stage_id, 0.0) + worth
    closed_totals = snapshot.closed_totals
    if closed_totals is None:  # not summarised: the closed prospects are in the snapshot
        closed_totals = {}
        for p in snapshot.prospects:
            if stage_by_id[p.stage_id].kind != OPEN:
                count, value = closed_totals.get(p.stage_id, (0, 0))
                closed_totals[p.stage_id] = (count + 1, value + (p.value or 0))
    for stage_id, (count, value) in closed_totals.items():
        counts[stage_id] = count
        values[stage_id] = value
        weighted[stage_id] = value * stage_by_id[stage_id].probability
    result = []
    for pipeline in sorted(snapshot.pipelines, key=lambda p: (p.position, p.id)):
        if snapshot.pipeline_id and pipeline.id != snapshot.pipeline_id:
            continue
        for stage in snapshot.stages_by_pipeline.get(pipeline.id, []):
            result.append(
                StageFigures(
                    stage=stage,
                    pipeline=pipeline.name,
                    count=counts.get(stage.id, 0),
                    value=values.get(stage.id, 0),
                    weighted_value=weighted.get(stage.id, 0.0),
                )
            )
    return result


def _reached(snapshot: Snapshot, row: ReachCount) -> tuple[int, bool]:
    """Furthest open stage position reached (counting the stage it is in now), and ever won."""
    stage = snapshot.stage_by_id[row.stage_id]
    furthest = row.furthest_position
    if stage.kind == OPEN and (furthest is None or stage.position > furthest):
        furthest = stage.position
    return (-1 if furthest is None else furthest), (row.ever_won or stage.kind == WON)


def conversion(snapshot: Snapshot) -> list[Conversion]:
    """reached(next) ÷ reached(S) for each open stage and the stage after it, per pipeline."""
    result = []
    reached_by_pipeline: dict[int, list[tuple[int, bool, int]]] = {}
    for row in snapshot.reach_counts():
        furthest, won = _reached(snapshot, row)
        reached_by_pipeline.setdefault(row.pipeline_id, []).append((furthest, won, row.count))
    for pipeline in sorted(snapshot.pipelines, key=lambda p: (p.position, p.id)):
        if snapshot.pipeline_id and pipeline.id != snapshot.pipeline_id:
            continue
        stages = [s for s in snapshot.stages_by_pipeline.get(pipeline.id, []) if s.kind != LOST]
        reached = reached_by_pipeline.get(pipeline.id, [])

        def count(stage: Stage, reached: list[tuple[int, bool, int]] = reached) -> int:
            if stage.kind == WON:
                return sum(n for _, won, n in reached if won)
            return sum(n for furthest, won, n in reached if won or furthest >= stage.position)

        for current, following in zip(stages, stages[1:], strict=False):
            if current.kind != OPEN:
                continue
            before = count(current)
            rate = count(following) / before if before else None
            result.append(Conversion(pipeline.name, current.name, following.name, rate))
    return result


def appointment_to_sale(snapshot: Snapshot) -> tuple[float | None, int]:
    """Won ÷ closed among prospects that reached the appointment stage (R8), and how many closed."""
    won = closed = 0
    for row in snapshot.reach_counts():
        stage = snapshot.stage_by_id[row.stage_id]
        if stage.kind == OPEN:
            continue
        if snapshot.pipeline_id and row.pipeline_id != snapshot.pipeline_id:
            continue
        position = snapshot.role_position(row.pipeline_id, "appointment")
        if position is None:
            continue
        furthest, ever_won = _reached(snapshot, row)
        if ever_won or furthest >= position:
            closed += row.count
            won += row.count if stage.kind == WON else 0
    return (won / closed if closed else None), closed


def forecast(snapshot: Snapshot, thresholds: Thresholds, sums: OpenSums | None = None) -> list[ForecastMonth]:
    """Weighted value expected to close in the current month (what is left of it, slipped deals
    included) and the months after it, against the quota's monthly pace."""
    first = snapshot.now.date().replace(day=1)
    months = [first + relativedelta(months=i) for i in range(max(1, thresholds.forecast_months))]
    index = {(m.year, m.month): i for i, m in enumerate(months)}
    counts = [0] * len(months)
    weighted = [0.0] * len(months)
    for _, close, count, _, worth in weighted_buckets(snapshot, sums or open_sums(snapshot, thresholds)):
        if close is None:
            continue
        slot = 0 if close < first else index.get((close.year, close.month))
        if slot is not None:
            counts[slot] += count
            weighted[slot] += worth
    pace = None
    if snapshot.quota is not None:
        period = quota_period(snapshot.quota.period, snapshot.now)
        pace = snapshot.quota.target / period.months
    won_now = closed_tally(snapshot, month_window(snapshot.now)).won_value
    return [
        ForecastMonth(m, counts[i], weighted[i], pace, won_now if i == 0 else 0) for i, m in enumerate(months)
    ]


def slipped(snapshot: Snapshot, sums: OpenSums | None = None) -> Slipped:
    """Open deals expected to close on a day already gone: they count in this month's forecast."""
    today = snapshot.now.date()
    count = value = 0
    weighted = 0.0
    for _, close, number, worth, chance_worth in weighted_buckets(
        snapshot, sums or open_sums(snapshot, Thresholds())
    ):
        if close is not None and close < today:
            count += number
            value += worth
            weighted += chance_worth
    return Slipped(count, value, weighted)
