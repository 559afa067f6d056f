"""Actions on prospects: add, edit, move between stages, win, lose, archive and restore."""

from __future__ import annotations

from datetime import datetime

from pipeline_tui.core import domain
from pipeline_tui.core.dates import DEFAULT_RULES, DateRules
from pipeline_tui.core.domain import LOST, OPEN, WON
from pipeline_tui.core.fields import parse_fields, parse_text
from pipeline_tui.core.money import Currencies, require_rate
from pipeline_tui.core.settings import Settings
from pipeline_tui.errors import ConflictError, UserError
from pipeline_tui.services import scores
from pipeline_tui.services.base import (
    action,
    create,
    current_user,
    find_pipeline,
    find_stage,
    first_open_stage,
    save,
    set_undo_label,
)
from pipeline_tui.services.cadences import end_cadence
from pipeline_tui.store import queries
from pipeline_tui.store.models import FollowUp, Prospect, Stage, StageChange


@action("add prospect")
def add_prospect(
    now: datetime,
    name: str,
    *,
    pipeline: str | None = None,
    stage: str | None = None,
    fields: dict[str, str] | None = None,
    follow_up: tuple[datetime, str] | None = None,
    dates: DateRules = DEFAULT_RULES,
    currencies: Currencies | None = None,
) -> Prospect:
    """Add a prospect (in the first open stage unless told), with an optional first follow-up.

    ``fields`` holds the other fields as typed (value, contact, decision_maker...); they are
    read by :func:`pipeline_tui.core.fields.parse_fields`, a typed date by ``dates``; with
    ``currencies``, a deal in a currency without a rate is refused.
    """
    from pipeline_tui.services import contacts, organizations  # (not needed to start the app)
    from pipeline_tui.store.people import people_of

    values = parse_fields({"name": name, **(fields or {})}, now, dates)
    if currencies is not None:
        require_rate(values.get("currency", ""), currencies)
    target_pipeline = find_pipeline(pipeline)
    target = find_stage(stage, target_pipeline.id) if stage else first_open_stage(target_pipeline.id)
    org = organizations.find_or_create(values.get("organization") or "")
    prospect = create(
        Prospect,
        pipeline=target_pipeline.id,
        stage=target.id,
        created_at=now,
        updated_at=now,
        stage_entered_at=now,
        closed_at=now if target.kind != OPEN else None,
        reached_stage=target.id if target.kind == OPEN else None,
        ever_won=target.kind == WON,
        owner=current_user(),
        org=org.id if org else None,
        **values,
    )
    create(StageChange, prospect=prospect.id, from_stage=None, to_stage=target.id, changed_at=now)
    contacts.apply_row_fields(prospect, values, now)
    if org is not None and organizations.is_customer(org.id):  # a customer again: its people come along
        if contacts.copy_people(prospect, people_of(org.id)):
            contacts.summarise(prospect, now)
    if follow_up is not None:
        due, kind = follow_up
        create(FollowUp, prospect=prospect.id, kind=kind, due_at=due, created_at=now)
    set_undo_label(f"added {prospect.name}")
    return prospect


@action("edit prospect")
def edit_prospect(
    prospect_id: int,
    now: datetime,
    changes: dict[str, str],
    *,
    expected_version: int | None = None,
    dates: DateRules = DEFAULT_RULES,
    currencies: Currencies | None = None,
) -> Prospect:
    """Change fields of a prospect from typed text; nothing is saved if one field is bad.

    ``expected_version`` is the version the form was filled from: if someone changed the
    prospect since, the edit is refused rather than silently mixed with theirs. With
    ``currencies``, a currency without a rate is refused.
    """
    prospect = _get(prospect_id)
    if expected_version is not None and prospect.version != expected_version:
        raise ConflictError(
            f"{prospect.name} was changed elsewhere while you edited it; close the form to see the "
            "new values, then edit again"
        )
    if "stage" in changes:
        raise UserError("use move to change the stage")
    from pipeline_tui.services import contacts, organizations

    values = parse_fields(changes, now, dates)
    if currencies is not None:
        require_rate(values.get("currency", ""), currencies)
    if "currency" in values:  # the value is written again: what watches it (scores, totals) sees the change
        values.setdefault("value_cents", prospect.value_cents)
    save(prospect, updated_at=now, **values)
    if "organization" in values:
        organizations.link(prospect, values["organization"])
    contacts.apply_row_fields(prospect, values, now)
    set_undo_label(f"edited {prospect.name}")
    return prospect


