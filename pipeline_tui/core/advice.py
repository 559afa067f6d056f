"""What the article's rules say to do now: one small named rule per advice code (see the
README's advice table).

Pipeline-wide rules read the figures; prospect rules read one open prospect at a time, with
what they share worked out once per run (:class:`Context`): a report over 100,000 open
prospects runs each rule 100,000 times. Advice comes out grouped by code: pipeline-wide
first, then the most pressing prospect codes, and within a code the most valuable deal first.
"""

from __future__ import annotations

import functools
import math
from bisect import bisect_left
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from itertools import groupby
from operator import attrgetter, itemgetter
from typing import NamedTuple

from pipeline_tui.core.aging import RottingLimit, is_snoozed, last_touched
from pipeline_tui.core.dates import moment_reader
from pipeline_tui.core.domain import CONTACT_KINDS, DEMO_KINDS, OPEN, Prospect, Snapshot, Stage, new_record
from pipeline_tui.core.figures import QuotaFigures
from pipeline_tui.core.money import format_estimate, format_money
from pipeline_tui.core.open_deals import OpenSums, open_sums
from pipeline_tui.core.score import moment_after
from pipeline_tui.core.settings import Thresholds
from pipeline_tui.core.wording import plural

# Prospect advice, most pressing first: someone waiting, an appointment at risk, then the rest.
PROSPECT_CODES = (
    "answer-info-request",
    "send-reminder",
    "confirm-decision-maker",
    "follow-up-after-appointment",
    "schedule-appointment",
    "offer-trial",
    "probe-budget",
    "probe-timeframe",
    "stale",
)
PIPELINE_CODES = ("behind-quota", "cold-call-more", "research-and-presentations", "improve-closing")
ALL_CODES = PIPELINE_CODES + PROSPECT_CODES
_RANK = {code: rank for rank, code in enumerate(ALL_CODES)}
_PROSPECT = frozenset(PROSPECT_CODES)


class Advice(NamedTuple):
    """One piece of advice: its code, what to do, and the prospect it is about."""

    code: str
    message: str
    prospect_id: int | None = None
    prospect: str | None = None
    when: datetime | None = None  # what makes it pressing: a due time, or how long it has waited
    value: float = 0.0  # the deal's weighted value (cents): the most valuable first within a code

    @property
    def order(self) -> tuple:
        if self.prospect_id is None:
            return (0, _RANK[self.code], 0.0, datetime.min, 0)
        return (1, _RANK[self.code], -self.value, self.when or datetime.max, self.prospect_id)


class AdviceGroup(NamedTuple):
    """How many pieces of advice share a code, and the weighted value of the deals they name."""

    code: str
    count: int
    value: float | None  # None for advice about the whole pipeline


class StagePlace(NamedTuple):
    """Where an open stage stands against the stages the rules name by role."""

    past_lead: bool
    past_qualified: bool
    before_appointment: bool  # its pipeline has an appointment stage, later than this one
    at_or_past_appointment: bool


def _place(snapshot: Snapshot, stage: Stage) -> StagePlace:
    def position(role: str) -> int | None:
        return snapshot.role_position(stage.pipeline_id, role)

    def past(role: str) -> bool:
        found = position(role)
        if found is None:  # no stage of that role: past the pipeline's first stage
            stages = snapshot.stages_by_pipeline.get(stage.pipeline_id) or []
            found = stages[0].position if stages else 0
        return stage.position > found

    appointment = position("appointment")
    return StagePlace(
        past_lead=past("lead"),
        past_qualified=past("qualified"),
        before_appointment=appointment is not None and stage.position < appointment,
        at_or_past_appointment=appointment is not None and stage.position >= appointment,
    )


