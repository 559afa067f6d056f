"""Follow-ups that schedule themselves: cadences (a named list of steps) and repeating
follow-ups (README "Cadences" and "Recurring follow-ups").

Completing a cadence's step schedules the next one in the same action; so does completing a
repeating follow-up, with its next occurrence. Stopping a cadence, or closing or archiving its
prospect, ends it: the step still open is cancelled.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import NamedTuple

import peewee

from pipeline_tui.core.cadences import Cadence, CadenceStep, NextStep, step_due, steps_text
from pipeline_tui.core.dates import DEFAULT_RULES, DateRules
from pipeline_tui.core.domain import OPEN
from pipeline_tui.core.repeats import describe_repeat, next_occurrence, rule_after
from pipeline_tui.errors import UserError
from pipeline_tui.services.base import action, create, remove, save, set_undo_label
from pipeline_tui.store.built import marker, models_built
from pipeline_tui.store.models import CadenceRun, FollowUp, Prospect, Stage


class Position(NamedTuple):
    """Where a follow-up stands in its cadence."""

    cadence: str
    step: int
    steps: int

    def describe(self) -> str:
        return f"{self.cadence}, step {self.step} of {self.steps}"


def _steps(run: CadenceRun) -> list[CadenceStep]:
    """A running cadence's steps as kept when it started (checked then, so read as they are)."""
    return [CadenceStep(*text.split(" ", 1)) for text in json.loads(run.steps)]


def _running_cadence(marks: list[int]) -> peewee.Query:
    return CadenceRun.select().where(CadenceRun.prospect == marker(marks[0]), CadenceRun.ended_at.is_null())


def running_cadence(prospect_id: int) -> CadenceRun | None:
    # built once (store.built): the detail pane asks on every card it opens
    found = models_built(CadenceRun, _running_cadence, (), [prospect_id])
    return found[0] if found else None


def position(follow_up: FollowUp) -> Position | None:
    """The cadence and step of a follow-up, if it is a step of one."""
    if follow_up.cadence_run_id is None or follow_up.cadence_step is None:
        return None
    run = CadenceRun.get_or_none(CadenceRun.id == follow_up.cadence_run_id)
    if run is None:
        return None
    return Position(run.name, follow_up.cadence_step, len(_steps(run)))


def next_step(follow_up: FollowUp, done: datetime, rules: DateRules = DEFAULT_RULES) -> NextStep | None:
    """What completing ``follow_up`` at ``done`` schedules by itself: its cadence's next step
    (counted from ``done``), or its repeat's next occurrence (counted from its due time); None
    for the last step of a cadence, an ended cadence, an ended series or a plain follow-up."""
    if follow_up.cadence_run_id is not None and follow_up.cadence_step is not None:
        run = CadenceRun.get_or_none(CadenceRun.id == follow_up.cadence_run_id)
        if run is None or run.ended_at is not None:
            return None
        steps = _steps(run)
        if follow_up.cadence_step >= len(steps):
            return None
        step = steps[follow_up.cadence_step]
        return NextStep(step.kind, step_due(step, done, rules), follow_up.cadence_step + 1, len(steps))
    if follow_up.repeat:
        due = next_occurrence(follow_up.repeat, follow_up.due_at, done)
        if due is not None:
            return NextStep(follow_up.kind, due, repeat=describe_repeat(follow_up.repeat))
    return None


def as_next_step(made: FollowUp) -> NextStep:
    """A follow-up that completing another one scheduled, as the footer and ``done`` say it."""
    where = position(made)
    if where is not None:
        return NextStep(made.kind, made.due_at, where.step, where.steps)
    return NextStep(made.kind, made.due_at, repeat=describe_repeat(made.repeat) if made.repeat else None)


def after_completing(follow_up: FollowUp, now: datetime) -> str:
    """What completing ``follow_up`` did by itself, in words for the footer and ``done``:
    ``next: email Fri 09:00, step 2 of 3``, ``the after-demo cadence is done``, or nothing."""
    if follow_up.continued_by is not None:
        return as_next_step(follow_up.continued_by).describe(now)
    where = position(follow_up)
    if where is not None and where.step >= where.steps:
        return f"the {where.cadence} cadence is done ({where.steps} of {where.steps})"
    return ""


def continue_after(follow_up: FollowUp, done: datetime, rules: DateRules = DEFAULT_RULES) -> FollowUp | None:
    """Inside the action that completes ``follow_up``: schedule what follows it by itself, and
    end its cadence after its last step. Returns the follow-up made, if any."""
    following = next_step(follow_up, done, rules)
    if following is None:
        if follow_up.cadence_run_id is not None:
            run = CadenceRun.get_or_none(CadenceRun.id == follow_up.cadence_run_id)
            if run is not None and run.ended_at is None:
                save(run, ended_at=done, end_reason="finished")
        return None
    made = create(
        FollowUp,
        prospect=follow_up.prospect_id,
        kind=following.kind,
        due_at=following.due,
        created_at=done,
        notes=follow_up.notes if following.repeat else "",
        cadence_run=follow_up.cadence_run_id if following.step else None,
        cadence_step=following.step,
        repeat=rule_after(follow_up.repeat, follow_up.due_at, following.due) if following.repeat else None,
    )
    follow_up.continued_by = made
    return made


