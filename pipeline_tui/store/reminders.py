"""The queries of `pipeline-tui notify` (reminders outside the app), on their own so that a cron
job loads no more than it needs; `due`'s are in :mod:`pipeline_tui.store.due`."""

from __future__ import annotations

from datetime import datetime

from peewee import JOIN

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


def _moment(value) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


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