class Context:
    """What the prospect rules share in one run: the moment and the times the thresholds make of
    it, each stage's place and rotting limit, and the days already written out."""

    __slots__ = (
        "snapshot",
        "thresholds",
        "now",
        "places",
        "limits",
        "answer_by",
        "reminder_window",
        "stale_before",
        "_days",
    )

    def __init__(
        self, snapshot: Snapshot, thresholds: Thresholds, limits: dict[int, RottingLimit] | None = None
    ) -> None:
        self.snapshot = snapshot
        self.thresholds = thresholds
        self.now = snapshot.now
        self.places = {s.id: _place(snapshot, s) for s in snapshot.stages if s.kind == OPEN}
        self.limits = {
            s.id: (limits or {}).get(s.id, RottingLimit(thresholds.stale_after_days, "default"))
            for s in snapshot.stages
            if s.kind == OPEN
        }
        # a deal last touched before this moment has been idle for more than its stage's limit
        self.stale_before = {
            stage_id: self.now - timedelta(days=limit.days + 1) for stage_id, limit in self.limits.items()
        }
        self.answer_by = self.now - timedelta(hours=thresholds.info_request_hours)
        self.reminder_window = timedelta(hours=thresholds.reminder_window_hours)
        self._days: dict[tuple[datetime, str], str] = {}

    def day(self, moment: datetime, form: str = "%a %d %b %H:%M") -> str:
        """``Fri 27 Nov 10:00`` (no time at midnight): written once per moment (a big report
        names the same appointment times thousands of times)."""
        said = self._days.get((moment, form))
        if said is None:
            said = self._days[(moment, form)] = moment.strftime(form).replace(" 00:00", "")
        return said


def _open_of(p: Prospect, *kinds: str) -> list:
    return [f for f in p.open_follow_ups if f.kind in kinds]


def _next_appointment(p: Prospect) -> datetime | None:
    dues = [f.due for f in p.open_follow_ups if f.kind == "appointment"]
    return min(dues) if dues else None


# A rule: (prospect, its stage, the run's context) -> (code, message, when, tail) or None. A
# rule whose message says how long ago ``when`` was leaves that phrase out: the message is
# ``message + clock_phrase(code, when, now) + tail``, so a message kept with its ``when`` can be
# worded again at any later moment (the other rules' tail is "").
Found = tuple[str, str, datetime | None, str]
ProspectRule = Callable[[Prospect, Stage, Context], Found | None]


def confirm_decision_maker(p: Prospect, stage: Stage, ctx: Context) -> Found | None:
    """R2: an appointment is scheduled, or the deal is that far, but nobody confirmed authority.
    It names whom to ask: the contact whose role is not known yet (see core.people); when
    every contact is known not to decide, or nobody is named, the decision maker is to find."""
    if p.decision_maker == "yes":
        return None
    appointment = _next_appointment(p) if p.open_follow_ups else None
    where = p.organization or p.name
    if appointment is not None:
        return (
            "confirm-decision-maker",
            _who_decides(p, where, f"before the appointment on {ctx.day(appointment)}"),
            appointment,
            "",
        )
    if ctx.places[stage.id].at_or_past_appointment:
        return (
            "confirm-decision-maker",
            _who_decides(
                p, where, f"the deal is in {stage.name} and nobody has confirmed it", authority=True
            ),
            p.stage_entered,
            "",
        )
    return None


def _who_decides(p: Prospect, where: str, when: str, *, authority: bool = False) -> str:
    if p.decision_maker == "no":
        cannot = f": {p.contact} cannot" if p.contact else ""
        return f"Find who decides at {where}{cannot}, {when}"
    if not p.contact:
        return f"Find the decision maker at {where}, {when}"
    if authority:
        return f"Confirm {p.contact} at {where} has authority to buy: {when}"
    return f"Confirm {p.contact} at {where} can decide {when}"


def probe_budget(p: Prospect, stage: Stage, ctx: Context) -> Found | None:
    """R3/R7: past the lead stage with no idea of the budget."""
    if p.value is None and ctx.places[stage.id].past_lead:
        return (
            "probe-budget",
            f"Find out the budget of {p.label}: ask what they spent on similar things before",
            p.stage_entered,
            "",
        )
    return None


