"""The agenda's one query, on its own so that `pipeline-tui agenda` loads no more than it needs
(it runs from shell prompts and cron)."""

from __future__ import annotations

from datetime import datetime

from peewee import JOIN

from pipeline_tui.store.models import CadenceRun, FollowUp, Prospect, Stage, database


def _rows(query):
    return database.obj.execute(query)


def _as_datetime(value) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


def agenda_rows(
    until: datetime, pipeline_id: int | None = None, owner: str | None = None, prospect_id: int | None = None
) -> list[tuple]:
    """Open follow-ups due before ``until`` on live prospects: the agenda, oldest first. Each
    row: follow-up id, prospect id, name, organization, kind, due, notes, created, then the
    prospect's contact, phone, value in cents, stage id and email, then the follow-up's
    cadence name, its steps (JSON), its step, and its repeat rule."""
    query = (
        FollowUp.select(
            FollowUp.id,
            FollowUp.prospect,
            Prospect.name,
            Prospect.organization,
            FollowUp.kind,
            FollowUp.due_at,
            FollowUp.notes,
            FollowUp.created_at,
            # what a call needs at hand: whom to ask for, the number, what is at stake
            Prospect.contact,
            Prospect.phone,
            Prospect.value_cents,
            Prospect.stage,
            Prospect.email,
            # what runs by itself: a cadence's step, a repeat
            CadenceRun.name,
            CadenceRun.steps,
            FollowUp.cadence_step,
            FollowUp.repeat,
            Prospect.currency,  # of value_cents ("" the home one)
        )
        .join(Prospect, JOIN.INNER, on=(FollowUp.prospect == Prospect.id))
        .join(CadenceRun, JOIN.LEFT_OUTER, on=(FollowUp.cadence_run == CadenceRun.id))
        .where(
            FollowUp.done_at.is_null(),
            FollowUp.due_at <= until,
            Prospect.archived == False,  # noqa: E712
        )
        .order_by(FollowUp.due_at, FollowUp.id)
    )
    if pipeline_id is not None:
        query = query.where(Prospect.pipeline == pipeline_id)
    if owner is not None:
        query = query.where(Prospect.owner == owner)
    if prospect_id is not None:
        query = query.where(FollowUp.prospect == prospect_id)
    return [
        (fid, pid, name, org, kind, _as_datetime(due), notes, _as_datetime(created), *rest)
        for fid, pid, name, org, kind, due, notes, created, *rest in _rows(query)
    ]


def stage_names() -> dict[int, str]:
    """Every stage's name by id (a few rows): the agenda names each row's stage."""
    return dict(Stage.select(Stage.id, Stage.name).tuples())
