"""Actions on follow-ups (R4, R5): schedule, complete, snooze, reschedule, log, start a trial."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from pipeline_tui.core.dates import DEFAULT_RULES, WORKING_HOUR, DateRules
from pipeline_tui.core.fields import parse_kind, parse_text
from pipeline_tui.core.wording import plural
from pipeline_tui.errors import UserError
from pipeline_tui.services.base import action, create, save, set_undo_label
from pipeline_tui.services.cadences import continue_after
from pipeline_tui.store.models import FollowUp, Prospect


def _prospect(prospect_id: int) -> Prospect:
    prospect = Prospect.get_or_none(Prospect.id == prospect_id)
    if prospect is None:
        raise UserError(f"no prospect with id {prospect_id}")
    return prospect


def _open_follow_up(follow_up_id: int) -> FollowUp:
    follow_up = FollowUp.get_or_none(FollowUp.id == follow_up_id)
    if follow_up is None:
        raise UserError(f"no follow-up with id {follow_up_id}")
    if follow_up.done_at is not None:
        raise UserError(f"follow-up {follow_up_id} is already done")
    return follow_up


@action("schedule")
def schedule(
    prospect_id: int, kind: str, due: datetime, now: datetime, notes: str = "", *, repeat: str | None = None
) -> FollowUp:
    """Schedule a follow-up of one of the known kinds; ``repeat``, an RRULE (see
    :func:`pipeline_tui.core.repeats.parse_repeat`), makes it come back once done."""
    prospect = _prospect(prospect_id)
    kind = parse_kind(kind)
    follow_up = create(
        FollowUp,
        prospect=prospect.id,
        kind=kind,
        due_at=due.replace(second=0, microsecond=0),
        created_at=now,
        notes=parse_text(notes, "notes"),
        repeat=repeat or None,
    )
    set_undo_label(f"scheduled a {kind} with {prospect.name}")
    return follow_up


def reminder_time(appointment: datetime, now: datetime, working_hour: time = WORKING_HOUR) -> datetime:
    """The day before an appointment at the working hour, but never in the past (R4)."""
    day_before = datetime.combine((appointment - timedelta(days=1)).date(), working_hour)
    return max(day_before, now.replace(second=0, microsecond=0))


@action("reminders")
def schedule_reminders(
    appointment_id: int, now: datetime, working_hour: time = WORKING_HOUR
) -> list[FollowUp]:
    """The day-before reminder call and email for an appointment (R4), in one go."""
    appointment = _open_follow_up(appointment_id)
    if appointment.kind != "appointment":
        raise UserError("reminders go with appointments")
    due = reminder_time(appointment.due_at, now, working_hour)
    when = appointment.due_at.strftime("%a %d %b %H:%M")
    made = [
        create(
            FollowUp,
            prospect=appointment.prospect_id,
            kind=kind,
            due_at=due,
            created_at=now,
            notes=f"{verb} about the appointment on {when}",
        )
        for kind, verb in (("call", "Call to remind"), ("email", "Email a reminder"))
    ]
    set_undo_label("scheduled the reminder call and email")
    return made


@action("done")
def complete(
    follow_up_id: int,
    now: datetime,
    outcome: str = "",
    *,
    then: tuple[str, datetime] | None = None,
    rules: DateRules = DEFAULT_RULES,
) -> FollowUp:
    """Mark a follow-up done at ``now`` with what happened and, in the same action, schedule
    the next one (``then``: kind and due), so that one undo takes back both. A cadence's step
    or a repeating follow-up schedules what follows it by itself (``continued_by``)."""
    follow_up = _open_follow_up(follow_up_id)
    save(follow_up, done_at=now, outcome=parse_text(outcome, "outcome"))
    save(follow_up.prospect, updated_at=now)
    continue_after(follow_up, now, rules)
    if then is not None:
        _schedule_next(follow_up.prospect_id, then, now)
    set_undo_label(f"{follow_up.kind} with {follow_up.prospect.name} marked done")
    return follow_up


def _schedule_next(prospect_id: int, then: tuple[str, datetime], now: datetime) -> FollowUp:
    kind, due = then
    return create(
        FollowUp,
        prospect=prospect_id,
        kind=parse_kind(kind),
        due_at=due.replace(second=0, microsecond=0),
        created_at=now,
    )


def snoozed_due(due: datetime, delta: timedelta, now: datetime) -> datetime:
    """Push a follow-up on from its due time, or from today at that time if it is overdue."""
    base = due if due >= now else datetime.combine(now.date(), due.time())
    return base + delta


@action("snooze")
def snooze(follow_up_id: int, delta: timedelta, now: datetime) -> FollowUp:
    follow_up = _open_follow_up(follow_up_id)
    save(follow_up, due_at=snoozed_due(follow_up.due_at, delta, now))
    days = delta.days
    set_undo_label(f"snoozed {follow_up.kind} by {plural(days, 'day')}")
    return follow_up


@action("reschedule")
def reschedule(follow_up_id: int, due: datetime, now: datetime) -> FollowUp:
    follow_up = _open_follow_up(follow_up_id)
    save(follow_up, due_at=due.replace(second=0, microsecond=0))
    set_undo_label(f"rescheduled {follow_up.kind}")
    return follow_up


def open_follow_up(follow_up_id: int) -> FollowUp | None:
    """A follow-up still to do, by id; None if it is done or gone."""
    return FollowUp.get_or_none(FollowUp.id == follow_up_id, FollowUp.done_at.is_null())


def answered_follow_up(prospect_id: int, kind: str, now: datetime) -> FollowUp | None:
    """The open follow-up that a call (or email...) made now answers: the prospect's oldest of
    that kind due today or before. Logging the call completes it rather than leaving it open."""
    end_of_today = datetime.combine(now.date(), datetime.max.time())
    return (
        FollowUp.select()
        .where(
            FollowUp.prospect == prospect_id,
            FollowUp.kind == kind,
            FollowUp.done_at.is_null(),
            FollowUp.due_at <= end_of_today,
        )
        .order_by(FollowUp.due_at, FollowUp.id)
        .first()
    )


@action("log")
def log_activity(
    prospect_id: int,
    kind: str,
    now: datetime,
    notes: str = "",
    outcome: str = "",
    *,
    answers: int | None = None,
    then: tuple[str, datetime] | None = None,
    rules: DateRules = DEFAULT_RULES,
) -> FollowUp:
    """Record something that just happened (a call, an email) as a follow-up done now. If it
    answers an open follow-up of its kind (``answers``, else the one due today or before), that
    one is marked done instead of a new entry made; ``then`` schedules the next step in the
    same action, as completing does."""
    prospect = _prospect(prospect_id)
    kind = parse_kind(kind)
    notes, outcome = parse_text(notes, "notes"), parse_text(outcome, "outcome")
    open_one = _answered(prospect.id, kind, now, answers)
    if open_one is not None:
        joined = " · ".join(text for text in (open_one.notes, notes) if text)
        save(open_one, done_at=now, outcome=outcome, notes=parse_text(joined, "notes"))
        continue_after(open_one, now, rules)
        entry = open_one
    else:
        entry = create(
            FollowUp,
            prospect=prospect.id,
            kind=kind,
            due_at=now,
            done_at=now,
            created_at=now,
            notes=notes,
            outcome=outcome,
        )
    save(prospect, updated_at=now)
    if then is not None:
        _schedule_next(prospect.id, then, now)
    set_undo_label(f"logged a {kind} with {prospect.name}")
    return entry


def _answered(prospect_id: int, kind: str, now: datetime, chosen: int | None) -> FollowUp | None:
    """The open follow-up a logged activity completes: the one chosen (if it is of that kind),
    else the one due."""
    if chosen is not None:
        follow_up = _open_follow_up(chosen)
        if follow_up.prospect_id != prospect_id:
            raise UserError(f"follow-up {chosen} is not about this prospect")
        return follow_up if follow_up.kind == kind else None
    return answered_follow_up(prospect_id, kind, now)


@action("trial")
def start_trial(prospect_id: int, kind: str, ends: datetime, now: datetime) -> FollowUp:
    """R5: a demo or free trial starts now; its end is a follow-up to ask for the decision."""
    prospect = _prospect(prospect_id)
    if kind not in ("demo", "trial"):
        raise UserError("start either a demo or a trial")
    if ends <= now:
        raise UserError("the trial must end after now")
    create(
        FollowUp,
        prospect=prospect.id,
        kind=kind,
        due_at=now,
        done_at=now,
        created_at=now,
        notes=f"{kind.capitalize()} started, ends {ends:%a %d %b}",
    )
    end = create(
        FollowUp,
        prospect=prospect.id,
        kind=kind,
        due_at=ends,
        created_at=now,
        notes=f"{kind.capitalize()} ends: ask for the decision",
    )
    set_undo_label(f"started a {kind} with {prospect.name}")
    return end


def workday(moment: datetime) -> datetime:
    """The same time on the first weekday from ``moment`` on: follow-ups are not for Sundays."""
    while moment.weekday() >= 5:
        moment += timedelta(days=1)
    return moment


def default_next(kind: str, now: datetime, working_hour: time = WORKING_HOUR) -> tuple[str, datetime]:
    """The follow-up to offer after one is done: what kind, and when (R4 keeps you following up),
    always on a weekday at the working hour."""
    morning = datetime.combine(now.date(), working_hour)
    if kind == "appointment":
        return "email", workday(morning + timedelta(days=1))
    if kind in ("demo", "trial", "info-request"):
        return "call", workday(morning + timedelta(days=2))
    return "call", workday(morning + timedelta(days=7 if kind == "task" else 3))