def probe_timeframe(p: Prospect, stage: Stage, ctx: Context) -> Found | None:
    """R3: past the lead stage with no idea when they will decide."""
    if p.expected_close is None and ctx.places[stage.id].past_lead:
        return (
            "probe-timeframe",
            f"Find out when {p.label} will decide: gauge their urgency and set an expected close date",
            p.stage_entered,
            "",
        )
    return None


def schedule_appointment(p: Prospect, stage: Stage, ctx: Context) -> Found | None:
    """R4: the decision maker is confirmed; book the appointment as soon as possible."""
    if (
        p.decision_maker == "yes"
        and ctx.places[stage.id].before_appointment
        and not any(f.kind == "appointment" for f in p.open_follow_ups)
    ):
        return (
            "schedule-appointment",
            f"Book an appointment with {p.label}: the decision maker is confirmed",
            p.stage_entered,
            "",
        )
    return None


def answer_info_request(p: Prospect, stage: Stage, ctx: Context) -> Found | None:
    """R4: answer any request for information immediately."""
    if not p.open_follow_ups:
        return None
    limit = ctx.answer_by
    waiting = [f.created for f in p.open_follow_ups if f.kind == "info-request" and f.created < limit]
    if not waiting:
        return None
    return (
        "answer-info-request",
        f"Answer the request for information from {p.label} now: they have waited ",
        min(waiting),
        "",
    )


def send_reminder(p: Prospect, stage: Stage, ctx: Context) -> Found | None:
    """R4: call and email the day before an appointment, so a hopeless one can cancel."""
    if not p.open_follow_ups:
        return None
    now, window = ctx.now, ctx.reminder_window
    upcoming = [f.due for f in p.open_follow_ups if f.kind == "appointment" and now <= f.due <= now + window]
    if not upcoming:
        return None
    appointment = min(upcoming)
    since = appointment - window
    last_contact = p.history.last_contact
    if last_contact is not None and last_contact >= since:
        return None
    if any(since <= f.due <= appointment for f in _open_of(p, *CONTACT_KINDS)):
        return None
    return (
        "send-reminder",
        f"Call and email {p.label} a reminder about the appointment on {ctx.day(appointment)}",
        appointment,
        "",
    )


def follow_up_after_appointment(p: Prospect, stage: Stage, ctx: Context) -> Found | None:
    """R4: after the appointment, keep following up."""
    done = p.history.last_appointment_done
    if done is None or p.open_follow_ups:
        return None
    return (
        "follow-up-after-appointment",
        f"Follow up with {p.label} after the appointment on {ctx.day(done, '%a %d %b')}:"
        " nothing is scheduled",
        done,
        "",
    )


def offer_trial(p: Prospect, stage: Stage, ctx: Context) -> Found | None:
    """R5: slow to decide after qualifying, and never tried the product."""
    if p.history.demo_or_trial or not ctx.places[stage.id].past_qualified:
        return None
    days = (ctx.now - p.stage_entered).days
    if days > ctx.thresholds.offer_trial_after_days and not _open_of(p, *DEMO_KINDS):
        return (
            "offer-trial",
            f"Offer {p.label} a free trial or demo: ",
            p.stage_entered,
            f" in {stage.name} without one",
        )
    return None


def stale(p: Prospect, stage: Stage, ctx: Context) -> Found | None:
    """Nothing has happened for longer than the stage's rotting limit (by default
    ``stale_after_days``): revive it or close it, unless it was snoozed with a reason."""
    last = last_touched(p)
    if last > ctx.stale_before[stage.id] or is_snoozed(p, ctx.now):
        return None
    limit = ctx.limits[stage.id]
    tail = "" if limit.source == "default" else f" ({stage.name} deals go stale after {limit.days})"
    return ("stale", f"Revive or close {p.label}: nothing has happened for ", last, tail)


PROSPECT_RULES: tuple[ProspectRule, ...] = (
    confirm_decision_maker,
    probe_budget,
    probe_timeframe,
    schedule_appointment,
    answer_info_request,
    send_reminder,
    follow_up_after_appointment,
    offer_trial,
    stale,
)