def _get(prospect_id: int) -> Prospect:
    prospect = queries.prospect_by_id(prospect_id)
    if prospect is None:
        raise UserError(f"no prospect with id {prospect_id}")
    return prospect


def _enter_stage(
    prospect: Prospect, stage: Stage, now: datetime, lost_reason: str | None, known: dict | None = None
) -> None:
    """Move and record the stage change; closing stamps ``closed_at``, reopening clears it.
    ``known``: stages at hand by id (a step has its pipeline's open ones), spared a query."""
    if stage.kind == LOST and lost_reason is None:
        lost_reason = prospect.lost_reason
    stayed = max(0, int((now - prospect.stage_entered_at).total_seconds()))  # the report's time in stage
    create(
        StageChange,
        prospect=prospect.id,
        from_stage=prospect.stage_id,
        to_stage=stage.id,
        changed_at=now,
        seconds_in_stage=stayed,
    )
    reached = prospect.reached_stage_id
    if stage.kind == OPEN and (
        reached is None or ((known or {}).get(reached) or Stage.get_by_id(reached)).position < stage.position
    ):
        reached = stage.id
    save(
        prospect,
        stage=stage.id,
        reached_stage=reached,
        ever_won=prospect.ever_won or stage.kind == WON,
        stage_entered_at=now,
        updated_at=now,
        closed_at=now if stage.kind != OPEN else None,
        lost_reason=(lost_reason or "").strip() if stage.kind == LOST else "",
    )
    if stage.kind != OPEN:
        # a closed deal needs no more chasing: its open follow-ups leave the agenda, kept in history
        for follow_up in FollowUp.select().where(
            FollowUp.prospect == prospect.id, FollowUp.done_at.is_null()
        ):
            save(follow_up, done_at=now, outcome=f"cancelled: the deal was {stage.kind}")
        end_cadence(prospect.id, now, stage.kind)


@action("move prospect")
def move_prospect(
    prospect_id: int, stage_name: str, now: datetime, *, lost_reason: str | None = None
) -> Stage:
    """Move a prospect to a stage of its pipeline, by name; recorded as a stage change at ``now``."""
    prospect = _get(prospect_id)
    stage = find_stage(stage_name, prospect.pipeline_id)
    if stage.id == prospect.stage_id:
        raise UserError(f"{prospect.name} is already in {stage.name}")
    _enter_stage(prospect, stage, now, lost_reason)
    set_undo_label(f"moved {prospect.name} to {stage.name}")
    return stage


@action("move prospect")
def step_prospect(
    prospect_id: int,
    step: int,
    now: datetime,
    *,
    decision_maker_confirmed: bool = False,
    settings: Settings | None = None,
) -> domain.Stage:
    """Move a prospect one open stage forward (+1) or back (-1): the board's H and L; with
    ``decision_maker_confirmed``, its contact is noted as the decision maker in the same action
    (R2: asked as it moves into Appointment). With ``settings`` (the board's), its stored score
    is worked out again in the same transaction (``services.scores.work_out_written``)."""
    prospect = _get(prospect_id)
    if decision_maker_confirmed:  # the contact it names (the one to ask) takes the role
        from pipeline_tui.services import contacts

        contacts.apply_row_fields(prospect, {"decision_maker": "yes"}, now)
    pipeline_id = prospect.pipeline_id  # its stages as plain rows, in order: no model made of each
    opens = [s for s in queries.load_stages() if s.pipeline_id == pipeline_id and s.kind == OPEN]
    ids = [s.id for s in opens]
    if prospect.stage_id not in ids:
        raise UserError(f"{prospect.name} is closed; move it to an open stage by name")
    index = ids.index(prospect.stage_id) + step
    if not 0 <= index < len(opens):
        edge = "last" if step > 0 else "first"
        hint = " (w marks it won)" if step > 0 else ""
        raise UserError(f"{prospect.name} is already in the {edge} open stage{hint}")
    stage = opens[index]
    _enter_stage(prospect, stage, now, None, {s.id: s for s in opens})
    if settings is not None:
        scores.work_out_written([prospect.id], now, settings)
    confirmed = "confirmed the decision maker and " if decision_maker_confirmed else ""
    set_undo_label(f"{confirmed}moved {prospect.name} to {stage.name}")
    return stage


