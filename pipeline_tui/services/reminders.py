"""Reminders outside the app: the one line for a shell prompt (`pipeline-tui due`) and the
desktop notifications of a cron job (`pipeline-tui notify`), each follow-up announced once for
its due time (README "Reminders outside the app").

Kept apart from the other services (which load the rules core): these run at every prompt and
every five minutes, and should load only what they use; `due` reads a current SQLite file
without even the database layer (:mod:`pipeline_tui.store.quick`), so `notify`'s part of it is
imported only by `notify`.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable
from datetime import datetime, timedelta

from pipeline_tui.store import due as queries
from pipeline_tui.store.quick import reader

# collections' namedtuple rather than typing's NamedTuple: importing typing would take a good
# part of the time of a `due`
NextDue = namedtuple("NextDue", "id prospect_id prospect organization kind due")
NextDue.__doc__ = "The next follow-up to come: its id, the prospect's id, name and organization, kind, due."

DueSummary = namedtuple("DueSummary", "overdue today next")
DueSummary.__doc__ = """What a shell prompt says: how many follow-ups are overdue, how many are due
the rest of today, and the next one to come (a NextDue, or None)."""


def _pipeline_id(name: str | None) -> int | None:
    if name is None:
        return None
    from pipeline_tui.services.base import find_pipeline  # only when one is named

    return find_pipeline(name).id


def due_summary(
    location: str, now: datetime, owner: str | None = None, pipeline: str | None = None
) -> DueSummary:
    """The counts and the next follow-up of the database at ``location``. A pipeline named by
    the user is found by the rules of every other command, through the database layer."""
    day_end = datetime.combine(now.date(), datetime.max.time()).replace(microsecond=0)
    with reader(location, quick=pipeline is None) as read:
        pipeline_id = _pipeline_id(pipeline)
        overdue, today = queries.due_counts(read, now, day_end, owner, pipeline_id)
        found = queries.next_due(read, now, owner, pipeline_id)
    return DueSummary(overdue, today, NextDue(*found) if found else None)


Reminder = namedtuple("Reminder", "id prospect_id prospect organization contact phone kind due notes")
Reminder.__doc__ = "A follow-up coming due, as a notification tells it."


def announce_due(
    now: datetime, within: timedelta, send: Callable[[Reminder], object], owner: str | None = None
) -> list[Reminder]:
    """Send each open follow-up due within ``within`` of ``now`` (either side: one a cron run
    missed while the laptop slept is still told, a little late) that has not been announced for
    its due time, and remember it in the same transaction: a later run never repeats it, unless
    it is rescheduled. Not an undoable action: nothing a user sees changes."""
    from pipeline_tui.store import reminders as notify_queries
    from pipeline_tui.store.db import run_write

    def announce() -> list[Reminder]:
        told = []
        for row in notify_queries.coming_due(now - within, now + within, owner):
            reminder = Reminder(*row)
            send(reminder)
            notify_queries.mark_announced(reminder.id, reminder.due)
            told.append(reminder)
        return told

    return run_write(announce)
