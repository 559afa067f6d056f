"""The agenda: open follow-ups, overdue first, grouped by when they are due.

Kept apart from the other views, which need the rules core: `pipeline-tui agenda` runs from
shell prompts and cron and should load only what it uses.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

from pipeline_tui.store.agenda import agenda_rows, stage_names
from pipeline_tui.store.quick import Read


def follow_up_status(due: datetime, now: datetime) -> str:
    """``overdue`` (past its time), ``today`` or ``upcoming``."""
    if due < now:
        return "overdue"
    if due.date() == now.date():
        return "today"
    return "upcoming"


AGENDA_GROUPS = ("Overdue", "Today", "Tomorrow", "This week", "Next week", "Later")


def agenda_group(due: datetime, now: datetime) -> str:
    if due < now:
        return "Overdue"
    days = (due.date() - now.date()).days
    if days == 0:
        return "Today"
    if days == 1:
        return "Tomorrow"
    sunday = now.date() + timedelta(days=6 - now.weekday())
    if due.date() <= sunday:
        return "This week"
    if due.date() <= sunday + timedelta(days=7):
        return "Next week"
    return "Later"


class AgendaItem(NamedTuple):
    """An open follow-up as the agenda lists it."""

    id: int
    prospect_id: int
    prospect: str
    organization: str
    kind: str
    due: datetime
    notes: str
    status: str
    group: str
    contact: str = ""
    phone: str = ""
    value_cents: int | None = None
    stage: str = ""
    email: str = ""
    cadence: str | None = None  # the cadence it is a step of
    step: int | None = None  # 1-based
    steps: int | None = None
    repeat: str | None = None  # an RRULE, when it repeats
    currency: str = ""  # of value_cents: the deal's own ("" the home one)

    @property
    def runs_itself(self) -> str:
        """``after-demo 2/3`` or ``every week``: what follows it by itself, if anything."""
        if self.cadence is not None:
            return f"{self.cadence} {self.step}/{self.steps}"
        if self.repeat:
            from pipeline_tui.core.repeats import describe_repeat

            return describe_repeat(self.repeat)
        return ""


def agenda(
    now: datetime,
    days: int | None = 7,
    pipeline_name: str | None = None,
    owner: str | None = None,
    prospect_id: int | None = None,
    *,
    read: Read | None = None,
) -> list[AgendaItem]:
    """Open follow-ups: overdue first, then due within ``days`` (all of them when None), of one
    pipeline or all, one salesperson's prospects or everyone's. ``read``: a quick read of the
    file (``store.quick.reader``), else the database the models are bound to."""
    if read is None:
        from pipeline_tui.store.models import database
        from pipeline_tui.store.quick import database_read

        read = database_read(database.obj)
    pipeline_id = None
    if pipeline_name:  # found by every command's rules, through the database layer
        from pipeline_tui.services.base import find_pipeline

        pipeline_id = find_pipeline(pipeline_name).id
    try:
        until = (
            datetime.max
            if days is None
            else datetime.combine(now.date() + timedelta(days=days), datetime.max.time())
        )
    except OverflowError:  # more days than the calendar has left: all of them
        until = datetime.max
    rows = agenda_rows(read, until.replace(microsecond=0), pipeline_id, owner, prospect_id)
    stage = stage_names(read) if rows else {}
    counted: dict[str, int] = {}  # a cadence's steps (JSON) -> how many: counted once each
    return [_item(row, now, stage, counted) for row in rows]


def _item(row: tuple, now: datetime, stage: dict[int, str], counted: dict[str, int]) -> AgendaItem:
    fid, pid, name, org, kind, due, notes, _, contact, phone, value, stage_id, email, *runs = row
    cadence, steps, step, repeat, currency = runs
    return AgendaItem(
        fid,
        pid,
        name,
        org,
        kind,
        due,
        notes,
        follow_up_status(due, now),
        agenda_group(due, now),
        contact,
        phone,
        value,
        stage.get(stage_id, ""),
        email,
        cadence,
        step if cadence is not None else None,
        _count(counted, steps) if cadence is not None else None,
        repeat,
        currency,
    )


def _count(counted: dict[str, int], steps: str) -> int:
    found = counted.get(steps)
    if found is None:
        import json

        found = counted[steps] = len(json.loads(steps))
    return found