class PipelineCounts(NamedTuple):
    """Counts the pipeline-wide rules read."""

    early: int  # open prospects in the lead or qualified stage
    late: int  # open prospects in the trial or proposal stage
    appointments_soon: int  # open appointments due within the horizon


def pipeline_counts(
    snapshot: Snapshot, thresholds: Thresholds, sums: OpenSums | None = None
) -> PipelineCounts:
    sums = sums or open_sums(snapshot, thresholds)
    return PipelineCounts(sums.early, sums.late, sums.appointments_soon)


def _behind_quota(quota: QuotaFigures | None) -> Advice | None:
    if quota is None or quota.gap <= 0:
        return None
    needed = quota.new_prospects_needed
    tail = f": find about {plural(needed, 'new prospect')}" if needed else ": find new prospects"
    return Advice(
        "behind-quota",
        f"You are {format_estimate(quota.gap, math.ceil)} short of the {quota.period.kind}'s quota of "
        f"{format_money(quota.target)} after what is won and expected{tail}",
    )


def _weekly(quota: QuotaFigures | None) -> str:
    """The new prospects a week the quota needs, said after a cold-call advice."""
    if quota is None or not quota.new_prospects_needed or not quota.new_prospects_per_week:
        return ""
    needed, weekly, end = quota.new_prospects_needed, quota.new_prospects_per_week, quota.period.end
    if weekly >= needed:
        return f"; the quota needs {plural(needed, 'new prospect')} by {end:%d %b}"
    return f"; the quota needs {plural(weekly, 'new prospect')} a week until {end:%d %b}"


def _cold_call_more(
    counts: PipelineCounts, thresholds: Thresholds, quota: QuotaFigures | None
) -> Advice | None:
    needed = quota.new_prospects_needed if quota else None
    if counts.late and not counts.appointments_soon:
        deals = f"{counts.late} {'deals are' if counts.late != 1 else 'deal is'}"
        return Advice(
            "cold-call-more",
            f"Make more cold calls: {deals} close to a sale but no appointment is booked in the next "
            f"{plural(thresholds.appointment_horizon_days, 'day')}{_weekly(quota)}",
        )
    if needed is not None and counts.early < needed:
        return Advice(
            "cold-call-more",
            f"Make more cold calls: only {plural(counts.early, 'early prospect')} against the {needed} "
            f"new ones the quota needs{_weekly(quota)}",
        )
    return None


def pipeline_advice(
    snapshot: Snapshot,
    thresholds: Thresholds,
    quota: QuotaFigures | None,
    appointment_rate: float | None,
    appointment_closed: int,
    sums: OpenSums | None = None,
) -> list[Advice]:
    """R1, R6, R8: advice about the pipeline as a whole."""
    counts = pipeline_counts(snapshot, thresholds, sums)
    found = [_behind_quota(quota), _cold_call_more(counts, thresholds, quota)]
    if (
        counts.appointments_soon >= thresholds.research_min_appointments
        and counts.late <= thresholds.research_max_late_stage
    ):
        found.append(
            Advice(
                "research-and-presentations",
                f"Cut cold calls: {plural(counts.appointments_soon, 'appointment')} in the next "
                f"{plural(thresholds.appointment_horizon_days, 'day')} and {plural(counts.late, 'deal')} "
                "near closing; spend the time on "
                "research and polishing presentations",
            )
        )
    if (
        appointment_rate is not None
        and appointment_closed >= thresholds.improve_closing_min_closed
        and appointment_rate < thresholds.improve_closing_below_rate
    ):
        found.append(
            Advice(
                "improve-closing",
                f"Work on closing: only {appointment_rate:.0%} of the "
                f"{plural(appointment_closed, 'prospect')} who had an appointment bought",
            )
        )
    return [advice for advice in found if advice is not None]


