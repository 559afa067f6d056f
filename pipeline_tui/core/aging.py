"""How long a deal has sat still: days in its stage, idle days, slipped close dates, snoozes,
and the rotting limit of each stage (from the config file, else learned from history).

The report's figures, the advice and the board's cards all read a deal's age from here, so
that "aged out", "stale" and "rotting" mean the same thing wherever they are shown.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import NamedTuple

from pipeline_tui.core.domain import OPEN, Prospect, Stage, StageTime
from pipeline_tui.core.settings import Thresholds

DAY_SECONDS = 86_400


def last_touched(prospect: Prospect) -> datetime:
    """When anything last happened to the deal: a follow-up done, a stage change or an edit."""
    return touched_last(prospect.stage_entered, prospect.updated, prospect.history.last_activity)


def touched_last(stage_entered: datetime, updated: datetime | None, activity: datetime | None) -> datetime:
    """:func:`last_touched` of a deal's three moments (the board reads them off a card's row)."""
    last = stage_entered
    if updated is not None and updated > last:
        last = updated
    if activity is not None and activity > last:
        last = activity
    return last


def idle_days(prospect: Prospect, now: datetime) -> int:
    """Whole days since anything happened to the deal."""
    return (now - last_touched(prospect)).days


def days_in_stage(prospect: Prospect, now: datetime) -> int:
    """Whole days since the deal entered the stage it is in."""
    return days_since(prospect.stage_entered, now)


def days_since(moment: datetime, now: datetime) -> int:
    """Whole days from ``moment`` to ``now`` (none for a moment still to come)."""
    return max(0, (now - moment).days)


def is_snoozed(prospect: Prospect, now: datetime) -> bool:
    """Put aside on purpose, with a reason, until a moment still to come."""
    return snooze_stands(prospect.snoozed_until, prospect.snooze_reason, now)


def snooze_stands(until: datetime | None, reason: str, now: datetime) -> bool:
    """A snooze keeps the stale advice quiet only with a reason and until a moment to come."""
    return until is not None and until > now and reason_given(reason)


def reason_given(reason: str | None) -> bool:
    """A snooze's reason says something (blank is no reason)."""
    return bool(reason and reason.strip())


def is_slipped(prospect: Prospect, now: datetime) -> bool:
    """Expected to close on a day already gone, and still open."""
    return close_slipped(prospect.expected_close, now)


def close_slipped(close: date | None, now: datetime) -> bool:
    """An expected close date already gone (for an open deal: it has slipped)."""
    return close is not None and close < now.date()


def aged_out_cutoff(now: datetime, thresholds: Thresholds) -> datetime:
    """A deal last touched at or before this moment has been left alone ``stale_after_days``
    whole days or more."""
    return now - timedelta(days=thresholds.stale_after_days)


def is_aged_out(prospect: Prospect, now: datetime, thresholds: Thresholds) -> bool:
    """An open deal left alone for ``stale_after_days`` or more (and not snoozed with a reason):
    the lead-to-win rate counts it as lost."""
    return last_touched(prospect) <= aged_out_cutoff(now, thresholds) and not is_snoozed(prospect, now)


class RottingLimit(NamedTuple):
    """Days a deal may sit idle in a stage, and where that number comes from."""

    days: int
    source: str  # "config" (the [rotting] table), "history" (mean time in stage) or "default"


def rotting_limits(
    stages: Iterable[Stage],
    stage_time: Iterable[StageTime],
    configured: Mapping[str, int],
    thresholds: Thresholds,
) -> dict[int, RottingLimit]:
    """Each open stage's limit: the config file's (by stage name, any case); else, once at least
    ``rotting_min_left`` prospects have left the stage, the mean days they spent in it (rounded
    up); else ``stale_after_days``."""
    by_name = {name.casefold(): days for name, days in configured.items()}
    times = {t.stage_id: t for t in stage_time}
    limits = {}
    for stage in stages:
        if stage.kind != OPEN:
            continue
        days = by_name.get(stage.name.casefold())
        if days is not None:
            limits[stage.id] = RottingLimit(days, "config")
            continue
        time = times.get(stage.id)
        if time is not None and time.count >= max(1, thresholds.rotting_min_left):
            mean = math.ceil(time.seconds / time.count / DAY_SECONDS)
            limits[stage.id] = RottingLimit(max(1, mean), "history")
        else:
            limits[stage.id] = RottingLimit(thresholds.stale_after_days, "default")
    return limits


def is_rotting(prospect: Prospect, now: datetime, limit: RottingLimit | None) -> bool:
    """Idle past its stage's limit with no next step scheduled (and not snoozed with a reason):
    the board marks the card."""
    return rots(last_touched(prospect), bool(prospect.open_follow_ups), is_snoozed(prospect, now), now, limit)


def rots(last: datetime, scheduled: bool, snoozed: bool, now: datetime, limit: RottingLimit | None) -> bool:
    """:func:`is_rotting` of a deal last touched at ``last``, with a next step ``scheduled`` or
    not (the board reads these off a card's row, not a whole prospect). Past the limit means
    as the ``stale`` advice counts it: more whole days idle than the limit."""
    return limit is not None and not scheduled and not snoozed and (now - last).days > limit.days
