"""Your own stages: add, rename, reorder and remove the stages of a pipeline.

Each stage keeps its role (lead, qualified, appointment, trial, proposal, won, lost), which is
how the rules find the stage they mean: a renamed or added stage keeps them working. A removed
stage's prospects go where the user says, and its name stays in their history.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from peewee import fn

from pipeline_tui.core.domain import OPEN, ROLES
from pipeline_tui.core.fields import parse_name, parse_probability
from pipeline_tui.core.wording import plural
from pipeline_tui.errors import UserError
from pipeline_tui.services.base import action, create, find_pipeline, find_stage, save, set_undo_label
from pipeline_tui.store import queries
from pipeline_tui.store.models import Prospect, Stage, StageChange

OPEN_ROLES = tuple(role for role in ROLES if role not in ("won", "lost"))
MAX_NAME = 255  # the column's width on a server


class StageRow(NamedTuple):
    """A stage as ``stage list`` and the stage editor show it."""

    name: str
    position: int  # 1, 2, ... in board order
    probability: float
    role: str | None
    count: int  # prospects in it, archived ones aside
    kind: str


def list_stages(pipeline: str | None = None) -> list[StageRow]:
    """A pipeline's stages in board order, with how many prospects each holds."""
    target = find_pipeline(pipeline)
    counts = dict(
        Prospect.select(Prospect.stage, fn.COUNT(Prospect.id))
        .where(Prospect.pipeline == target.id, Prospect.archived == False)  # noqa: E712
        .group_by(Prospect.stage)
        .tuples()
    )
    return [
        StageRow(s.name, index, s.probability, s.role, counts.get(s.id, 0), s.kind)
        for index, s in enumerate(queries.stages_of(target.id), start=1)
    ]


def parse_stage_name(text: str) -> str:
    name = parse_name(text)
    if len(name) > MAX_NAME:
        raise UserError(f"a stage name is longer than {MAX_NAME} characters")
    return name


def parse_stage_role(text: str | None) -> str | None:
    """An open stage's role as typed; empty or ``none`` for none."""
    value = (text or "").strip().lower()
    if value in ("", "none", "-"):
        return None
    if value not in OPEN_ROLES:
        raise UserError(f"role {text!r} must be one of {', '.join(OPEN_ROLES)} (or none)")
    return value


@action("add stage")
def add_stage(
    name: str,
    after: str | None,
    *,
    pipeline: str | None = None,
    probability: str | None = None,
    role: str | None = None,
) -> Stage:
    """A new open stage after ``after`` (None: first), with a probability (else halfway
    between its neighbours') and a role no other stage of the pipeline holds."""
    target = find_pipeline(pipeline)
    stages = queries.stages_of(target.id)
    new_name = parse_stage_name(name)
    _refuse_taken_name(stages, new_name)
    wanted_role = parse_stage_role(role)
    _refuse_taken_role(stages, wanted_role)
    index = _place_after(stages, after, target.id)
    if probability is not None and probability.strip():
        odds = parse_probability(probability)
    else:
        before = stages[index - 1].probability if index > 0 else 0.0
        later = stages[index].probability if index < len(stages) else 1.0
        odds = round((before + later) / 2, 3)
    stage = create(
        Stage,
        pipeline=target.id,
        name=new_name,
        position=len(stages),
        probability=odds,
        kind=OPEN,
        role=wanted_role,
    )
    _renumber([*stages[:index], stage, *stages[index:]])
    set_undo_label(f"added stage {new_name}")
    return stage


@action("rename stage")
def rename_stage(old: str, new: str, *, pipeline: str | None = None) -> Stage:
    target = find_pipeline(pipeline)
    stage = find_stage(old, target.id)
    new_name = parse_stage_name(new)
    _refuse_taken_name([s for s in queries.stages_of(target.id) if s.id != stage.id], new_name)
    was = stage.name
    save(stage, name=new_name)
    set_undo_label(f"renamed stage {was} to {new_name}")
    return stage


@action("move stage")
def move_stage(name: str, after: str | None, *, pipeline: str | None = None) -> Stage:
    """Put an open stage after another (None: first); the prospects' furthest stage reached is
    worked out again, as it goes by the stages' order."""
    target = find_pipeline(pipeline)
    stage = find_stage(name, target.id)
    if stage.kind != OPEN:
        raise UserError(f"{stage.name} closes deals: it stays after the open stages")
    others = [s for s in queries.stages_of(target.id) if s.id != stage.id]
    if after is not None and find_stage(after, target.id).id == stage.id:
        raise UserError(f"a stage cannot go after itself ({stage.name})")
    index = _place_after(others, after, target.id)
    _renumber([*others[:index], stage, *others[index:]])
    _recompute_reach()
    set_undo_label(f"moved stage {stage.name}")
    return stage


