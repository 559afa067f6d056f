"""What the open deals add up to, in one pass that every figure about them reads.

Values are summed as whole cents per stage, close date and probability and weighted only at
the end, in a fixed order, so that the figures do not depend on the order the deals came in.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import NamedTuple

from pipeline_tui.core.aging import aged_out_cutoff, reason_given, touched_last
from pipeline_tui.core.domain import Snapshot
from pipeline_tui.core.settings import Thresholds

# (stage id, expected close, the deal's own probability or None) -> [count, value in cents]
Buckets = dict[tuple[int, date | None, float | None], list[int]]


class OpenSums(NamedTuple):
    buckets: Buckets
    aged_out: dict[str, int]  # source -> deals created in the look-back window and aged out
    valued: int  # deals with a value...
    value: int  # ...and their values, in cents
    early: int  # deals in the lead or qualified stage
    late: int  # deals in the trial or proposal stage
    appointments_soon: int  # open appointments due within the horizon
    created_this_week: int


class Marks(NamedTuple):
    """The moments the sums compare each deal's moments with."""

    now: datetime
    monday: datetime  # the start of this week
    lookback: datetime  # created at or after it: in the look-back window
    cutoff: datetime  # last touched at or before it: aged out (see aging.is_aged_out)


def marks(now: datetime, thresholds: Thresholds) -> Marks:
    """The moments the sums compare deals with at ``now``."""
    monday = datetime.combine(now.date() - timedelta(days=now.weekday()), datetime.min.time())
    lookback = now - timedelta(days=thresholds.lookback_days)
    return Marks(now, monday, lookback, aged_out_cutoff(now, thresholds))


# What the sums read of one open deal, in this order (the report reads just these columns of a
# big pipeline's rows): its value is in the home currency.
DEAL_FIELDS = (
    "stage_id", "expected_close", "probability", "value", "created", "stage_entered", "updated",
    "last_activity", "snoozed_until", "snooze_reason", "source",
)  # fmt: skip

# The open deals in groups that the sums cannot tell apart, as a database groups them too:
# by value, (stage id, expected close, own probability or None, deals, deals with a value,
# their value in cents);
VALUE_GROUP = ("stage_id", "expected_close", "probability", "deals", "valued", "value")
# by age, (source, facts, the reason of a snooze lasting past now or None, deals), the facts
# being the sum of those of the flags below that hold of a deal, compared with the ``Marks``
# (one number: a database groups by one key faster than by four).
AGE_GROUP = ("source", "facts", "snooze_reason", "deals")
BORN = 1  # created by now
THIS_WEEK = 2  # created since monday
IN_LOOKBACK = 4  # created since the look-back
UNTOUCHED = 8  # last touched by the cutoff


def open_sums(snapshot: Snapshot, thresholds: Thresholds) -> OpenSums:
    """One pass over the open prospects."""
    deals = [
        (p.stage_id, p.expected_close, p.probability, p.value, p.created, p.stage_entered, p.updated,
         p.history.last_activity, p.snoozed_until, p.snooze_reason, p.source)
        for p in snapshot.open_prospects
    ]  # fmt: skip
    dues = [f.due for p in snapshot.open_prospects for f in p.open_follow_ups if f.kind == "appointment"]
    return sum_open_deals(snapshot, thresholds, deals, dues)


def sum_open_deals(
    snapshot: Snapshot, thresholds: Thresholds, deals: Iterable[tuple], appointment_dues: Iterable[datetime]
) -> OpenSums:
    """One pass over the open deals (tuples of :data:`DEAL_FIELDS`) and their open
    appointments' due times; ``snapshot`` gives the moment and the stages."""
    values, ages = group_deals(deals, marks(snapshot.now, thresholds))
    return sum_deal_groups(snapshot, thresholds, values, ages, appointment_dues)


def group_deals(deals: Iterable[tuple], at: Marks) -> tuple[list[tuple], list[tuple]]:
    """Deals (tuples of :data:`DEAL_FIELDS`) in value and age groups (:data:`VALUE_GROUP`,
    :data:`AGE_GROUP`), one deal a group: what a database's GROUP BY adds up."""
    values = []
    ages = []
    for stage_id, close, probability, worth, born, entered, updated, activity, until, reason, source in deals:
        values.append((stage_id, close, probability, 1, worth is not None, worth or 0))
        snoozed = reason if until is not None and until > at.now else None
        untouched = touched_last(entered, updated, activity) <= at.cutoff
        facts = (
            BORN * (born <= at.now) + THIS_WEEK * (born >= at.monday) + IN_LOOKBACK * (born >= at.lookback)
        )
        ages.append((source, facts + UNTOUCHED * untouched, snoozed, 1))
    return values, ages


def sum_deal_groups(
    snapshot: Snapshot,
    thresholds: Thresholds,
    values: Iterable[tuple],
    ages: Iterable[tuple],
    appointment_dues: Iterable[datetime],
) -> OpenSums:
    """What the open deals add up to, from their value and age groups (:data:`VALUE_GROUP`,
    :data:`AGE_GROUP`, worked out at :func:`marks`) and their open appointments' due times;
    ``snapshot`` gives the moment and the stages."""
    now = snapshot.now
    horizon = now + timedelta(days=thresholds.appointment_horizon_days)
    role_of = {stage.id: stage.role for stage in snapshot.stages}
    buckets: Buckets = {}
    valued = value = early = late = created = 0
    for stage_id, close, probability, deals, with_value, worth in values:
        key = (stage_id, close, probability)
        bucket = buckets.get(key)
        if bucket is None:
            bucket = buckets[key] = [0, 0]
        bucket[0] += deals
        bucket[1] += worth
        valued += with_value
        value += worth
        role = role_of[stage_id]
        if role == "lead" or role == "qualified":
            early += deals
        elif role == "trial" or role == "proposal":
            late += deals
    aged_out: dict[str, int] = {}
    for source, facts, snoozed, deals in ages:
        if facts & BORN:
            created += deals if facts & THIS_WEEK else 0
            if facts & IN_LOOKBACK and facts & UNTOUCHED and not reason_given(snoozed):
                aged_out[source] = aged_out.get(source, 0) + deals
    soon = sum(1 for due in appointment_dues if now <= due <= horizon)
    return OpenSums(buckets, aged_out, valued, value, early, late, soon, created)


def weighted_buckets(snapshot: Snapshot, sums: OpenSums) -> list[tuple[int, date | None, int, int, float]]:
    """Each bucket as (stage id, close, count, value, weighted value), in a fixed order."""
    chance = {stage.id: stage.probability for stage in snapshot.stages}
    rows = []
    for (stage_id, close, own), (count, value) in sorted(
        sums.buckets.items(), key=lambda item: (item[0][0], item[0][1] or date.min, item[0][2] or -1.0)
    ):
        rows.append((stage_id, close, count, value, value * (chance[stage_id] if own is None else own)))
    return rows