@action("cadence")
def start_cadence(
    prospect_id: int,
    cadence: Cadence,
    now: datetime,
    start: datetime | None = None,
    rules: DateRules = DEFAULT_RULES,
) -> FollowUp:
    """Put a prospect on a cadence: its first step is scheduled, counted from ``start`` (now
    when not given). One cadence at a time; a closed or archived deal takes none."""
    prospect = _open_prospect(prospect_id)
    running = running_cadence(prospect.id)
    if running is not None:
        raise UserError(f"{prospect.name} is already on the {running.name} cadence: stop it first (--stop)")
    run = create(
        CadenceRun,
        prospect=prospect.id,
        name=cadence.name,
        steps=json.dumps(steps_text(cadence.steps)),
        started_at=now,
    )
    first = cadence.steps[0]
    made = create(
        FollowUp,
        prospect=prospect.id,
        kind=first.kind,
        due_at=step_due(first, start or now, rules),
        created_at=now,
        cadence_run=run.id,
        cadence_step=1,
    )
    set_undo_label(f"put {prospect.name} on the {cadence.name} cadence")
    return made


def _open_prospect(prospect_id: int) -> Prospect:
    prospect = Prospect.get_or_none(Prospect.id == prospect_id)
    if prospect is None:
        raise UserError(f"no prospect with id {prospect_id}")
    if prospect.archived:
        raise UserError(f"{prospect.name} is archived (restore it first)")
    if Stage.get_by_id(prospect.stage_id).kind != OPEN:
        raise UserError(f"{prospect.name} is closed: a cadence is for a deal still open")
    return prospect


SUGGESTED = {
    "lead": "new-lead",
    "qualified": "new-lead",
    "appointment": "after-appointment",
    "proposal": "after-appointment",
    "trial": "trial",
}


def suggested_cadence(prospect_id: int) -> str | None:
    """The default cadence that fits the prospect's stage: new leads are answered at once,
    appointments followed up, trials seen through (R4, R5)."""
    stage = (
        Stage.select(Stage.role)
        .join(Prospect, on=(Prospect.stage == Stage.id))
        .where(Prospect.id == prospect_id)
        .first()
    )
    return SUGGESTED.get(stage.role) if stage is not None else None


class Running(NamedTuple):
    """What of a prospect's follow-ups runs by itself: the C key stops it, or starts a cadence."""

    cadence: CadenceRun | None
    step: FollowUp | None  # its open step
    repeating: list[FollowUp]


def running(prospect_id: int) -> Running:
    run = running_cadence(prospect_id)
    step = None
    if run is not None:
        step = FollowUp.get_or_none(FollowUp.cadence_run == run.id, FollowUp.done_at.is_null())
    repeating = list(
        FollowUp.select().where(
            FollowUp.prospect == prospect_id, FollowUp.done_at.is_null(), FollowUp.repeat.is_null(False)
        )
    )
    return Running(run, step, repeating)


def _running_by_themselves(marks: list[int]) -> peewee.Query:
    """A prospect's open follow-ups that a cadence or a repeat schedules."""
    return FollowUp.select().where(
        FollowUp.prospect == marker(marks[0]),
        FollowUp.done_at.is_null(),
        FollowUp.cadence_run.is_null(False) | FollowUp.repeat.is_null(False),
    )


def marks(prospect_id: int) -> tuple[str | None, dict[int, str]]:
    """For the pane: the prospect's running cadence and its step in words, and each open
    follow-up that runs by itself with its mark (``after-demo 2/3``, ``every week``)."""
    run = running_cadence(prospect_id)
    found: dict[int, str] = {}
    steps = {}
    for follow_up in models_built(FollowUp, _running_by_themselves, (), [prospect_id]):
        if follow_up.repeat:
            found[follow_up.id] = describe_repeat(follow_up.repeat)
        elif follow_up.cadence_run_id == (run.id if run else None):
            steps[follow_up.id] = follow_up.cadence_step
            found[follow_up.id] = f"step {follow_up.cadence_step} of {len(_steps(run))}"
    line = None
    if run is not None:
        at = max(steps.values(), default=None)
        line = f"{run.name}, step {at} of {len(_steps(run))}" if at else run.name
    return line, found


class Stopped(NamedTuple):
    """What stopping a prospect's automatic follow-ups did."""

    cadence: CadenceRun | None  # the cadence ended
    step: int | None  # the step it was at
    cancelled: list[FollowUp]  # its open steps, cancelled
    unrepeated: list[FollowUp]  # follow-ups that no longer repeat (they stay, once)


def end_cadence(prospect_id: int, now: datetime, reason: str) -> tuple[CadenceRun | None, list[FollowUp]]:
    """Inside an action: end the prospect's running cadence (``reason``: stopped, won, lost,
    archived) and cancel its steps still open. Returns the cadence and the steps cancelled."""
    run = running_cadence(prospect_id)
    if run is None:
        return None, []
    steps = list(FollowUp.select().where(FollowUp.cadence_run == run.id, FollowUp.done_at.is_null()))
    for step in steps:
        remove(step)
    save(run, ended_at=now, end_reason=reason)
    return run, steps


@action("stop")
def stop_follow_ups(prospect_id: int, now: datetime) -> Stopped:
    """``--stop`` (or the key C): end the prospect's cadence, cancelling its open step, and
    stop its follow-ups repeating (the open occurrence stays, once)."""
    prospect = Prospect.get_or_none(Prospect.id == prospect_id)
    if prospect is None:
        raise UserError(f"no prospect with id {prospect_id}")
    run, cancelled = end_cadence(prospect.id, now, "stopped")
    repeating = list(
        FollowUp.select().where(
            FollowUp.prospect == prospect.id, FollowUp.done_at.is_null(), FollowUp.repeat.is_null(False)
        )
    )
    for follow_up in repeating:
        save(follow_up, repeat=None)
    if run is None and not repeating:
        raise UserError(f"{prospect.name} has no cadence and no repeating follow-up to stop")
    step = max((f.cadence_step or 0 for f in cancelled), default=None) or None
    set_undo_label(f"stopped the follow-ups of {prospect.name} running by themselves")
    return Stopped(run, step, cancelled, repeating)
