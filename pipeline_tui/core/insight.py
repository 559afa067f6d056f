"""What your own history says (R8): why deals are lost, where they stall, which lead sources
pay, and whether this week's activity keeps pace with the goals and the quota.

Amounts are cents; every figure covers the look-back window unless it says "this week".
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from fractions import Fraction
from typing import NamedTuple

from pipeline_tui.core.aging import DAY_SECONDS, RottingLimit
from pipeline_tui.core.domain import LOST, OPEN, Snapshot
from pipeline_tui.core.figures import QuotaFigures, SourceTally, lookback_window
from pipeline_tui.core.open_deals import OpenSums, open_sums
from pipeline_tui.core.settings import Goals, Thresholds

NONE_GIVEN = "(none given)"
_SPACES = re.compile(r"\s+")


def same_words(text: str) -> str:
    """The key two spellings of a reason or source share: any case, any run of spaces."""
    return _SPACES.sub(" ", text).strip().casefold()


def _tidy(text: str) -> str:
    return _SPACES.sub(" ", text).strip() or NONE_GIVEN


def _merged(spellings: dict[str, int]) -> str:
    """The spelling used most (ties: the one with the fewest capitals)."""
    return min(spellings, key=lambda text: (-spellings[text], text.swapcase()))


class LostReason(NamedTuple):
    reason: str
    count: int
    value: int  # cents


def lost_reasons(snapshot: Snapshot, thresholds: Thresholds) -> list[LostReason]:
    """Prospects lost in the look-back window by reason (compared in any case and spacing; an
    empty one is "(none given)"), the most frequent first, then the most value lost."""
    rows = snapshot.lost_reasons
    if rows is None:
        start, end = lookback_window(snapshot.now, thresholds)
        kind_of = {stage.id: stage.kind for stage in snapshot.stages}
        rows = [
            (p.lost_reason, 1, p.value or 0)
            for p in snapshot.prospects
            if kind_of[p.stage_id] == LOST and p.closed_at is not None and start <= p.closed_at <= end
        ]
    groups: dict[str, list] = {}
    for reason, count, value in rows:
        group = groups.setdefault(same_words(reason), [{}, 0, 0])
        shown = _tidy(reason)
        group[0][shown] = group[0].get(shown, 0) + count
        group[1] += count
        group[2] += value
    found = [LostReason(_merged(spellings), count, value) for spellings, count, value in groups.values()]
    return sorted(found, key=lambda r: (-r.count, -r.value, r.reason.casefold()))


class StageDays(NamedTuple):
    """The mean days the prospects that left a stage in the look-back window spent in it, and
    how long a deal may sit idle in it before it rots."""

    stage: str
    pipeline: str
    avg_days: float | None  # None when none left it
    count: int
    rotting: RottingLimit | None = None


def stage_days(snapshot: Snapshot, limits: dict[int, RottingLimit] | None = None) -> list[StageDays]:
    """Mean time in each open stage, in pipeline order, with its rotting limit."""
    times = {t.stage_id: t for t in snapshot.stage_time}
    result = []
    for pipeline in sorted(snapshot.pipelines, key=lambda p: (p.position, p.id)):
        if snapshot.pipeline_id and pipeline.id != snapshot.pipeline_id:
            continue
        for stage in snapshot.stages_by_pipeline.get(pipeline.id, []):
            if stage.kind != OPEN:
                continue
            time = times.get(stage.id)
            count = time.count if time else 0
            average = time.seconds / count / DAY_SECONDS if count else None
            result.append(StageDays(stage.name, pipeline.name, average, count, (limits or {}).get(stage.id)))
    return result


class SourceFigures(NamedTuple):
    """How the prospects of one lead source created in the look-back window ended."""

    source: str
    won: int
    lost: int
    aged_out: int
    value: int  # cents won

    @property
    def rate(self) -> Fraction | None:
        """Won ÷ decided (lost and aged out count against), as the lead-to-win rate."""
        decided = self.won + self.lost + self.aged_out
        return Fraction(self.won, decided) if decided else None


def sources(tallies: dict[str, SourceTally]) -> list[SourceFigures]:
    """Win rate by lead source (names compared in any case and spacing), the most value won
    first, then the most won."""
    groups: dict[str, list] = {}
    for source, tally in tallies.items():
        group = groups.setdefault(same_words(source), [{}, 0, 0, 0, 0])
        shown = _tidy(source)
        decided = tally.won + tally.lost + tally.aged_out
        group[0][shown] = group[0].get(shown, 0) + decided
        for i, number in enumerate((tally.won, tally.lost, tally.aged_out, tally.won_value), start=1):
            group[i] += number
    found = [SourceFigures(_merged(spellings), *numbers) for spellings, *numbers in groups.values()]
    found = [s for s in found if s.won + s.lost + s.aged_out]
    return sorted(found, key=lambda s: (-s.value, -s.won, s.source.casefold()))


def week_start(now: datetime) -> datetime:
    """Monday 00:00 of the week that holds ``now``."""
    monday = now.date() - timedelta(days=now.weekday())
    return datetime.combine(monday, datetime.min.time())


class Pace(NamedTuple):
    """One activity this week against its goal (None: no goal set)."""

    done: int
    goal: int | None


class Activity(NamedTuple):
    """This week's calls, emails and appointments done and new prospects added, against the
    goals of the config file; and the new prospects a week the quota needs."""

    week_start: datetime
    calls: Pace
    emails: Pace
    appointments: Pace
    new_prospects: Pace
    needed_per_week: int | None  # new prospects a week until the period ends, when a quota is set


def activity(
    snapshot: Snapshot, goals: Goals, quota: QuotaFigures | None, sums: OpenSums | None = None
) -> Activity:
    """What was done since Monday: follow-ups done as the store counted them, and prospects
    created (the closed ones among them counted by the store, when it summarised them)."""
    start, now = week_start(snapshot.now), snapshot.now
    added = (sums or open_sums(snapshot, Thresholds())).created_this_week
    if snapshot.closed_new_this_week is not None:
        added += snapshot.closed_new_this_week
    else:
        kind_of = {stage.id: stage.kind for stage in snapshot.stages}
        added += sum(
            1 for p in snapshot.prospects if kind_of[p.stage_id] != OPEN and start <= p.created <= now
        )
    done = snapshot.done_this_week or {}
    return Activity(
        week_start=start,
        calls=_pace(done.get("call", 0), goals.calls_per_week),
        emails=_pace(done.get("email", 0), goals.emails_per_week),
        appointments=_pace(done.get("appointment", 0), goals.appointments_per_week),
        new_prospects=_pace(added, goals.new_prospects_per_week),
        needed_per_week=quota.new_prospects_per_week if quota is not None else None,
    )


def _pace(done: int, goal: int) -> Pace:
    return Pace(done, goal or None)
