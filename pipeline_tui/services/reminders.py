"""Reminders outside the app: the one line for a shell prompt (`pipeline-tui due`) and the
desktop notifications of a cron job (`pipeline-tui notify`), each follow-up announced once for
its due time (README "Reminders outside the app").

Kept apart from the other services (which load the rules core): these run at every prompt and
every five minutes, and should load only what they use.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import NamedTuple

from pipeline_tui.store import reminders as queries
from pipeline_tui.store.db import run_write


class NextDue(NamedTuple):
    id: int
    prospect_id: int
    prospect: str
    organization: str
    kind: str
    due: datetime


class DueSummary(NamedTuple):
    """What a shell prompt says: how many follow-ups are overdue, how many are due the rest of
    today, and the next one to come."""

    overdue: int
    today: int
    next: NextDue | None


def _pipeline_id(name: str | None) -> int | None:
    if name is None:
        return None
    from pipeline_tui.services.base import find_pipeline  # only when one is named

    return find_pipeline(name).id


def due_summary(now: datetime, owner: str | None = None, pipeline: str | None = None) -> DueSummary:
    pipeline_id = _pipeline_id(pipeline)
    day_end = datetime.combine(now.date(), datetime.max.time()).replace(microsecond=0)
    overdue, today = queries.due_counts(now, day_end, owner, pipeline_id)
    found = queries.next_due(now, owner, pipeline_id)
    return DueSummary(overdue, today, NextDue(*found) if found else None)


class Reminder(NamedTuple):
    """A follow-up coming due, as a notification tells it."""

    id: int
    prospect_id: int
    prospect: str
    organization: str
    contact: str
    phone: str
    kind: str
    due: datetime
    notes: str


def announce_due(
    now: datetime, within: timedelta, send: Callable[[Reminder], object], owner: str | None = None
) -> list[Reminder]:
    """Send each open follow-up due within ``within`` of ``now`` (either side: one a cron run
    missed while the laptop slept is still told, a little late) that has not been announced for
    its due time, and remember it in the same transaction: a later run never repeats it, unless
    it is rescheduled. Not an undoable action: nothing a user sees changes."""

    def announce() -> list[Reminder]:
        told = []
        for row in queries.coming_due(now - within, now + within, owner):
            reminder = Reminder(*row)
            send(reminder)
            queries.mark_announced(reminder.id, reminder.due)
            told.append(reminder)
        return told

    return run_write(announce)