def _closing_stage(prospect: Prospect, kind: str) -> Stage:
    stage = (
        Stage.select()
        .where(Stage.pipeline == prospect.pipeline_id, Stage.kind == kind)
        .order_by(Stage.position)
        .first()
    )
    if stage is None:
        raise UserError(f"this pipeline has no {kind} stage")
    return stage


@action("won")
def mark_won(prospect_id: int, now: datetime, *, value_cents: int | None = None) -> Stage:
    """Won, at ``value_cents`` when given: the amount a deal without a value was won for, saved
    in the same action (the quota counts it)."""
    prospect = _get(prospect_id)
    stage = _closing_stage(prospect, WON)
    if prospect.stage_id == stage.id:
        raise UserError(f"{prospect.name} is already won")
    if value_cents is not None:
        save(prospect, value_cents=value_cents)
    _enter_stage(prospect, stage, now, None)
    set_undo_label(f"marked {prospect.name} won")
    return stage


@action("lost")
def mark_lost(prospect_id: int, reason: str, now: datetime) -> Stage:
    prospect = _get(prospect_id)
    stage = _closing_stage(prospect, LOST)
    if prospect.stage_id == stage.id:
        raise UserError(f"{prospect.name} is already lost")
    _enter_stage(prospect, stage, now, reason)
    set_undo_label(f"marked {prospect.name} lost")
    return stage


@action("archive")
def archive_prospect(prospect_id: int, now: datetime) -> Prospect:
    """Hide a prospect from every view and figure; :func:`restore_prospect` brings it back."""
    prospect = _get(prospect_id)
    if prospect.archived:
        raise UserError(f"{prospect.name} is already archived")
    save(prospect, archived=True, updated_at=now)
    end_cadence(prospect.id, now, "archived")  # its open step leaves with it
    set_undo_label(f"archived {prospect.name}")
    return prospect


@action("restore")
def restore_prospect(prospect_id: int, now: datetime) -> Prospect:
    prospect = _get(prospect_id)
    if not prospect.archived:
        raise UserError(f"{prospect.name} is not archived")
    save(prospect, archived=False, updated_at=now)
    set_undo_label(f"restored {prospect.name}")
    return prospect


def archived_prospects() -> list[Prospect]:
    return list(Prospect.select().where(Prospect.archived == True).order_by(Prospect.updated_at.desc()))  # noqa: E712


@action("snooze prospect")
def snooze_prospect(prospect_id: int, until: datetime, reason: str, now: datetime) -> Prospect:
    """Put an open deal aside on purpose until ``until``, saying why: meanwhile the stale advice
    keeps quiet, its card does not rot and it does not age out. It counts as an edit."""
    prospect = _get(prospect_id)
    reason = parse_text(reason, "reason")
    if not reason:
        raise UserError('say why the deal waits: --reason "..."')
    if until <= now:
        raise UserError(f"the snooze must end after now ({now:%d %b %Y %H:%M})")
    stage = Stage.get_by_id(prospect.stage_id)
    if stage.kind != OPEN:
        raise UserError(f"{prospect.name} is {stage.kind}: only an open deal can be snoozed")
    save(prospect, snoozed_until=until, snooze_reason=reason, updated_at=now)
    set_undo_label(f"snoozed {prospect.name}")
    return prospect


@action("wake prospect")
def wake_prospect(prospect_id: int, now: datetime) -> Prospect:
    """End a deal's snooze now."""
    prospect = _get(prospect_id)
    if prospect.snoozed_until is None:
        raise UserError(f"{prospect.name} is not snoozed")
    save(prospect, snoozed_until=None, snooze_reason="", updated_at=now)
    set_undo_label(f"woke {prospect.name}")
    return prospect
