"""The queries of reminders outside the app (`pipeline-tui due` and `notify`), on their own so
that a shell prompt or a cron job loads no more than it needs."""

from __future__ import annotations

from datetime import datetime

from peewee import JOIN, Case, fn

from pipeline_tui.store.models import FollowUp, Prospect, database


def _open(query, owner: str | None, pipeline_id: int | None):
    """Open follow-ups of live prospects, one salesperson's or everyone's, one pipeline or all."""
    query = query.join(Prospect, JOIN.INNER, on=(FollowUp.prospect == Prospect.id)).where(
        FollowUp.done_at.is_null(),
        Prospect.archived == False,  # noqa: E712
    )
    if owner is not None:
        query = query.where(Prospect.owner == owner)
    if pipeline_id is not None:
        query = query.where(Prospect.pipeline == pipeline_id)
    return query


def _moment(value) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


def due_counts(now: datetime, day_end: datetime, owner=None, pipeline_id=None) -> tuple[int, int]:
    """How many open follow-ups are overdue (before ``now``), and how many are due from now to
    ``day_end``."""
    late = fn.SUM(Case(None, [(FollowUp.due_at < now, 1)], 0))
    later = fn.SUM(Case(None, [(FollowUp.due_at >= now, 1)], 0))
    query = _open(FollowUp.select(late, later), owner, pipeline_id).where(FollowUp.due_at <= day_end)
    overdue, today = database.obj.execute(query).fetchone()
    return int(overdue or 0), int(today or 0)


def next_due(now: datetime, owner=None, pipeline_id=None) -> tuple | None:
    """The open follow-up due soonest from ``now`` on: id, prospect id, name, organization,
    kind, due."""
    query = _open(
        FollowUp.select(
            FollowUp.id,
            FollowUp.prospect,
            Prospect.name,
            Prospect.organization,
            FollowUp.kind,
            FollowUp.due_at,
        ),
        owner,
        pipeline_id,
    )
    query = query.where(FollowUp.due_at >= now).order_by(FollowUp.due_at, FollowUp.id).limit(1)
    row = database.obj.execute(query).fetchone()
    return None if row is None else (*row[:5], _moment(row[5]))


def coming_due(start: datetime, end: datetime, owner=None) -> list[tuple]:
    """Open follow-ups due from ``start`` to ``end`` not yet announced for that due time: id,
    prospect id, name, organization, contact, phone, kind, due, notes."""
    query = _open(
        FollowUp.select(
            FollowUp.id,
            FollowUp.prospect,
            Prospect.name,
            Prospect.organization,
            Prospect.contact,
            Prospect.phone,
            FollowUp.kind,
            FollowUp.due_at,
            FollowUp.notes,
        ),
        owner,
        None,
    ).where(
        FollowUp.due_at.between(start, end),
        FollowUp.announced_due.is_null() | (FollowUp.announced_due != FollowUp.due_at),
    )
    rows = database.obj.execute(query.order_by(FollowUp.due_at, FollowUp.id)).fetchall()
    return [(*row[:7], _moment(row[7]), row[8]) for row in rows]


def mark_announced(follow_up_id: int, due: datetime) -> None:
    FollowUp.update(announced_due=due).where(FollowUp.id == follow_up_id).execute()