def prospect_advice(
    snapshot: Snapshot,
    thresholds: Thresholds,
    prospects: Iterable[Prospect] | None = None,
    limits: dict[int, RottingLimit] | None = None,
) -> list[Advice]:
    """Run every prospect rule over the open prospects (or the ones given); ``limits``: each
    stage's rotting limit (else ``stale_after_days``)."""
    ctx = Context(snapshot, thresholds, limits)
    found: list[Advice] = []
    add = found.append
    stage_by_id = snapshot.stage_by_id
    rules = PROSPECT_RULES
    now = ctx.now
    for p in snapshot.open_prospects if prospects is None else prospects:
        stage = stage_by_id[p.stage_id]
        weighted = None
        for rule in rules:
            hit = rule(p, stage, ctx)
            if hit is not None:
                if weighted is None:
                    weighted = weighted_value(p, stage)
                code, message, when = hit[0], hit[1], hit[2]
                if code in CLOCK_CODES:
                    message += clock_phrase(code, when, now) + hit[3]
                add(new_record(Advice, (code, message, p.id, p.name, when, weighted)))
    return found


def weighted_value(p: Prospect, stage: Stage) -> float:
    """The deal's value times its chance (its own, else its stage's): the order within a code."""
    return (p.value or 0) * (p.probability if p.probability is not None else stage.probability)


# the codes whose message says how long ago their ``when`` was
CLOCK_CODES = frozenset(("answer-info-request", "offer-trial", "stale"))


