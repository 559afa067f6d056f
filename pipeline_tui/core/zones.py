"""Local times against daylight-saving changes: hours counted in real time, and times that the
clocks skip moved to the first minute that exists.

Follow-ups are stored as naive local times. The zone is always given by the caller (the entry
point passes the machine's, tests pin one), never looked up here; with no zone, times are plain
wall-clock arithmetic with no daylight saving.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

_MINUTE = timedelta(minutes=1)
_LONGEST_GAP = 24 * 60 + 1  # minutes: Samoa skipped a whole day (30 Dec 2011)


def _instant(local: datetime, zone: tzinfo) -> datetime:
    return local.replace(tzinfo=zone).astimezone(UTC)


def _wall(instant: datetime, zone: tzinfo) -> datetime:
    # astimezone sets fold=1 on the second of two equal wall times (the clocks going back): kept
    return instant.astimezone(zone).replace(tzinfo=None)


def exists(local: datetime, zone: tzinfo | None) -> bool:
    """Whether the clocks in ``zone`` ever show ``local`` (not inside a spring-forward gap)."""
    if zone is None:
        return True
    return _wall(_instant(local, zone), zone) == local


def settle(local: datetime, zone: tzinfo | None) -> datetime:
    """``local`` when it exists; inside a gap, the first whole minute after it."""
    if exists(local, zone):
        return local
    candidate = local.replace(second=0, microsecond=0, fold=0)
    for _ in range(_LONGEST_GAP):
        candidate += _MINUTE
        if exists(candidate, zone):
            return candidate
    return local  # a zone that skips more than a day: no such zone, leave the time as typed


def add_real_time(local: datetime, delta: timedelta, zone: tzinfo | None) -> datetime:
    """``local`` plus ``delta`` of real time: two hours from 01:30 on a spring-forward night
    is 04:30 on the clock."""
    if zone is None:
        return local + delta
    return _wall(_instant(local, zone) + delta, zone)
