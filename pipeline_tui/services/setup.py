"""The quota, pipelines and small preferences kept in the database."""

from __future__ import annotations

from datetime import datetime

from peewee import fn

from pipeline_tui.core import domain
from pipeline_tui.core.domain import PERIODS
from pipeline_tui.core.money import MAX_CENTS
from pipeline_tui.errors import UserError
from pipeline_tui.services.base import action, create, set_undo_label
from pipeline_tui.store import queries, schema
from pipeline_tui.store.db import run_write
from pipeline_tui.store.models import Pipeline, Quota, Setting


@action("quota")
def set_quota(target_cents: int, period: str, now: datetime, *, owner: str = "") -> domain.Quota:
    """Set the quota for the current month, quarter or year (R1): the team's (owner ""), or one
    salesperson's."""
    if period not in PERIODS:
        raise UserError(f"period {period!r} must be one of {', '.join(PERIODS)}")
    if not 0 < target_cents < MAX_CENTS:
        raise UserError("the quota must be a positive amount")
    create(Quota, period=period, target_cents=target_cents, set_at=now, owner=owner)
    set_undo_label("set the quota")
    return domain.Quota(period, target_cents, owner)


def current_quota(owner: str = "") -> domain.Quota | None:
    return queries.load_quota(owner)


@action("pipeline")
def add_pipeline(
    name: str, stages: tuple = domain.DEFAULT_STAGES, *, copy_from: str | None = None
) -> Pipeline:
    """A new pipeline (e.g. Renewals) with its own stages: the default ones unless given, or
    a copy of another pipeline's (``copy_from``, by name), names, odds and roles."""
    if copy_from is not None:
        from pipeline_tui.services.base import find_pipeline

        source = find_pipeline(copy_from)
        stages = tuple((s.name, s.probability, s.kind, s.role) for s in queries.stages_of(source.id))
    name = " ".join(name.split())
    if not name:
        raise UserError("a pipeline needs a name")
    if any(p.name.casefold() == name.casefold() for p in Pipeline.select(Pipeline.name)):
        raise UserError(f"there is already a pipeline named {name!r}")
    position = (Pipeline.select(fn.MAX(Pipeline.position)).scalar() or 0) + 1
    pipeline = create(Pipeline, name=name, position=position)
    schema.create_stages(pipeline, stages)
    set_undo_label(f"added pipeline {name}")
    return pipeline


def pipelines() -> tuple[domain.Pipeline, ...]:
    return queries.load_pipelines()


def get_preference(key: str) -> str | None:
    row = Setting.get_or_none(Setting.key == key)
    return row.value if row else None


def set_preference(key: str, value: str) -> None:
    """Remember a preference (the theme, the pipeline last shown); not undoable."""

    def write() -> None:
        Setting.insert(key=key, value=value).on_conflict(
            conflict_target=[Setting.key], update={Setting.value: value}
        ).execute()

    run_write(write)
