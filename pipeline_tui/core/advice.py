"""What the article's rules say to do now: one small named rule per advice code (SPEC section 4).

Pipeline-wide rules read the figures; prospect rules read one open prospect at a time. Advice
comes out in a fixed order: pipeline-wide first, then the most pressing prospect advice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from pipeline_tui.core.domain import CONTACT_KINDS, Prospect, Snapshot, Stage
from pipeline_tui.core.figures import QuotaFigures
from pipeline_tui.core.money import format_money
from pipeline_tui.core.settings import Thresholds

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


@dataclass(frozen=True, slots=True)
class Advice:
    """One piece of advice: its code (SPEC), what to do, and the prospect it is about."""

    code: str
    message: str
    prospect_id: int | None = None
    prospect: str | None = None
    when: datetime | None = None  # what makes it pressing: a due time, or how long it has waited

    @property
    def order(self) -> tuple:
        if self.prospect_id is None:
            return (0, PIPELINE_CODES.index(self.code), datetime.min, 0)
        return (1, PROSPECT_CODES.index(self.code), self.when or datetime.max, self.prospect_id)


def _day(moment: datetime) -> str:
    return moment.strftime("%a %d %b %H:%M").replace(" 00:00", "")


@dataclass(frozen=True)
class ProspectView:
    """One open prospect with the lookups the rules share."""

    prospect: Prospect
    stage: Stage
    snapshot: Snapshot
    thresholds: Thresholds

    @property
    def now(self) -> datetime:
        return self.snapshot.now

    def open_of(self, *kinds: str) -> list:
        return [f for f in self.prospect.open_follow_ups if f.kind in kinds]

    def next_appointment(self) -> datetime | None:
        dues = [f.due for f in self.open_of("appointment")]
        return min(dues) if dues else None

    def advice(self, code: str, message: str, when: datetime | None = None) -> Advice:
        return Advice(code, message, self.prospect.id, self.prospect.name, when)


ProspectRule = Callable[[ProspectView], Advice | None]


def confirm_decision_maker(view: ProspectView) -> Advice | None:
    """R2: an appointment is scheduled, or the deal is that far, but nobody confirmed authority.
    It names whom to ask: the contact whose role is not known yet (see core.people); when
    every contact is known not to decide, or nobody is named, the decision maker is to find."""
    p = view.prospect
    if p.decision_maker == "yes":
        return None
    appointment = view.next_appointment()
    where = p.organization or p.name
    if appointment is not None:
        return view.advice(
            "confirm-decision-maker",
            _who_decides(p, where, f"before the appointment on {_day(appointment)}"),
            appointment,
        )
    if view.snapshot.at_or_past_role(p, "appointment"):
        return view.advice(
            "confirm-decision-maker",
            _who_decides(
                p, where, f"the deal is in {view.stage.name} and nobody has confirmed it", authority=True
            ),
            p.stage_entered,
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


def probe_budget(view: ProspectView) -> Advice | None:
    """R3/R7: past the lead stage with no idea of the budget."""
    p = view.prospect
    if p.value is None and view.snapshot.past_role(p, "lead"):
        return view.advice(
            "probe-budget",
            f"Find out the budget of {p.label}: ask what they spent on similar things before",
            p.stage_entered,
        )
    return None


def probe_timeframe(view: ProspectView) -> Advice | None:
    """R3: past the lead stage with no idea when they will decide."""
    p = view.prospect
    if p.expected_close is None and view.snapshot.past_role(p, "lead"):
        return view.advice(
            "probe-timeframe",
            f"Find out when {p.label} will decide: gauge their urgency and set an expected close date",
            p.stage_entered,
        )
    return None


def schedule_appointment(view: ProspectView) -> Advice | None:
    """R4: the decision maker is confirmed; book the appointment as soon as possible."""
    p = view.prospect
    position = view.snapshot.role_position(p.pipeline_id, "appointment")
    if (
        p.decision_maker == "yes"
        and position is not None
        and view.stage.position < position
        and not view.open_of("appointment")
    ):
        return view.advice(
            "schedule-appointment",
            f"Book an appointment with {p.label}: the decision maker is confirmed",
            p.stage_entered,
        )
    return None


def answer_info_request(view: ProspectView) -> Advice | None:
    """R4: answer any request for information immediately."""
    limit = view.now - timedelta(hours=view.thresholds.info_request_hours)
    waiting = [f for f in view.open_of("info-request") if f.created < limit]
    if not waiting:
        return None
    oldest = min(f.created for f in waiting)
    hours = int((view.now - oldest).total_seconds() // 3600)
    waited = f"{hours} hours" if hours < 48 else f"{hours // 24} days"
    return view.advice(
        "answer-info-request",
        f"Answer the request for information from {view.prospect.label} now: they have waited {waited}",
        oldest,
    )


def send_reminder(view: ProspectView) -> Advice | None:
    """R4: call and email the day before an appointment, so a hopeless one can cancel."""
    window = timedelta(hours=view.thresholds.reminder_window_hours)
    upcoming = [f.due for f in view.open_of("appointment") if view.now <= f.due <= view.now + window]
    if not upcoming:
        return None
    appointment = min(upcoming)
    since = appointment - window
    last_contact = view.prospect.history.last_contact
    if last_contact is not None and last_contact >= since:
        return None
    if any(since <= f.due <= appointment for f in view.open_of(*CONTACT_KINDS)):
        return None
    return view.advice(
        "send-reminder",
        f"Call and email {view.prospect.label} a reminder about the appointment on {_day(appointment)}",
        appointment,
    )


def follow_up_after_appointment(view: ProspectView) -> Advice | None:
    """R4: after the appointment, keep following up."""
    done = view.prospect.history.last_appointment_done
    if done is None or view.prospect.open_follow_ups:
        return None
    return view.advice(
        "follow-up-after-appointment",
        f"Follow up with {view.prospect.label} after the appointment on {done:%a %d %b}: "
        "nothing is scheduled",
        done,
    )


def offer_trial(view: ProspectView) -> Advice | None:
    """R5: slow to decide after qualifying, and never tried the product."""
    p = view.prospect
    days = (view.now - p.stage_entered).days
    if (
        view.snapshot.past_role(p, "qualified")
        and days > view.thresholds.offer_trial_after_days
        and not p.history.demo_or_trial
        and not view.open_of("demo", "trial")
    ):
        return view.advice(
            "offer-trial",
            f"Offer {p.label} a free trial or demo: {days} days in {view.stage.name} without one",
            p.stage_entered,
        )
    return None


def stale(view: ProspectView) -> Advice | None:
    """Nothing has happened for weeks: revive it or close it."""
    p = view.prospect
    last = max(d for d in (p.history.last_activity, p.stage_entered) if d is not None)
    days = (view.now - last).days
    if days > view.thresholds.stale_after_days:
        return view.advice("stale", f"Revive or close {p.label}: nothing has happened for {days} days", last)
    return None


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


@dataclass(frozen=True)
class PipelineCounts:
    """Counts the pipeline-wide rules read."""

    early: int  # open prospects in the lead or qualified stage
    late: int  # open prospects in the trial or proposal stage
    appointments_soon: int  # open appointments due within the horizon


def pipeline_counts(snapshot: Snapshot, thresholds: Thresholds) -> PipelineCounts:
    early = late = soon = 0
    horizon = snapshot.now + timedelta(days=thresholds.appointment_horizon_days)
    for prospect in snapshot.open_prospects:
        role = snapshot.stage_by_id[prospect.stage_id].role
        early += role in ("lead", "qualified")
        late += role in ("trial", "proposal")
        soon += sum(
            1
            for f in prospect.open_follow_ups
            if f.kind == "appointment" and snapshot.now <= f.due <= horizon
        )
    return PipelineCounts(early, late, soon)


def pipeline_advice(
    snapshot: Snapshot,
    thresholds: Thresholds,
    quota: QuotaFigures | None,
    appointment_rate: float | None,
    appointment_closed: int,
) -> list[Advice]:
    """R1, R6, R8: advice about the pipeline as a whole."""
    found: list[Advice] = []
    counts = pipeline_counts(snapshot, thresholds)
    if quota is not None and quota.gap > 0:
        needed = quota.new_prospects_needed
        if needed:
            tail = f": find about {needed} new prospect{'s' if needed != 1 else ''}"
        else:
            tail = ": find new prospects"
        found.append(
            Advice(
                "behind-quota",
                f"You are {format_money(quota.gap)} short of the {quota.period.kind}'s quota of "
                f"{format_money(quota.target)} after what is won and expected{tail}",
            )
        )
    needed = quota.new_prospects_needed if quota else None
    days = thresholds.appointment_horizon_days
    if counts.late and not counts.appointments_soon:
        found.append(
            Advice(
                "cold-call-more",
                f"Make more cold calls: {counts.late} "
                f"{'deals are' if counts.late != 1 else 'deal is'} close to a sale but no appointment is "
                f"booked in the next {days} days",
            )
        )
    elif needed is not None and counts.early < needed:
        found.append(
            Advice(
                "cold-call-more",
                f"Make more cold calls: only {counts.early} early "
                f"prospect{'s' if counts.early != 1 else ''} against the {needed} new ones the quota needs",
            )
        )
    if (
        counts.appointments_soon >= thresholds.research_min_appointments
        and counts.late <= thresholds.research_max_late_stage
    ):
        found.append(
            Advice(
                "research-and-presentations",
                f"Cut cold calls: {counts.appointments_soon} appointments in the next {days} days and "
                f"{counts.late} deal{'s' if counts.late != 1 else ''} near closing; spend the time on "
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
                f"Work on closing: only {appointment_rate:.0%} of the {appointment_closed} prospects who "
                "had an appointment bought",
            )
        )
    return found


def prospect_advice(
    snapshot: Snapshot, thresholds: Thresholds, prospects: Iterable[Prospect] | None = None
) -> list[Advice]:
    """Run every prospect rule over the open prospects (or the ones given)."""
    found: list[Advice] = []
    stage_by_id = snapshot.stage_by_id
    for prospect in snapshot.open_prospects if prospects is None else prospects:
        view = ProspectView(prospect, stage_by_id[prospect.stage_id], snapshot, thresholds)
        for rule in PROSPECT_RULES:
            advice = rule(view)
            if advice is not None:
                found.append(advice)
    return found


def sort_advice(advice: list[Advice]) -> list[Advice]:
    return sorted(advice, key=lambda a: a.order)