def clock_phrase(code: str, when: datetime, now: datetime) -> str:
    """How long ago ``when`` was, as the message of ``code`` says it at ``now`` ("" for a code
    whose message does not read the clock)."""
    if code == "answer-info-request":
        hours = int((now - when).total_seconds() // 3600)
        return _ago(hours, "hour") if hours < 48 else _ago(hours // 24, "day")
    if code == "offer-trial" or code == "stale":
        return _ago((now - when).days, "day")
    return ""


@functools.cache
def _ago(count: int, unit: str) -> str:
    """``plural`` kept per count: the report words tens of thousands of moments, a few hundred
    counts apart."""
    return plural(count, unit)


def advice_of(p: Prospect, stage: Stage, ctx: Context) -> list[Found]:
    """What the rules say of one open prospect at ``ctx.now``, messages not yet worded."""
    return [hit for rule in PROSPECT_RULES if (hit := rule(p, stage, ctx)) is not None]


def advice_holds_until(p: Prospect, stage: Stage, ctx: Context) -> datetime | None:
    """The first moment after ``ctx.now`` at which :func:`advice_of` may say something else
    (its clock phrases aside: :func:`clock_phrase` says them at any moment); None if none will.
    These are the only moments any prospect rule reads the clock at."""
    thresholds, tick = ctx.thresholds, timedelta(microseconds=1)
    moments: list[datetime | None] = []
    for f in p.open_follow_ups:
        if f.kind == "info-request":  # waiting once its hours are over, not at that moment
            moments.append(moment_after(f.created, timedelta(hours=thresholds.info_request_hours) + tick))
        elif f.kind == "appointment":  # a reminder is due from the window's start to the appointment
            moments += [moment_after(f.due, -ctx.reminder_window), moment_after(f.due, tick)]
    moments.append(moment_after(p.stage_entered, timedelta(days=thresholds.offer_trial_after_days + 1)))
    limit = ctx.limits.get(stage.id)
    if limit is not None:
        moments.append(moment_after(last_touched(p), timedelta(days=limit.days + 1)))
    if p.snoozed_until is not None:
        moments.append(p.snoozed_until)
    now = ctx.now
    return min((moment for moment in moments if moment is not None and moment > now), default=None)


def sort_advice(advice: list[Advice]) -> list[Advice]:
    """In ``Advice.order``: stable sorts on one key each, from the least telling to the most
    (a key made per piece of advice cost more than the sorting, at 100,000 of them)."""
    found = sorted((a for a in advice if a.prospect_id is not None), key=attrgetter("prospect_id"))
    found.sort(key=attrgetter("when"))
    found.sort(key=attrgetter("value"), reverse=True)  # reversed, yet stable: equals keep their order
    by_code: dict[str, list[Advice]] = {code: [] for code in PROSPECT_CODES}
    for a in found:
        by_code[a.code].append(a)
    whole = sorted((a for a in advice if a.prospect_id is None), key=lambda a: _RANK[a.code])
    for code in PROSPECT_CODES:
        whole += by_code[code]
    return whole


def advice_groups(advice: Iterable[Advice]) -> list[AdviceGroup]:
    """Advice counted by code, in the order the codes come in (``ALL_CODES``)."""
    counts: dict[str, list] = {}
    for a in advice:
        group = counts.setdefault(a.code, [0, None if a.prospect_id is None else 0.0])
        group[0] += 1
        if a.prospect_id is not None:
            group[1] += a.value
    return [AdviceGroup(code, *counts[code]) for code in ALL_CODES if code in counts]


# A piece of prospect advice as the JSON lists it: (code, message, prospect id, prospect name).
Listed = tuple[str, str, int, str]


def listed_in_order(
    stored: Iterable[tuple], worked: list[Advice], now: datetime
) -> tuple[list[Listed], list[AdviceGroup]]:
    """Every piece of prospect advice in ``Advice.order`` as plain values, and counted by code
    (each code's values summed in that order, as :func:`advice_groups` sums them). ``stored``:
    pieces kept with the scores (prospect id, name, code, message, when as stored, tail,
    value), already in that order and read as they come, worded here at ``now``; ``worked``:
    those just worked out, put in their places. The JSON of 100,000 pieces writes these
    straight: an Advice each, sorted, cost twice as much."""
    waiting: dict[str, list[Advice]] = {}
    for a in sort_advice(worked):
        waiting.setdefault(a.code, []).append(a)
    runs = groupby(stored, itemgetter(2))
    run = next(runs, None)
    listed: list[Listed] = []
    groups = []
    for code in PROSPECT_CODES:
        while run is not None and run[0] not in _PROSPECT:  # no rule of ours says it
            run = next(runs, None)
        ours = run is not None and run[0] == code
        rows: Iterable[tuple] = run[1] if ours else ()
        before = len(listed)
        if code in waiting:
            value = _merged_into(listed, code, list(rows), waiting[code], now)
        else:
            value = _word_into(listed, code, rows, now, {}, 0.0)
        if len(listed) > before:
            groups.append(AdviceGroup(code, len(listed) - before, value))
        if ours:
            run = next(runs, None)  # (only once this code's rows are read: they go with it)
    return listed, groups


def _merged_into(
    listed: list[Listed], code: str, rows: list[tuple], worked: list[Advice], now: datetime
) -> float:
    """Add one code's stored rows to ``listed`` with the pieces just worked out (in order,
    worded already) each in its place, found by bisection: a few among many. Returns the
    values summed in that order."""
    parse = moment_reader()

    def order(row: tuple) -> tuple:
        return (-row[6], parse(row[4]) or datetime.max, row[0])

    said: dict[object, str] = {}
    total = 0.0
    start = 0
    for a in worked:
        at = bisect_left(rows, (-a.value, a.when or datetime.max, a.prospect_id), start, key=order)
        total = _word_into(listed, code, rows[start:at], now, said, total)
        listed.append((code, a.message, a.prospect_id, a.prospect))
        total += a.value
        start = at
    return _word_into(listed, code, rows[start:], now, said, total)


def _word_into(
    listed: list[Listed], code: str, rows: Iterable[tuple], now: datetime, said: dict, total: float
) -> float:
    """Add stored rows of one code to ``listed``, worded at ``now`` (a clock phrase said once
    per moment: ``said`` keeps them); returns ``total`` with their values added in order."""
    add = listed.append
    if code not in CLOCK_CODES:
        for pid, name, _, message, _, _, value in rows:
            add((code, message, pid, name))
            total += value
        return total
    parse = moment_reader()
    for pid, name, _, message, when, tail, value in rows:
        words = said.get(when)
        if words is None:
            words = said[when] = clock_phrase(code, parse(when), now)
        add((code, message + words + tail, pid, name))
        total += value
    return total