@action("remove stage")
def remove_stage(name: str, to: str | None, now: datetime, *, pipeline: str | None = None) -> Stage:
    """Remove an open stage; its prospects (archived ones too) go to ``to``, required when it
    holds any. History keeps the removed stage's name where it was."""
    target = find_pipeline(pipeline)
    stage = find_stage(name, target.id)
    stages = queries.stages_of(target.id)
    if stage.kind != OPEN:
        raise UserError(f"{stage.name} closes deals ({stage.kind}): the pipeline needs it")
    if sum(1 for s in stages if s.kind == OPEN) == 1:
        raise UserError(f"{stage.name} is the pipeline's only open stage")
    held = list(Prospect.select().where(Prospect.stage == stage.id))
    heir = find_stage(to, target.id) if to else None
    if heir is not None and (heir.id == stage.id or heir.kind != OPEN):
        raise UserError(f"--to names another open stage of {target.name}, not {heir.name}")
    if held and heir is None:
        raise UserError(
            f"{stage.name} holds {plural(len(held), 'prospect')}: say which stage takes them with --to STAGE"
        )
    heir = heir or _neighbour(stages, stage)
    for prospect in held:
        save(prospect, stage=heir.id, updated_at=now)
    _keep_names_in_history(stage, heir)
    for prospect in Prospect.select().where(Prospect.reached_stage == stage.id):
        save(prospect, reached_stage=None)
    from pipeline_tui.store import journal

    journal.before_delete(stage)
    stage.delete_instance()
    _renumber([s for s in stages if s.id != stage.id])
    _recompute_reach()
    set_undo_label(f"removed stage {stage.name}")
    return stage


# -- helpers ----------------------------------------------------------------------------------


def _refuse_taken_name(stages: list[Stage], name: str) -> None:
    if any(s.name.casefold() == name.casefold() for s in stages):
        raise UserError(f"there is already a stage named {name}")


def _refuse_taken_role(stages: list[Stage], role: str | None) -> None:
    holder = next((s for s in stages if role is not None and s.role == role), None)
    if holder is not None:
        raise UserError(f"{holder.name} already has the role {role}: the rules look for one stage with it")


def _place_after(stages: list[Stage], after: str | None, pipeline_id: int) -> int:
    """Where in ``stages`` (board order) a stage put after ``after`` goes: open stages only
    before the closed ones."""
    if after is None:
        return 0
    anchor = find_stage(after, pipeline_id)
    index = next((i for i, s in enumerate(stages) if s.id == anchor.id), None)
    if index is None or anchor.kind != OPEN:
        raise UserError(f"open stages come before the ones that close deals: not after {anchor.name}")
    return index + 1


def _renumber(stages: list[Stage]) -> None:
    for position, stage in enumerate(stages):
        if stage.position != position:
            save(stage, position=position)


def _neighbour(stages: list[Stage], stage: Stage) -> Stage:
    """The open stage before ``stage`` (else the one after): where its history's links go."""
    opens = [s for s in stages if s.kind == OPEN and s.id != stage.id]
    earlier = [s for s in opens if s.position < stage.position]
    return earlier[-1] if earlier else opens[0]


def _keep_names_in_history(stage: Stage, heir: Stage) -> None:
    """The stage changes into and out of ``stage`` now point at ``heir``, and keep the
    removed stage's name for that end."""
    touching = StageChange.select().where(
        (StageChange.from_stage == stage.id) | (StageChange.to_stage == stage.id)
    )
    for change in touching:
        if change.from_stage_id == stage.id:
            save(change, from_stage=heir.id, from_name=change.from_name or stage.name)
        if change.to_stage_id == stage.id:
            save(change, to_stage=heir.id, to_name=change.to_name or stage.name)


def _recompute_reach() -> None:
    """Each prospect's furthest stage reached, by the stages' new order (an undo puts back
    the old values with the rest of the action)."""
    from pipeline_tui.store.schema import reach_changes

    changes = reach_changes()
    ids = list(changes)
    for start in range(0, len(ids), 500):  # SQLite takes so many parameters at once
        for prospect in Prospect.select().where(Prospect.id.in_(ids[start : start + 500])):
            reached, ever_won = changes[prospect.id]
            save(prospect, reached_stage=reached, ever_won=ever_won)
